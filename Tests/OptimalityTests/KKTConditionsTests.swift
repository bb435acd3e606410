import Testing
import Optimality
import TestSupport

/// The simplex projection as a constrained problem:
/// `min ½‖y − x‖²  s.t.  Σ y = 1,  −y ≤ 0`.
struct SimplexProblem: ConstrainedProblem {
    func objective<T: DifferentiableScalar>(x: [T], y: [T]) -> T {
        zip(x, y).reduce(T(0)) { $0 + ($1.1 - $1.0) * ($1.1 - $1.0) } / T(2)
    }
    func equalities<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { [y.reduce(T(0), +) - T(1)] }
    func inequalities<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { y.map { T(0) - $0 } }
}

/// Its primal-dual solution in closed form: `y = (x − τ)₊`, `λ = τ`, `μᵢ = (τ − xᵢ)₊`.
@Sendable func simplexKKT(_ x: [Double]) -> KKTPoint {
    let y = Projections.simplex(x)
    let i = y.firstIndex { $0 > 0 }!
    let tau = x[i] - y[i]
    return KKTPoint(primal: y, equalityMultipliers: [tau], inequalityMultipliers: x.indices.map { y[$0] > 0 ? 0 : tau - x[$0] })
}

@Suite struct KKTConditionsTests {
    struct Root: DifferentiableFunction {
        let root: ImplicitFunction<Void, KKTLayout>
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { root(x) }
    }

    /// `∂(y, λ, μ)/∂x`: `diag(s) − s sᵀ/|S|`, `sᵀ/|S|`, and `sᵀ/|S| − eᵢᵀ` off the support.
    static func exact(_ x: [Double]) -> Matrix {
        let n = x.count
        let s = Projections.simplex(x).map { $0 > 0 ? 1.0 : 0 }, k = s.reduce(0, +)
        return Matrix(rows: 2 * n + 1, columns: n) { r, c in
            if r < n { return (r == c ? s[r] : 0) - s[r] * s[c] / k }
            if r == n { return s[c] / k }
            let i = r - n - 1
            return s[i] == 1 ? 0 : s[c] / k - (i == c ? 1 : 0)
        }
    }

    @Test func primalAndDualDerivativesMatchTheClosedForm() throws {
        let root = try ImplicitFunction(kktOf: SimplexProblem(), solver: simplexKKT)
        let x = [0.9, -0.3, 0.5, 0.45, -1, 0.2]
        let (z, layout) = try root.solve(x)
        #expect(layout == KKTLayout(primal: 6, equalities: 1, inequalities: 6))
        #expect(KKTPoint(z, layout: layout) == simplexKKT(x))
        let exact = Self.exact(x)
        #expect(Approximate.relativeError(try root.jacobian(at: x), exact) <= 1e-12)
        ScalarChecks.expect(Root(root: root), at: x, jacobian: exact, tolerance: 1e-12)
        // Adjointness on the same linearization: ⟨z̄, J ẋ⟩ = ⟨Jᵀ z̄, ẋ⟩.
        let lin = try root.linearize(at: x)
        let dx = x.indices.map { Double.cos(0.7 * Double($0) + 0.1) }
        let zbar = (0..<13).map { Double.sin(1.3 * Double($0) + 0.4) }
        let left = zip(zbar, try lin.jvp(dx)).reduce(0) { $0 + $1.0 * $1.1 }
        let right = zip(try lin.vjp(zbar), dx).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(left - right) <= 1e-13 * max(1, abs(left)))
    }

    @Test func conditionsOnEveryScalarMatchFiniteDifferences() throws {
        let conditions = try KKTConditions(problem: SimplexProblem())
        let layout = KKTLayout(primal: 3, equalities: 1, inequalities: 3)
        struct F: DifferentiableFunction {   // (x (3), z (7)) ↦ F
            let conditions: KKTConditions<SimplexProblem>, layout: KKTLayout
            func callAsFunction<T: DifferentiableScalar>(_ v: [T]) -> [T] {
                conditions(x: Array(v[0..<3]), y: Array(v[3...]), byproduct: layout)
            }
        }
        let f = F(conditions: conditions, layout: layout)
        let v = [0.3, -0.1, 0.8, 0.2, 0.5, 0.1, 0.7, 0.4, 0.3, 0.6]
        ScalarChecks.expect(f, at: v, jacobian: ScalarChecks.finiteDifferences(f, at: v), tolerance: 1e-8)
    }

    @Test func degenerateActiveSetsAreReportedNotDifferentiated() throws {
        // x = (0.5, 0.5, 0): τ = 0, so y₂ = 0 is active with μ₂ = 0.
        let x = [0.5, 0.5, 0]
        let root = try ImplicitFunction(kktOf: SimplexProblem(), solver: simplexKKT)
        let expected = ImplicitDifferentiationError.forwardSolverFailed(OptimalityError.degenerateActiveSet(constraints: [2]))
        #expect(throws: expected) { try root.jacobian(at: x) }
        let conditions = try KKTConditions(problem: SimplexProblem())
        #expect(conditions.degenerateConstraints(x: x, point: simplexKKT(x)) == [2])
        // Allowed explicitly: the derivative is the linear solver's answer for a singular A, reported.
        let allowed = try ImplicitFunction(kktOf: SimplexProblem(), kktOptions: KKTOptions(degeneracy: .allow),
                                           solver: simplexKKT)
        let lin = try allowed.linearize(at: x)
        #expect(try lin.jacobian().elements.allSatisfy(\.isFinite))
        #expect(lin.plan.solver != .lu)   // LU refused the singular A
    }

    @Test func infeasiblePointsAndNegativeMultipliersAreRefused() throws {
        let conditions = try KKTConditions(problem: SimplexProblem())
        let x = [0.9, 0.2, -1]
        var point = simplexKKT(x)
        point.primal[2] = -0.1
        #expect(throws: OptimalityError.infeasibleInequality(constraint: 2, value: 0.1)) {
            try conditions.check(x: x, point: point)
        }
        point = simplexKKT(x)
        point.inequalityMultipliers[2] = -0.5
        #expect(throws: OptimalityError.negativeMultiplier(constraint: 2, value: -0.5)) {
            try conditions.check(x: x, point: point)
        }
        point = simplexKKT(x)
        point.inequalityMultipliers.removeLast()
        #expect(throws: OptimalityError.dimensionMismatch("g has 1 values and λ 1; h has 3 values and μ 2")) {
            try conditions.check(x: x, point: point)
        }
        #expect(throws: OptimalityError.invalidParameter("KKT tolerance = -1.0 must be > 0 and finite")) {
            try KKTConditions(problem: SimplexProblem(), options: KKTOptions(tolerance: -1))
        }
        // Complementarity violated beyond the residual tolerance: the residual check refuses it.
        let wrong = try ImplicitFunction(kktOf: SimplexProblem(), solver: { x in
            var p = simplexKKT(x)
            p.inequalityMultipliers[0] = 0.3   // μ₀ > 0 on an inactive constraint (y₀ > 0)
            return p
        })
        // Primal feasibility violated (Σ y = 1.01): refused the same way.
        let infeasible = try ImplicitFunction(kktOf: SimplexProblem(), solver: { x in
            var p = simplexKKT(x)
            p.primal[0] += 0.01
            return p
        })
        for function in [wrong, infeasible] {
            #expect {
                try function.jacobian(at: x)
            } throws: { error in
                guard let e = error as? ImplicitDifferentiationError, case .residualTooLarge = e else { return false }
                return true
            }
        }
    }
}
