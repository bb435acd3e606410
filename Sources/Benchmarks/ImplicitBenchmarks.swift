import ImplicitDifferentiation

/// A 1-D reaction–diffusion system, defined here as a user would:
/// F(x, y)_i = 2y_i − y_{i−1} − y_{i+1} + h²·y_i³ − x_i (tridiagonal A, SPD).
struct BenchReactionDiffusion: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        let h2 = T(1.0 / Double((m + 1) * (m + 1)))
        var out = [T]()
        out.reserveCapacity(m)
        for i in 0..<m {
            var v = T(2) * y[i] + h2 * y[i] * y[i] * y[i] - x[i]
            if i > 0 { v = v - y[i - 1] }
            if i < m - 1 { v = v - y[i + 1] }
            out.append(v)
        }
        return out
    }

    /// Newton with the Thomas algorithm (the black box).
    @Sendable static func solve(_ x: [Double]) -> [Double] {
        let m = x.count
        let h2 = 1.0 / Double((m + 1) * (m + 1))
        var y = [Double](repeating: 0, count: m)
        var f = y, c = y, d = y, step = y
        for _ in 0..<30 {
            for i in 0..<m {
                f[i] = 2 * y[i] + h2 * y[i] * y[i] * y[i] - x[i]
                if i > 0 { f[i] -= y[i - 1] }
                if i < m - 1 { f[i] -= y[i + 1] }
            }
            for i in 0..<m {
                let diag = 2 + 3 * h2 * y[i] * y[i] + (i > 0 ? c[i - 1] : 0)
                c[i] = -1 / diag
                d[i] = (f[i] + (i > 0 ? d[i - 1] : 0)) / diag
            }
            for i in stride(from: m - 1, through: 0, by: -1) { step[i] = d[i] - (i < m - 1 ? c[i] * step[i + 1] : 0) }
            var norm = 0.0
            for i in 0..<m { y[i] -= step[i]; norm = max(norm, abs(step[i])) }
            if norm < 1e-13 * max(1, y.map(abs).max() ?? 1) { break }
        }
        return y
    }
}

/// Direct (matrix + LU) against lazy (operator + CG) for one VJP at growing m:
/// the measurements behind the `.automatic` threshold.
func runImplicitBenchmarks(_ harness: inout BenchmarkHarness) {
    let sizes = harness.quick ? [10, 100] : [10, 100, 1000]
    for m in sizes {
        let x = (0..<m).map { 1 + Double($0 % 5) / 5 }
        let ybar = (0..<m).map { Double(($0 * 7) % 11) / 11 - 0.5 }
        let direct = ImplicitFunction(solver: BenchReactionDiffusion.solve, conditions: BenchReactionDiffusion(),
                                      linearSolver: .lu, representation: .matrix)
        let cgOptions = try! KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 10 * m)
        let lazy = ImplicitFunction(solver: BenchReactionDiffusion.solve, conditions: BenchReactionDiffusion(),
                                    linearSolver: .cg(options: cgOptions), representation: .operator,
                                    structure: [.symmetric, .positiveDefinite])
        let reps = m >= 1000 ? 5 : 15
        harness.compare(suite: "implicit", name: "linearize+VJP: LU vs CG(lazy)", size: m,
                        baselineName: "operator + CG", repetitions: reps,
                        candidate: { _ = try! direct.linearize(at: x).vjp(ybar) },
                        baseline: { _ = try! lazy.linearize(at: x).vjp(ybar) })
        let lin = try! direct.linearize(at: x)
        harness.compare(suite: "implicit", name: "VJP on a linearization vs forward solve", size: m,
                        baselineName: "forward solve", repetitions: reps,
                        candidate: { _ = try! lin.vjp(ybar) },
                        baseline: { _ = BenchReactionDiffusion.solve(x) })
    }
}
