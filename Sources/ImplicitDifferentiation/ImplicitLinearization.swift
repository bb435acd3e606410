import Krylov
import LinearAlgebra

/// How an ``ImplicitLinearization`` solves with `A`: a dense factorization
/// (with `A` kept for residual checks), or a Krylov method on `A` as an
/// operator (materialized or lazy).
enum LinearizationEngine: Sendable {
    case dense(DenseFactorization, matrix: Matrix)
    case krylov(any KrylovSolver, matrix: Matrix?)

    /// `true` when solves return least-squares / minimum-norm answers.
    var isLeastSquares: Bool {
        switch self {
        case .dense(let f, _):
            switch f {
            case .qr, .svd: return true
            default: return false
            }
        case .krylov(let method, _):
            return method is LSMR
        }
    }
}

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
    let engine: Engine
    /// `isLeastSquares`, computed once.
    let isLeastSquares: Bool
    let state: Locked<DerivativeReport>
    /// Krylov work storage parked between solves (one per concurrent solve),
    /// so repeated products (a Jacobian, many VJPs) reuse the basis and work
    /// vectors instead of allocating and zeroing them per solve; `nil` on the
    /// dense path, which never uses it.
    let workspaces: Locked<[KrylovWorkspace]>?
    /// The most memory ``jacobian()`` may allocate (``ImplicitFunctionOptions/maxMatrixBytes``).
    let maxMatrixBytes: Int

    /// How `A` is prepared (not generic: no metadata lookup per linearization).
    typealias Engine = LinearizationEngine

    init(x: [Double], solution: [Double], byproduct: Byproduct, plan: SolvePlan, structure: OperatorStructure,
         local: LocalConditions, engine: Engine, report: DerivativeReport, maxMatrixBytes: Int = 4 << 30) {
        self.maxMatrixBytes = maxMatrixBytes
        self.structure = structure
        self.x = x
        self.solution = solution
        self.byproduct = byproduct
        self.plan = plan
        self.local = local
        self.engine = engine
        self.isLeastSquares = engine.isLeastSquares
        self.state = Locked(report)
        if case .krylov = engine { workspaces = Locked([]) } else { workspaces = nil }
    }

    /// A snapshot of what was done so far (plan, residual, factorizations,
    /// solves, Krylov statistics).
    public var report: DerivativeReport { state.withLock { $0 } }

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
        try checkVector(tangent, count: local.n, name: "tangent ẋ")
        if tangent.allSatisfy({ $0 == 0 }) { return [Double](repeating: 0, count: local.m) }
        var b = lengthOrNaN(local.tangentX(tangent), local.k)   // a tape longer than F: NaN, refused below
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
        try checkVector(cotangent, count: local.m, name: "cotangent ȳ")
        if cotangent.allSatisfy({ $0 == 0 }) { return [Double](repeating: 0, count: local.n) }
        let w = try solveAdjoint(cotangent)
        var xbar = [Double](repeating: 0, count: local.n)
        local.adjointX(w, &xbar)
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
        try requireJacobianMemory()
        let m = local.m, n = local.n
        if n <= m {
            let b = local.matrixX()
            guard b.isFinite else { throw Self.nonFiniteB }
            var j: Matrix
            switch engine {
            case .dense(let f, let a):
                do { j = try f.solve(b) } catch { throw .linearAlgebra(error) }
                state.withLock { $0.tangentSolves += n }
                if isLeastSquares {
                    var r = b
                    BLAS.gemm(1, a, j, -1, &r)
                    let rel = r.frobeniusNorm / Swift.max(b.frobeniusNorm, Double.leastNormalMagnitude)
                    if !(rel <= consistencyTolerance) { throw .inconsistentLinearization(relativeResidual: rel) }
                }
            case .krylov:
                j = Matrix(rows: m, columns: n)
                for c in 0..<n { j.setColumn(c, to: try solveTangent(b.column(c))) }
            }
            BLAS.scal(-1, &j.elements)   // in place: `-1 * j` allocated and mapped a second m × n array
            return j
        } else {
            var jt = Matrix(rows: n, columns: m)   // Jᵀ, filled column by column
            switch engine {
            case .dense(let f, _):
                let w: Matrix
                do { w = try f.solveTransposed(Matrix.identity(m)) } catch { throw .linearAlgebra(error) }
                state.withLock { $0.adjointSolves += m }
                var out = [Double](repeating: 0, count: n)
                for i in 0..<m {
                    local.adjointX(w.column(i), &out)
                    guard BLAS.isFinite(out) else { throw Self.nonFiniteB }
                    jt.setColumn(i, to: out)
                }
            case .krylov:
                var e = [Double](repeating: 0, count: m)
                var out = [Double](repeating: 0, count: n)
                for i in 0..<m {
                    e[i] = 1
                    local.adjointX(try solveAdjoint(e), &out)
                    guard BLAS.isFinite(out) else { throw Self.nonFiniteB }
                    jt.setColumn(i, to: out)
                    e[i] = 0
                }
            }
            return -1 * jt.transposed()
        }
    }

    // MARK: - Solves

    /// Solves `A v = b` (or its least-squares form) with the prepared solver.
    ///
    /// A least-squares solve is also checked for consistency: `A v = b` must
    /// hold (relative residual ≤ ``consistencyTolerance``), else the
    /// linearized conditions do not determine `ẏ` and the call throws.
    func solveTangent(_ b: [Double], counted: Bool = true) throws(ImplicitDifferentiationError) -> [Double] {
        let v: [Double]
        switch engine {
        case .dense(let f, _):
            if counted { state.withLock { $0.tangentSolves += 1 } }
            do { v = try f.solve(b) } catch { throw .linearAlgebra(error) }
        case .krylov(let method, let matrix):
            v = try accept(krylovSolve(method, matrix, b, transposed: false), direction: .tangent, counted: counted)
        }
        if isLeastSquares {
            let rel = relativeTangentResidual(v, b)
            if !(rel <= consistencyTolerance) { throw .inconsistentLinearization(relativeResidual: rel) }
        }
        return v
    }

    /// `‖A v − b‖ / ‖b‖`.
    func relativeTangentResidual(_ v: [Double], _ b: [Double]) -> Double {
        var r = [Double](repeating: 0, count: local.k)
        switch engine {
        case .dense(_, let a): BLAS.gemv(1, a, v, 0, &r)
        case .krylov(_, let matrix):
            if let a = matrix { BLAS.gemv(1, a, v, 0, &r) } else { local.productY(v, &r) }
        }
        BLAS.axpy(-1, b, &r)
        return BLAS.nrm2(r) / Swift.max(BLAS.nrm2(b), Double.leastNormalMagnitude)
    }

    /// Relative residual of the tangent solve for `b = −B ẋ` with a fixed
    /// pseudo-random `ẋ`: near zero exactly when `range(B) ⊆ range(A)`,
    /// which a least-squares derivative needs (the VJP is only the adjoint of
    /// a meaningful JVP then). Not counted in the report. On the Krylov path
    /// it runs one LSMR solve (0 for the square methods, which never return a
    /// least-squares answer), and throws if that solve does not converge.
    func consistencyProbe() throws(ImplicitDifferentiationError) -> Double {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let dx = (0..<local.n).map { _ -> Double in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) * 0x1p-53 - 0.5
        }
        var b = [Double](repeating: 0, count: local.k)
        local.productX(dx, &b)
        BLAS.scal(-1, &b)
        if BLAS.nrm2(b) == 0 { return 0 }
        let v: [Double]
        switch engine {
        case .dense(let f, _):
            do { v = try f.solve(b) } catch { throw .linearAlgebra(error) }
        case .krylov(let method, let matrix):
            guard isLeastSquares else { return 0 }
            let result = krylovSolve(method, matrix, b, transposed: false)
            switch result.statistics.status {
            case .converged, .zeroRightHandSide: v = result.solution
            default: throw .krylovNotConverged(result.statistics, direction: .tangent)
            }
        }
        return relativeTangentResidual(v, b)
    }

    /// Least-squares tangent solves must satisfy `A v = b` to this relative accuracy.
    var consistencyTolerance: Double { 1e-6 }

    /// Solves `Aᵀ w = c` (or its least-squares form) with the prepared solver.
    func solveAdjoint(_ c: [Double]) throws(ImplicitDifferentiationError) -> [Double] {
        switch engine {
        case .dense(let f, _):
            state.withLock { $0.adjointSolves += 1 }
            do { return try f.solveTransposed(c) } catch { throw .linearAlgebra(error) }
        case .krylov(let method, let matrix):
            return try accept(krylovSolve(method, matrix, c, transposed: true), direction: .adjoint)
        }
    }

    /// One Krylov solve with `A` (or `Aᵀ`) as an operator on a parked
    /// workspace, with the right-hand side scaled to unit norm (``unitScaled(_:_:)``).
    func krylovSolve(_ method: any KrylovSolver, _ matrix: Matrix?, _ b: [Double], transposed: Bool) -> KrylovResult {
        let op = lazyOperator(matrix)
        return withWorkspace { ws in
            unitScaled(b) { rhs in
                transposed
                    ? method.solveTransposed(op, rhs, initialGuess: nil, preconditioner: nil, workspace: &ws)
                    : method.solve(op, rhs, initialGuess: nil, preconditioner: nil, workspace: &ws)
            }
        }
    }

    /// Runs `body` with a parked Krylov workspace (or a new one), parking it again afterwards.
    func withWorkspace<R>(_ body: (inout KrylovWorkspace) -> R) -> R {
        guard let workspaces else {   // not reached: only the Krylov engine solves with a workspace
            var ws = KrylovWorkspace()
            return body(&ws)
        }
        var ws = workspaces.withLock { $0.popLast() } ?? KrylovWorkspace()
        defer { workspaces.withLock { $0.append(ws) } }
        return body(&ws)
    }

    /// Runs a Krylov solve on `b · 2⁻ᵉ`, where `2ᵉ ≤ ‖b‖ < 2ᵉ⁺¹`, and scales
    /// the solution and the reported residuals back by `2ᵉ` (exact: a power
    /// of two).
    ///
    /// Derivatives are then homogeneous in the direction at every scale, and
    /// the solver's tolerances act on the relative residual `‖r‖ / ‖b‖`.
    /// Without it the absolute tolerance accepts `x = 0` for a tiny `b` (a
    /// JVP of exactly 0 for `ẋ ~ 1e-150`), and a huge `b` overflows the inner
    /// products of BiCGStab and CG (`‖b‖² > 1.8e308` reads as non-finite).
    func unitScaled(_ b: [Double], _ solve: ([Double]) -> KrylovResult) -> KrylovResult {
        let norm = BLAS.nrm2(b)
        guard norm > 0, norm.isFinite, norm.exponent != 0 else { return solve(b) }
        let e = Int(norm.exponent)
        // Double(sign:exponent:significand:) is scalbn: exact, and correct into the subnormals.
        func scaled(_ x: Double, _ k: Int) -> Double { Double(sign: .plus, exponent: k, significand: x) }
        var result = solve(b.map { scaled($0, -e) })
        for i in result.solution.indices { result.solution[i] = scaled(result.solution[i], e) }
        var stats = result.statistics
        stats.initialResidualNorm = scaled(stats.initialResidualNorm, e)
        stats.residualNorm = scaled(stats.residualNorm, e)
        stats.normalEquationsResidualNorm = stats.normalEquationsResidualNorm.map { scaled($0, e) }
        stats.history = stats.history?.map { scaled($0, e) }
        result.statistics = stats
        return result
    }

    /// `A` as a linear operator: BLAS products on a materialized matrix,
    /// otherwise the conditions' tape sweeps.
    func lazyOperator(_ matrix: Matrix?) -> ClosureOperator {
        if let a = matrix {
            return ClosureOperator(
                rows: a.rows, columns: a.columns, structure: structure,
                apply: { v, out in BLAS.gemv(1, a, v, 0, &out) },
                applyTransposed: { u, out in BLAS.gemv(transpose: true, 1, a, u, 0, &out) })
        }
        return ClosureOperator(rows: local.k, columns: local.m, structure: structure,
                               apply: local.productY, applyTransposed: local.adjointY)
    }

    /// Records a Krylov solve and throws unless it converged.
    func accept(_ result: KrylovResult, direction: ImplicitDifferentiationError.SolveDirection, counted: Bool = true)
        throws(ImplicitDifferentiationError) -> [Double]
    {
        let stats = result.statistics
        state.withLock {
            if counted {
                if direction == .tangent { $0.tangentSolves += 1 } else { $0.adjointSolves += 1 }
            }
            $0.krylovIterations += stats.iterations
            $0.operatorApplications += stats.operatorApplications
            $0.lastKrylovStatistics = stats
        }
        switch stats.status {
        case .converged, .zeroRightHandSide:
            return result.solution
        default:
            throw .krylovNotConverged(stats, direction: direction)
        }
    }

    func checkVector(_ v: [Double], count: Int, name: String) throws(ImplicitDifferentiationError) {
        guard v.count == count else {
            throw .dimensionMismatch("\(name) has length \(v.count), expected \(count)")
        }
        if let i = v.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteInput("\(name)[\(i)] = \(v[i])")
        }
    }
}
