import Foundation

// Prints one JSON object: median seconds of value, JVP, VJP, implicit JVP and
// implicit VJP of DownstreamConditions (defined in this package) at each size.
// First checks, on standard error, that the Optimality helpers work from here.
checkOptimalityFromDownstream()
let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
var results: [String: [String: Double]] = [:]
for m in sizes.isEmpty ? [1000, 100_000] : sizes {
    results["\(m)"] = measureDownstream(m: m, repetitions: m >= 100_000 ? 9 : 51)
}
let data = try! JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
print(String(decoding: data, as: UTF8.self))
