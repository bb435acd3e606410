import Foundation
import ImplicitDifferentiation
import ImplicitExamples

/// Representation `.sparse` on the 1-D Bratu example (`D = 1`, tridiagonal
/// SPD `A`): linearize at the known solution + one VJP, on `.sparse` (pattern,
/// colouring, compressed sweeps, band LU) and on `.operator` (default GMRES),
/// each against one plain evaluation of `F` on `Double`.
/// `SPARSEPATH_SIZES=10000,100000` picks the sizes (default 10⁴ and 10⁵).
func runSparsePathBenchmarks(_ harness: inout BenchmarkHarness) {
    let sizes = ProcessInfo.processInfo.environment["SPARSEPATH_SIZES"].map {
        $0.split(separator: ",").compactMap { Int($0) }
    } ?? (harness.quick ? [10_000] : [10_000, 100_000])
    for m in sizes {
        let s = (0..<m).map { Double($0 + 1) / Double(m + 1) }
        let theta = s.map { 1 + 0.5 * Double.sin(2 * Double.pi * $0) }
        let source = s.map { 1 + 2 * Double.sin(Double.pi * $0) + 0.5 * Double.cos(7 * Double.pi * $0) }
        let conditions = BratuConditions(nx: m, ny: 1, source: source)
        let u = conditions.solve(theta)
        let sparse = ImplicitFunction(solver: { _ in u }, conditions: conditions, representation: .sparse)
        let lazy = ImplicitFunction(solver: { _ in u }, conditions: conditions, representation: .operator)
        let ybar = [Double](repeating: 1, count: m)
        print("  m = \(m) sparse plan: \(try! sparse.plan(for: theta, solution: u))")
        let reps = m >= 100_000 ? 5 : 11
        let tF = harness.median(repetitions: reps) { _ = conditions(x: theta, y: u) }
        let tSparse = harness.median(repetitions: reps) { _ = try! sparse.linearize(at: theta, solution: u).vjp(ybar) }
        let tLazy = harness.median(repetitions: reps) { _ = try! lazy.linearize(at: theta, solution: u).vjp(ybar) }
        harness.record(.init(suite: "sparsepath", name: "bratu1d plain F", size: m, medianSeconds: tF))
        harness.record(.init(suite: "sparsepath", name: "bratu1d linearize + VJP (sparse)", size: m,
                             medianSeconds: tSparse, baselineName: "plain F", baselineMedianSeconds: tF,
                             ratio: tSparse / tF))
        harness.record(.init(suite: "sparsepath", name: "bratu1d linearize + VJP (operator, gmres)", size: m,
                             medianSeconds: tLazy, baselineName: "plain F", baselineMedianSeconds: tF,
                             ratio: tLazy / tF))
        print("  m = \(m): F \(String(format: "%.3g", tF)) s; sparse \(String(format: "%.3g", tSparse)) s "
              + "(\(String(format: "%.1f", tSparse / tF))× F); operator \(String(format: "%.3g", tLazy)) s "
              + "(\(String(format: "%.1f", tLazy / tF))× F); operator / sparse \(String(format: "%.2f", tLazy / tSparse))")
    }
}
