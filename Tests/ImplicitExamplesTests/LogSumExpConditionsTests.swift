import Testing
import ImplicitDifferentiation
import ImplicitExamples

/// The scalar-loop log-sum-exp conditions (the peers row and crossover family
/// of dense conditions written naively): the fixed-point solver, `.automatic`
/// against `.matrix` + LU and against the closed form `A = I + ¼P`,
/// `B = −½P` solved by dense LU, and adjointness.
@Suite struct LogSumExpConditionsTests {
    /// `J = −A⁻¹B` from the closed form, with `P` the row-wise softmax.
    private func closedFormJacobian(_ c: LogSumExpConditions, x: [Double], y: [Double]) -> Matrix {
        let m = c.m
        var a = Matrix(rows: m, columns: m), b = Matrix(rows: m, columns: m)
        for i in 0..<m {
            let e = (0..<m).map { j in Double.exp(x[j] - c.cost[i * m + j] - 0.5 * y[j]) }
            let sum = e.reduce(0, +)
            for j in 0..<m {
                a[i, j] = (i == j ? 1 : 0) + 0.25 * e[j] / sum
                b[i, j] = -0.5 * e[j] / sum
            }
        }
        return -1 * (try! LUFactorization(a).solve(b))
    }

    @Test(arguments: [40, 120])
    func automaticEqualsMatrixLUAndTheClosedFormAndIsAdjoint(m: Int) throws {
        let c = LogSumExpConditions(m: m)
        let x = LogSumExpConditions.input(m)
        let y = c.solve(x)
        #expect(c(x: x, y: y).allSatisfy { abs($0) <= 1e-13 })
        let automatic = ImplicitFunction(solver: { _ in y }, conditions: c)
        let direct = ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: .lu, representation: .matrix)
        let xdot = (0..<m).map { Double.cos(0.7 * Double($0) + 0.1) }
        let ybar = (0..<m).map { Double.sin(1.3 * Double($0) + 0.4) }

        let jvp = try automatic.jvp(at: x, tangent: xdot), vjp = try automatic.vjp(at: x, cotangent: ybar)
        #expect(relativeError(jvp, try direct.jvp(at: x, tangent: xdot)) <= 1e-10)
        #expect(relativeError(vjp, try direct.vjp(at: x, cotangent: ybar)) <= 1e-10)

        let j = closedFormJacobian(c, x: x, y: y)
        let jvpExact = (0..<m).map { i in (0..<m).reduce(0.0) { $0 + j[i, $1] * xdot[$1] } }
        let vjpExact = (0..<m).map { k in (0..<m).reduce(0.0) { $0 + j[$1, k] * ybar[$1] } }
        #expect(relativeError(jvp, jvpExact) <= 1e-10)
        #expect(relativeError(vjp, vjpExact) <= 1e-10)

        // ⟨ȳ, J ẋ⟩ = ⟨Jᵀ ȳ, ẋ⟩
        let left = zip(ybar, jvp).reduce(0.0) { $0 + $1.0 * $1.1 }
        let right = zip(vjp, xdot).reduce(0.0) { $0 + $1.0 * $1.1 }
        let scale = zip(ybar, jvp).reduce(0.0) { $0 + abs($1.0 * $1.1) }
        #expect(abs(left - right) <= 1e-12 * scale)
    }
}
