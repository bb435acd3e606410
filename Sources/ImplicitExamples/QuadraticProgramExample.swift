import ImplicitDifferentiation
import Optimality

// Worked example: a quadratic program differentiated through its KKT system.
//
//     y(c, d) = argmin ½ yᵀQy − cᵀy   s.t.  E y = d,   yᵢ ≥ 0 (i < q)
//     Q = tridiag(−1, 4, −1),  E = [1ᵀ; (cos i)ᵢ],  q = min(m, 10)
//
// On the active set S (yᵢ = 0 with μᵢ > 0) the solution is that of the
// equality-constrained QP with the rows of S added, so with
//
//     K = [ Q    Eᵀ  −N ]          N = [e_i]_{i∈S}
//         [ E    0    0 ]
//         [ −Nᵀ  0    0 ]
//
// (y, λ, μ_S) = K⁻¹ (c, d, 0) and ∂(y, λ, μ_S)/∂(c, d) = K⁻¹ [I 0; 0 I; 0 0]
// (the closed form); inactive multipliers have zero derivative.

/// The QP of the example as a ``ConstrainedProblem`` (Optimality); `x = (c, d)`.
public struct QuadraticProgram: ConstrainedProblem {
    /// `m`, the number of unknowns.
    public let size: Int
    /// The inequalities `yᵢ ≥ 0` apply to `i < q`.
    public var bounded: Int { Swift.min(size, 10) }

    /// - Parameter size: `m ≥ 2`.
    public init(size: Int) { self.size = size }

    /// `½ yᵀQy − cᵀy`.
    public func objective<T: DifferentiableScalar>(x: [T], y: [T]) -> T {
        var f = T(0)
        for i in 0..<size {
            var qy = T(4) * y[i]
            if i > 0 { qy = qy - y[i - 1] }
            if i < size - 1 { qy = qy - y[i + 1] }
            f = f + y[i] * (qy / T(2) - x[i])
        }
        return f
    }

    /// `E y − d`.
    public func equalities<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        var sum = T(0), weighted = T(0)
        for i in 0..<size {
            sum = sum + y[i]
            weighted = weighted + T(Self.secondRow(i)) * y[i]
        }
        return [sum - x[size], weighted - x[size + 1]]
    }

    /// `−yᵢ ≤ 0` for `i < q`.
    public func inequalities<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        (0..<bounded).map { T(0) - y[$0] }
    }

    /// `E₁ᵢ = cos i`.
    static func secondRow(_ i: Int) -> Double { Double.cos(Double(i)) }

    /// The KKT matrix `K` of the equality-constrained QP with the bounds in `active` as equalities.
    func kktMatrix(active: [Int]) -> Matrix {
        let m = size, k = m + 2 + active.count
        var a = Matrix(rows: k, columns: k)
        for i in 0..<m {
            a[i, i] = 4
            if i > 0 { a[i, i - 1] = -1 }
            if i < m - 1 { a[i, i + 1] = -1 }
            a[i, m] = 1; a[m, i] = 1
            a[i, m + 1] = Self.secondRow(i); a[m + 1, i] = Self.secondRow(i)
        }
        for (j, i) in active.enumerated() { a[i, m + 2 + j] = -1; a[m + 2 + j, i] = -1 }
        return a
    }

    /// The forward solver, independent of the library's AD: every active set
    /// `S ⊆ {0, …, q−1}` in order of size, the first whose equality-constrained
    /// solution is feasible with `μ_S ≥ 0` (the unique KKT point of this
    /// strictly convex QP). `2^q` small solves at most: a plain, exact solver.
    ///
    /// - Parameter x: `(c, d)`.
    /// - Returns: `(y, λ, μ)`.
    /// - Throws: ``InfeasibleProgram`` when no active set works; a LAPACK error if `K` is singular.
    public func solve(_ x: [Double]) throws -> KKTPoint {
        let m = size, q = bounded
        let subsets = (0..<(1 << q)).sorted { $0.nonzeroBitCount < $1.nonzeroBitCount }
        for bits in subsets {
            let active = (0..<q).filter { bits & (1 << $0) != 0 }
            let rhs = Array(x[0..<m]) + [x[m], x[m + 1]] + [Double](repeating: 0, count: active.count)
            let z = try LUFactorization(kktMatrix(active: active)).solve(rhs)
            let y = Array(z[0..<m])
            let mu = Array(z[(m + 2)...])
            guard (0..<q).allSatisfy({ active.contains($0) || y[$0] >= -1e-13 }), mu.allSatisfy({ $0 >= -1e-13 })
            else { continue }
            var muAll = [Double](repeating: 0, count: q)
            for (j, i) in active.enumerated() { muAll[i] = mu[j] }
            for i in active { muAll[i] = Swift.max(muAll[i], 0) }
            return KKTPoint(primal: y, equalityMultipliers: [z[m], z[m + 1]], inequalityMultipliers: muAll)
        }
        throw InfeasibleProgram()
    }

    /// No active set gave a KKT point: the constraints are infeasible for this `x`.
    public struct InfeasibleProgram: Error, CustomStringConvertible {
        /// One line.
        public var description: String { "the quadratic program has no feasible point for this input" }
    }

    /// The closed form `∂(y, λ, μ)/∂(c, d)`, `(m + 2 + q) × (m + 2)`, on the active set of `point`.
    public func closedFormJacobian(_ point: KKTPoint) -> Matrix {
        let m = size, q = bounded
        let active = (0..<q).filter { point.inequalityMultipliers[$0] > 0 }
        let k = m + 2 + active.count
        let kInverse = try! LUFactorization(kktMatrix(active: active)).solve(Matrix.identity(k))
        var j = Matrix(rows: m + 2 + q, columns: m + 2)
        for c in 0..<(m + 2) {
            for r in 0..<(m + 2) { j[r, c] = kInverse[r, c] }
            for (a, i) in active.enumerated() { j[m + 2 + i, c] = kInverse[m + 2 + a, c] }
        }
        return j
    }
}

