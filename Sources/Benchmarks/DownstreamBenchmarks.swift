import Foundation

/// The in-package half of scripts/bench-downstream: the same measurement as
/// Examples/Downstream, on the identical conditions compiled in this module.
/// Prints one JSON line (`downstream-json: {...}`) for the script.
func runDownstreamBenchmarks(_ harness: inout BenchmarkHarness) {
    let sizes = harness.quick ? [1000] : [1000, 100_000]
    var results: [String: [String: Double]] = [:]
    for m in sizes {
        let t = measureDownstream(m: m, repetitions: m >= 100_000 ? 9 : 51)
        results["\(m)"] = t
        for (k, s) in t.sorted(by: { $0.key < $1.key }) {
            harness.record(.init(suite: "downstream", name: "in-package \(k)", size: m, medianSeconds: s))
        }
    }
    let data = try! JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
    print("downstream-json: " + String(decoding: data, as: UTF8.self))
}
