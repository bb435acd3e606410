import Foundation
import ImplicitDifferentiation

/// The lazy (Krylov) path alone, for iterating on its overhead: the
/// per-iteration rows of the `crossover` suite (one Krylov iteration vs one
/// sweep plus GMRES's vector kernels) and the banded m = 1000 JVP/VJP of the
/// `peers` suite (Newton forward solve + linearize + GMRES to 1e-10).
/// `LAZYPATH_SIZES=10000,100000` picks the per-iteration sizes (default 10⁴, 10⁵).
/// `LAZYPATH_PROFILE=jvp:N` (or `vjp:N`) runs only that banded m = 1000 product
/// N times and records nothing (for callgrind / perf).
func runLazyPathBenchmarks(_ harness: inout BenchmarkHarness) {
    let env = ProcessInfo.processInfo.environment
    if let spec = env["LAZYPATH_PROFILE"]?.split(separator: ":"), spec.count == 2, let n = Int(spec[1]) {
        let x = StencilReactionConditions.input(for: referenceSolution(1000)), probe = probeVector(1000)
        let f = ImplicitFunction(solver: bandedPeerNewton, conditions: StencilReactionConditions(),
                                 linearSolver: .gmres(restart: 30, options: benchKrylovOptions),
                                 representation: .operator)
        for _ in 0..<n {
            if spec[0] == "jvp" { _ = try! f.jvp(at: x, tangent: probe) } else { _ = try! f.vjp(at: x, cotangent: probe) }
        }
        return
    }
    let sizes = env["LAZYPATH_SIZES"].map { $0.split(separator: ",").compactMap { Int($0) } }
        ?? (harness.quick ? [10_000] : [10_000, 100_000])
    for m in sizes { lazyScalingRow(&harness, m: m) }

    let m = 1000
    let x = StencilReactionConditions.input(for: referenceSolution(m))
    let probe = probeVector(m)
    let f = ImplicitFunction(solver: bandedPeerNewton, conditions: StencilReactionConditions(),
                             linearSolver: .gmres(restart: 30, options: benchKrylovOptions),
                             representation: .operator)
    let reps = harness.quick ? 5 : 41
    let tForward = harness.median(repetitions: reps) { _ = try! f(x) }
    let tJVP = harness.median(repetitions: reps) { _ = try! f.jvp(at: x, tangent: probe) }
    let tVJP = harness.median(repetitions: reps) { _ = try! f.vjp(at: x, cotangent: probe) }
    for (op, s) in [("forward", tForward), ("jvp", tJVP), ("vjp", tVJP)] {
        harness.record(.init(suite: "lazypath", name: "banded \(op) (operator, gmres)", size: m, medianSeconds: s))
    }
}
