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
        // The sparse path's parts, each once more on its own (ratios to plain F).
        let tRecord = harness.median(repetitions: reps) { _ = AD.linearize(BivariateConditions(conditions: conditions), x: theta, y: u) }
        let tape = AD.linearize(BivariateConditions(conditions: conditions), x: theta, y: u)
        let tPattern = harness.median(repetitions: reps) { _ = tape.jacobianPatterns() }
        let pattern = tape.jacobianPatterns().y
        let tColour = harness.median(repetitions: reps) { _ = JacobianCompression(pattern) }
        let compression = JacobianCompression(pattern)
        let tSweeps = harness.median(repetitions: reps) { _ = try! compression.evaluate(tape, withRespectToY: true) }
        let a = try! compression.evaluate(tape, withRespectToY: true)
        let tVerify = harness.median(repetitions: reps) { try! tape.verify(a, withRespectToY: true) }
        let tFactor = harness.median(repetitions: reps) { _ = try! BandLUFactorization(a, lowerBandwidth: 1, upperBandwidth: 1) }
        let parts = [("recording", tRecord), ("pattern", tPattern), ("colouring", tColour), ("colour sweeps", tSweeps),
                     ("verification", tVerify), ("band LU", tFactor)]
        print("  m = \(m) parts (× F): " + parts.map { "\($0.0) \(String(format: "%.1f", $0.1 / tF))" }
            .joined(separator: ", "))
        print("  m = \(m): F \(String(format: "%.3g", tF)) s; sparse \(String(format: "%.3g", tSparse)) s "
              + "(\(String(format: "%.1f", tSparse / tF))× F); operator \(String(format: "%.3g", tLazy)) s "
              + "(\(String(format: "%.1f", tLazy / tF))× F); operator / sparse \(String(format: "%.2f", tLazy / tSparse))")
    }
}

/// Implicit conditions as the AD layer's bivariate function `(x, y) ↦ F(x, y)`.
struct BivariateConditions<C: ImplicitConditions>: DifferentiableBivariateFunction, Sendable {
    let conditions: C
    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] { conditions(x: x, y: y) }
}
