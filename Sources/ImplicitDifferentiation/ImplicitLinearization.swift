import Krylov
import LinearAlgebra

/// The implicit function linearized at one `x`: solved once, checked once,
/// `A = ∂F/∂y` prepared once (factored, or wrapped as a lazy operator), then
/// any number of JVPs, VJPs and Jacobians.
///
/// By the implicit function theorem, with `A = ∂F/∂y` and `B = ∂F/∂x` at
/// `(x, y(x))`:
///
/// ```
/// JVP  ẏ = −A⁻¹ (B ẋ)         one solve with A, one product with B
/// VJP  x̄ = −Bᵀ (A⁻ᵀ ȳ)        one solve with Aᵀ, one product with Bᵀ
/// Jac  J = −A⁻¹ B             n solves (forward) or m (reverse), fewer wins
/// ```
///
/// With a least-squares solver (`k > m`, or `A` singular but consistent)
/// `A⁻¹` becomes the pseudo-inverse `A⁺` and `A⁻ᵀ` becomes `(A⁺)ᵀ`, so the
/// JVP is the minimum-norm solution and the VJP remains its exact adjoint.
///
/// Everything rests on two primitives over the prepared solver
/// (`PreparedLinearSolve`: a factorization or a Krylov method on `A`):
/// `solveTangent(b) = A⁻¹ b` (with the consistency check of a least-squares
/// solve) and `solveAdjoint(c) = A⁻ᵀ c`; the JVP, the VJP and the Jacobian
/// are those plus one product with `B` or `Bᵀ`.
///
/// Sendable: many tasks may differentiate through one linearization at once.
public final class ImplicitLinearization<Byproduct: Sendable>: Sendable {
    /// The input the linearization was taken at.
    public let x: [Double]
    /// The forward solver's output `y(x)`.
    public let solution: [Double]
    /// The forward solver's byproduct `z`.
    public let byproduct: Byproduct
    /// The representation and solver in use.
    public let plan: SolvePlan
    /// The declared structure of `A` (symmetry checked before Cholesky or CG).
    public let structure: OperatorStructure

    let local: LocalConditions
    /// `A`, prepared once: a factorization or a Krylov method on `A`.
    let solver: any PreparedLinearSolve
    /// `A` when it was materialized (residual checks of least-squares solves).
    let matrix: Matrix?
    /// `solver.isLeastSquares`, read once.
    let isLeastSquares: Bool
    let state: Locked<DerivativeReport>
    /// The most memory ``jacobian()`` may allocate (``ImplicitFunctionOptions/maxMatrixBytes``).
    let maxMatrixBytes: Int

    init(x: [Double], solution: [Double], byproduct: Byproduct, plan: SolvePlan, structure: OperatorStructure,
         local: LocalConditions, solver: any PreparedLinearSolve, matrix: Matrix?, report: DerivativeReport,
         maxMatrixBytes: Int) {
        self.maxMatrixBytes = maxMatrixBytes
        self.structure = structure
        self.x = x
        self.solution = solution
        self.byproduct = byproduct
        self.plan = plan
        self.local = local
        self.solver = solver
        self.matrix = matrix
        self.isLeastSquares = solver.isLeastSquares
        self.state = Locked(report)
    }

    /// A snapshot of what was done so far (plan, residual, factorizations,
    /// solves, Krylov statistics).
    public var report: DerivativeReport {
        var report = state.withLock { $0 }
        let summary = solver.counters
        report.krylovIterations = summary.iterations
        report.operatorApplications = summary.operatorApplications
        report.lastKrylovStatistics = summary.lastStatistics
        return report
    }

    /// What the prepared solver is and has done (kind, condition estimate, rank, Krylov totals).
    public var solverSummary: LinearSolveSummary { solver.summary }

    /// `F(x, y)` at the solution (length `k`).
    public var residual: [Double] { local.value }

    // MARK: - Products