extension Examples {
    /// Worked example: a QP through its KKT conditions (Optimality).
    public static let quadraticProgram = Example(
        name: "qp-kkt", title: "quadratic program through its KKT system: ∂(y, λ, μ)/∂(c, d), active inequalities",
        sizeMeaning: "m = size unknowns, 2 equalities, min(m, 10) bounds yᵢ ≥ 0; x = (c, d), n = m + 2",
        defaultSize: 12, testSize: 8, benchmarkSizes: [10, 30, 100], minimumSize: 2
    ) { m in
        let problem = QuadraticProgram(size: m)
        let conditions = try! KKTConditions(problem: problem)
        let x = (0..<m).map { 2 * Inputs.wave($0, 1.9, 0.4) } + [1, 0.3]
        let n = m + 2, unknowns = m + 2 + problem.bounded
        let dx = Directions.tangent(n), zbar = Directions.cotangent(unknowns)
        let solve: @Sendable ([Double]) throws -> (y: [Double], byproduct: KKTLayout) = { x in
            try conditions.check(x: x, point: problem.solve(x))
        }
        let reference: @Sendable (ImplicitLinearization<KKTLayout>) -> Matrix = { lin in
            problem.closedFormJacobian(KKTPoint(lin.solution, layout: lin.byproduct))
        }
        return ExampleProblem(
            input: x, unknowns: unknowns, equations: unknowns, conditions: conditions, solve: solve,
            checks: [
                DerivativeCheck(mode: .jvp, quantity: "∂(y, λ, μ)/∂(c, d) · ẋ = K⁻¹(ċ, ḋ, 0)", reference: .closedForm,
                                tolerance: 1e-10,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jvp(dx) },
                                expected: { lin in reference(lin) * dx }),
                DerivativeCheck(mode: .jvp, quantity: "the same JVP against the whole QP solver",
                                reference: .finiteDifferences,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jvp(dx) },
                                expected: { _ in
                                    SolverFiniteDifferences.jvp({ try! solve($0).y }, at: x, along: dx)
                                }),
                DerivativeCheck(mode: .vjp, quantity: "(∂z/∂x)ᵀ z̄", reference: .closedForm, tolerance: 1e-10,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.vjp(zbar) },
                                expected: { lin in reference(lin).transposedTimes(zbar) }),
                DerivativeCheck(mode: .jacobian, quantity: "K⁻¹ [I 0; 0 I; 0 0], zero rows for inactive μ",
                                reference: .closedForm, tolerance: 1e-10,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jacobian().elements },
                                expected: { lin in reference(lin).elements }),
            ],
            facts: { z, layout in
                let point = KKTPoint(z, layout: layout)
                let q = problem.bounded
                let active = (0..<q).filter { point.inequalityMultipliers[$0] > 0 }
                let slack = (0..<q).filter { !active.contains($0) }.map { point.primal[$0] }.min() ?? .infinity
                let mu = active.map { point.inequalityMultipliers[$0] }.min() ?? .infinity
                return ["active bounds: \(active.count) of \(q); strict complementarity margins: min μ on active = "
                        + "\(shortNumber(mu)), min yᵢ on inactive = \(shortNumber(slack))"]
            })
    }
}
