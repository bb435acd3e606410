import Foundation
import ImplicitDifferentiation

// The fixed overhead of the matrix (LU) path at small and medium m: the peer
// problems (generic conditions, automatic plan) with a trivial "solver" that
// returns the reference solution, so that only the derivative machinery is
// timed. `smallm` times linearize, JVP, VJP and Jacobian at m = 10 and 100 with
// more repetitions than `peers --quick`.
//
// Profiling hook: `SMALLM_PROFILE=<family>-<op>-<m>` (family dense|banded,
// op linearize|jvp|vjp|jacobian) with `SMALLM_ITERATIONS=<count>` runs only
// that case in a loop and exits, for `perf record` or
// `valgrind --tool=callgrind` (count the instructions of N calls, subtract a
// run with a different N).

/// The implicit function and input of one small-size case (trivial solver).
private func smallSizeCase(_ family: String, _ m: Int) -> (ImplicitFunction<Void, Void>, [Double]) {
    let y = referenceSolution(m)
    if family == "dense" {
        let c = DenseTanhConditions(m: m)
        return (ImplicitFunction(solver: { _ in y }, conditions: c), c.input(for: y))
    }
    return (ImplicitFunction(solver: { _ in y }, conditions: StencilReactionConditions()),
            StencilReactionConditions.input(for: y))
}

/// Runs one operation of a case once.
private func runSmallSizeOperation(_ f: ImplicitFunction<Void, Void>, _ op: String, _ x: [Double],
                                   _ probe: [Double]) {
    switch op {
    case "linearize": _ = try! f.linearize(at: x)
    case "jvp": _ = try! f.jvp(at: x, tangent: probe)
    case "vjp": _ = try! f.vjp(at: x, cotangent: probe)
    case "jacobian": _ = try! f.jacobian(at: x)
    default: fatalError("unknown operation \(op)")
    }
}

/// Loops one case when `SMALLM_PROFILE` is set; returns `false` otherwise.
func runSmallSizeProfileIfRequested() -> Bool {
    let env = ProcessInfo.processInfo.environment
    guard let spec = env["SMALLM_PROFILE"] else { return false }
    let parts = spec.split(separator: "-").map(String.init)
    precondition(parts.count == 3, "SMALLM_PROFILE=<dense|banded>-<linearize|jvp|vjp|jacobian>-<m>")
    let m = Int(parts[2])!
    let iterations = Int(env["SMALLM_ITERATIONS"] ?? "1000")!
    let (f, x) = smallSizeCase(parts[0], m)
    let probe = probeVector(m)
    for _ in 0..<iterations { runSmallSizeOperation(f, parts[1], x, probe) }
    return true
}

func runSmallSizeBenchmarks(_ harness: inout BenchmarkHarness) {
    for family in ["banded", "dense"] {
        for m in [10, 100] {
            let (f, x) = smallSizeCase(family, m)
            let probe = probeVector(m)
            for op in ["linearize", "jvp", "vjp", "jacobian"] {
                let s = harness.median(repetitions: 201) {
                    for _ in 0..<10 { runSmallSizeOperation(f, op, x, probe) }
                }
                harness.record(.init(suite: "smallm", name: "\(family) \(op) (no forward)", size: m,
                                     medianSeconds: s / 10))
            }
        }
    }
}