    /// The Jacobian-vector product `ẏ = J ẋ = −A⁻¹(B ẋ)`.
    ///
    /// - Parameter tangent: `ẋ`, length `x.count`, finite.
    /// - Returns: `ẏ`, length `solution.count`; exactly zero for `ẋ = 0`.
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)``,
    ///   ``ImplicitDifferentiationError/nonFiniteInput(_:)``,
    ///   ``ImplicitDifferentiationError/krylovNotConverged(_:direction:)``.
    public func jvp(_ tangent: [Double]) throws(ImplicitDifferentiationError) -> [Double] {
        try local.reportingLengthFaults { () throws(ImplicitDifferentiationError) in try jvpUnreported(tangent) }
    }

    /// ``jvp(_:)`` without the product-length report.
    private func jvpUnreported(_ tangent: [Double]) throws(ImplicitDifferentiationError) -> [Double] {
        try checkVector(tangent, count: local.n, name: "tangent ẋ")
        if tangent.allSatisfy({ $0 == 0 }) { return [Double](repeating: 0, count: local.m) }
        var b = lengthOrNaN(local.b.applied(tangent), local.k)   // a tape longer than F: NaN, refused below
        guard BLAS.isFinite(b) else { throw Self.nonFiniteB }
        BLAS.scal(-1, &b)
        return try solveTangent(b)
    }

    /// `B ẋ`, `Bᵀw` or `B` is not finite: `∂F/∂x` has an infinite entry (e.g.
    /// `√x` at `x = 0`), or a tape sweep met `0·∞` at an infinite entry of
    /// `∂F/∂y`. Thrown by the JVP, the VJP and the Jacobian alike, rather
    /// than a NaN answer.
    static var nonFiniteB: ImplicitDifferentiationError {
        .nonFiniteInput("the conditions' derivatives at this point (∂F/∂x, or ∂F/∂y through 0·∞)")
    }

    /// The vector-Jacobian product `x̄ = Jᵀ ȳ = −Bᵀ(A⁻ᵀ ȳ)`.
    ///
    /// - Parameter cotangent: `ȳ`, length `solution.count`, finite.
    /// - Returns: `x̄`, length `x.count`; exactly zero for `ȳ = 0`.
    /// - Throws: as ``jvp(_:)``, with `direction: .adjoint` for Krylov failures.
    public func vjp(_ cotangent: [Double]) throws(ImplicitDifferentiationError) -> [Double] {
        try local.reportingLengthFaults { () throws(ImplicitDifferentiationError) in try vjpUnreported(cotangent) }
    }

    /// ``vjp(_:)`` without the product-length report.
    private func vjpUnreported(_ cotangent: [Double]) throws(ImplicitDifferentiationError) -> [Double] {
        try checkVector(cotangent, count: local.m, name: "cotangent ȳ")
        if cotangent.allSatisfy({ $0 == 0 }) { return [Double](repeating: 0, count: local.n) }
        try requireTransposedProductMemory()
        let w = try solveAdjoint(cotangent)
        var xbar = [Double](repeating: 0, count: local.n)
        local.b.applyTransposed(w, &xbar)
        guard BLAS.isFinite(xbar) else { throw Self.nonFiniteB }
        BLAS.scal(-1, &xbar)
        return xbar
    }

    /// The full Jacobian `J = −A⁻¹B` (`m × n`), column by column when
    /// `n ≤ m` (forward) and row by row otherwise (reverse).
    ///
    /// On the matrix path the columns (rows) share the one factorization and
    /// are solved as one multi-right-hand-side solve.
    public func jacobian() throws(ImplicitDifferentiationError) -> Matrix {
        try local.reportingLengthFaults { () throws(ImplicitDifferentiationError) in try jacobianUnreported() }
    }

    /// ``jacobian()`` without the product-length report.
    private func jacobianUnreported() throws(ImplicitDifferentiationError) -> Matrix {
        try requireJacobianMemory()
        let m = local.m, n = local.n
        if n <= m {
            let b = local.b.materialize()
            guard b.isFinite else { throw Self.nonFiniteB }
            var j: Matrix
            do { j = try solver.solve(b) } catch { throw Self.failure(error, .tangent) }
            try checkSolution(rows: j.rows, columns: j.columns, expected: (m, n), "solve(_:) of a matrix")
            state.withLock { $0.tangentSolves += n }
            if isLeastSquares {
                for c in 0..<n {
                    let rel = relativeTangentResidual(j.column(c), b.column(c))
                    if !(rel <= consistencyTolerance) { throw .inconsistentLinearization(relativeResidual: rel) }   // NaN fails
                }
            }
            BLAS.scal(-1, &j.elements)
            return j
        } else {
            try requireTransposedProductMemory()
            let w: Matrix
            do { w = try solver.solveTransposed(Matrix.identity(m)) } catch { throw Self.failure(error, .adjoint) }
            try checkSolution(rows: w.rows, columns: w.columns, expected: (local.k, m), "solveTransposed(_:) of a matrix")
            state.withLock { $0.adjointSolves += m }
            var jt = Matrix(rows: n, columns: m)   // Jᵀ, filled column by column
            var out = [Double](repeating: 0, count: n)
            for i in 0..<m {
                local.b.applyTransposed(w.column(i), &out)
                guard BLAS.isFinite(out) else { throw Self.nonFiniteB }
                jt.setColumn(i, to: out)
            }
            return -1 * jt.transposed()
        }
    }

    // MARK: - The two primitives

    /// `v = A⁻¹ b` (or its least-squares form) with the prepared solver.
    ///
    /// A least-squares solve is also checked for consistency: `A v = b` must
    /// hold (relative residual ≤ ``consistencyTolerance``), else the
    /// linearized conditions do not determine `ẏ` and the call throws.
    func solveTangent(_ b: [Double], counted: Bool = true) throws(ImplicitDifferentiationError) -> [Double] {
        if counted { state.withLock { $0.tangentSolves += 1 } }
        let v: [Double]
        do { v = try solver.solve(b) } catch { throw Self.failure(error, .tangent) }
        try checkSolution(rows: v.count, columns: 1, expected: (local.m, 1), "solve(_:)")
        if isLeastSquares {
            let rel = relativeTangentResidual(v, b)
            if !(rel <= consistencyTolerance) { throw .inconsistentLinearization(relativeResidual: rel) }
        }
        return v
    }

    /// `w = A⁻ᵀ c` (or `(A⁺)ᵀ c`) with the prepared solver.
    func solveAdjoint(_ c: [Double]) throws(ImplicitDifferentiationError) -> [Double] {
        state.withLock { $0.adjointSolves += 1 }
        let w: [Double]
        do { w = try solver.solveTransposed(c) } catch { throw Self.failure(error, .adjoint) }
        try checkSolution(rows: w.count, columns: 1, expected: (local.k, 1), "solveTransposed(_:)")
        return w
    }

    /// A prepared solver's answer has the shape of `A⁻¹ b` (`m`) or `A⁻ᵀ c` (`k`) —
    /// a user's ``LinearSolver/custom(_:)`` solver may not — else a typed error
    /// naming the call, instead of a trap in the kernel that would use it.
    func checkSolution(rows: Int, columns: Int, expected: (rows: Int, columns: Int), _ call: String)
        throws(ImplicitDifferentiationError)
    {
        guard rows != expected.rows || columns != expected.columns else { return }
        throw .dimensionMismatch("the prepared solver (\(solver.summary.kind)) returned \(rows) × \(columns) from "
            + "\(call), expected \(expected.rows) × \(expected.columns)")
    }

    /// The implicit layer's error for a failed solve in `direction`: a Krylov
    /// non-convergence keeps its statistics; a singular factor is a singular `∂F/∂y`;
    /// an answer of the wrong shape is a dimension mismatch.
    static func failure(_ error: LinearAlgebraError, _ direction: ImplicitDifferentiationError.SolveDirection)
        -> ImplicitDifferentiationError
    {
        switch error {
        case .notConverged(let statistics): return .krylovNotConverged(statistics, direction: direction)
        case .singular(let pivot): return .singularJacobian(pivot: pivot, reciprocalCondition: nil)
        case .dimensionMismatch(let what): return .dimensionMismatch("the prepared solver: \(what)")
        default: return .linearAlgebra(error)
        }
    }

    /// `‖A v − b‖ / ‖b‖`.
    func relativeTangentResidual(_ v: [Double], _ b: [Double]) -> Double {
        var r = [Double](repeating: 0, count: local.k)
        if let a = matrix { BLAS.gemv(1, a, v, 0, &r) } else { local.a.apply(v, &r) }
        BLAS.axpy(-1, b, &r)
        return BLAS.nrm2(r) / Swift.max(BLAS.nrm2(b), Double.leastNormalMagnitude)
    }

    /// Relative residual of the tangent solve for `b = −B ẋ` with a fixed
    /// pseudo-random `ẋ`: near zero exactly when `range(B) ⊆ range(A)`,
    /// which a least-squares derivative needs (the VJP is only the adjoint of
    /// a meaningful JVP then). Not counted as a tangent solve; 0 for solvers
    /// that never return a least-squares answer. Throws if the solve fails.
    func consistencyProbe() throws(ImplicitDifferentiationError) -> Double {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let dx = (0..<local.n).map { _ -> Double in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) * 0x1p-53 - 0.5
        }
        var b = [Double](repeating: 0, count: local.k)
        local.b.apply(dx, &b)
        BLAS.scal(-1, &b)
        if !isLeastSquares || BLAS.nrm2(b) == 0 { return 0 }
        let v: [Double]
        do { v = try solver.solve(b) } catch { throw Self.failure(error, .tangent) }
        try checkSolution(rows: v.count, columns: 1, expected: (local.m, 1), "solve(_:)")
        return relativeTangentResidual(v, b)
    }

    /// Least-squares tangent solves must satisfy `A v = b` to this relative accuracy.
    var consistencyTolerance: Double { 1e-6 }

    func checkVector(_ v: [Double], count: Int, name: String) throws(ImplicitDifferentiationError) {
        guard v.count == count else {
            throw .dimensionMismatch("\(name) has length \(v.count), expected \(count)")
        }
        if let i = v.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteInput("\(name)[\(i)] = \(v[i])")
        }
    }
}
