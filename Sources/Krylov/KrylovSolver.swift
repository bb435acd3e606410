import LinearAlgebra

/// The solution of a Krylov solve and how it was reached.
///
/// A solution is returned in every case, converged or not; check
/// ``statistics`` (or call ``requireConverged()``) before trusting it.
public struct KrylovResult: Sendable {
    /// The returned iterate `x`, length `columns` of the operator.
    public var solution: [Double]
    /// Status, iterations, operator applications and residuals.
    public var statistics: KrylovStatistics

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - solution: the iterate.
    ///   - statistics: how it was reached.
    public init(solution: [Double], statistics: KrylovStatistics) {
        self.solution = solution
        self.statistics = statistics
    }

    /// The solution if the solve succeeded.
    ///
    /// - Returns: ``solution``.
    /// - Throws: ``KrylovError/notConverged(_:)`` unless the status is
    ///   converged or zero right-hand side.
    public func requireConverged() throws(KrylovError) -> [Double] {
        try statistics.requireConverged()
        return solution
    }
}

/// An iterative solver of `A x = b` that only needs products with `A`
/// (and, for some methods, `Aᵀ`).
///
/// Every conforming method shares these semantics:
///
/// ```
/// stop when ‖b − A x‖ ≤ atol + rtol·‖b‖            (options)
/// b = 0             → x = 0, .zeroRightHandSide, 0 iterations, 0 applications
/// NaN/±∞ in b or x₀ → x = 0, .nonFiniteInput at once
/// otherwise         → the method's best iterate and its status
/// ```
///
/// The returned solution has length `op.columns`. A `b` whose length is not
/// `op.rows`, or an initial guess whose length is not `op.columns`, is a
/// programmer error (`precondition`). All work vectors are taken before the
/// iteration loop, which allocates nothing; pass a ``KrylovWorkspace`` to
/// ``solve(_:_:initialGuess:preconditioner:workspace:)`` to reuse them across solves.
public protocol KrylovSolver: Sendable {
    /// Tolerances, iteration cap and history flag.
    var options: KrylovOptions { get }

    /// Solves `A x = b` with work vectors taken from, and returned to, `workspace`.
    ///
    /// Same semantics as ``solve(_:_:initialGuess:preconditioner:)``; repeated
    /// solves of one size through one workspace reuse its storage (see
    /// ``KrylovWorkspace``). The only requirement: `solve(_:_:initialGuess:preconditioner:)`
    /// calls it with a fresh workspace.
    ///
    /// - Parameters:
    ///   - op: the operator `A` (`m × n`).
    ///   - b: the right-hand side, length `m`.
    ///   - initialGuess: `x₀` of length `n`, or `nil` for `x₀ = 0`.
    ///   - preconditioner: `M⁻¹`, or `nil`.
    ///   - workspace: storage shared between solves, held exclusively during this one.
    /// - Returns: the iterate and its statistics.
    func solve<Op: LinearOperator>(_ op: Op, _ b: [Double], initialGuess: [Double]?,
                                   preconditioner: (any Preconditioner)?,
                                   workspace: inout KrylovWorkspace) -> KrylovResult
}

extension KrylovSolver {
    /// Solves `A x = b` with fresh work vectors.
    ///
    /// - Parameters:
    ///   - op: the operator `A` (`m × n`; square except for LSMR).
    ///   - b: the right-hand side, length `m`.
    ///   - initialGuess: `x₀` of length `n` (warm start), or `nil` for `x₀ = 0`.
    ///   - preconditioner: `M⁻¹`, or `nil` for none.
    /// - Returns: the iterate and its statistics; never throws (see
    ///   ``KrylovResult/requireConverged()``).
    public func solve<Op: LinearOperator>(_ op: Op, _ b: [Double], initialGuess: [Double]?,
                                          preconditioner: (any Preconditioner)?) -> KrylovResult {
        var workspace = KrylovWorkspace()
        return solve(op, b, initialGuess: initialGuess, preconditioner: preconditioner, workspace: &workspace)
    }

    /// Solves `A x = b` from `x₀ = 0` without a preconditioner.
    ///
    /// - Parameters:
    ///   - op: the operator `A`.
    ///   - b: length `op.rows`.
    /// - Returns: the iterate and its statistics.
    public func solve<Op: LinearOperator>(_ op: Op, _ b: [Double]) -> KrylovResult {
        solve(op, b, initialGuess: nil, preconditioner: nil)
    }

    /// Solves the transposed system `Aᵀ x = c`, the adjoint solve of reverse mode.
    ///
    /// ```
    /// Aᵀ x = c     solved as TransposedOperator(A), preconditioned by M⁻ᵀ
    /// ```
    ///
    /// The preconditioner enters transposed (its ``Preconditioner/applyTransposed(_:into:)``),
    /// which is the correct preconditioner for `Aᵀ` when `M ≈ A`; it is never dropped.
    ///
    /// - Parameters:
    ///   - op: the operator `A` (`m × n`); `op.supportsTranspose` must be `true`.
    ///   - c: the right-hand side, length `n`.
    ///   - initialGuess: length `m`, or `nil`.
    ///   - preconditioner: the preconditioner of `A` (`M⁻¹`), or `nil`.
    /// - Returns: the iterate (length `m`) and its statistics.
    public func solveTransposed<Op: LinearOperator>(_ op: Op, _ c: [Double], initialGuess: [Double]? = nil,
                                                    preconditioner: (any Preconditioner)? = nil) -> KrylovResult {
        var workspace = KrylovWorkspace()
        return solveTransposed(op, c, initialGuess: initialGuess, preconditioner: preconditioner,
                               workspace: &workspace)
    }

    /// ``solveTransposed(_:_:initialGuess:preconditioner:)`` with work vectors
    /// from `workspace` (see ``KrylovWorkspace``).
    ///
    /// - Parameters:
    ///   - op: the operator `A` (`m × n`); `op.supportsTranspose` must be `true`.
    ///   - c: the right-hand side, length `n`.
    ///   - initialGuess: length `m`, or `nil`.
    ///   - preconditioner: the preconditioner of `A` (`M⁻¹`), applied as `M⁻ᵀ`, or `nil`.
    ///   - workspace: storage shared between solves.
    /// - Returns: the iterate (length `m`) and its statistics.
    public func solveTransposed<Op: LinearOperator>(_ op: Op, _ c: [Double], initialGuess: [Double]? = nil,
                                                    preconditioner: (any Preconditioner)? = nil,
                                                    workspace: inout KrylovWorkspace) -> KrylovResult {
        precondition(op.supportsTranspose, "solveTransposed: \(type(of: op)) does not support applyTransposed(_:into:)")
        return solve(TransposedOperator(op), c, initialGuess: initialGuess,
                     preconditioner: preconditioner.map { TransposedPreconditioner(base: $0) },
                     workspace: &workspace)
    }
}

// MARK: - Shared internals

/// Counters and history shared by the four methods.
struct SolveLog {
    let method: String
    var iterations = 0
    var applications = 0
    var initialResidualNorm = 0.0
    var history: [Double]?

    init(method: String, options: KrylovOptions, cap: Int) {
        self.method = method
        if options.recordHistory {
            history = []
            history!.reserveCapacity(Swift.min(cap, 100_000) + 1)
        }
    }

    /// Appends one residual norm to the history when it is recorded.
    @inline(__always)
    mutating func record(_ norm: Double) { history?.append(norm) }

    func result(_ status: KrylovStatus, solution: [Double], residual: Double,
                normalResidual: Double? = nil) -> KrylovResult {
        KrylovResult(solution: solution, statistics: KrylovStatistics(
            method: method, status: status, iterations: iterations, operatorApplications: applications,
            initialResidualNorm: initialResidualNorm, residualNorm: residual,
            normalEquationsResidualNorm: normalResidual, history: history))
    }
}

/// Checks lengths (programmer errors) and returns the immediate result for
/// non-finite input or `b = 0`; `nil` means "iterate".
@inline(never)
func immediateResult<Op: LinearOperator>(method: String, _ op: Op, _ b: [Double],
                                         _ initialGuess: [Double]?, options: KrylovOptions) -> KrylovResult? {
    precondition(b.count == op.rows, "\(method): b has length \(b.count) but the operator has \(op.rows) rows")
    if let x0 = initialGuess {
        precondition(x0.count == op.columns,
                     "\(method): initial guess has length \(x0.count) but the operator has \(op.columns) columns")
    }
    let history: [Double]? = options.recordHistory ? [] : nil
    if !BLAS.isFinite(b) || !(initialGuess.map(BLAS.isFinite) ?? true) {
        return KrylovResult(solution: [Double](repeating: 0, count: op.columns), statistics: KrylovStatistics(
            method: method, status: .nonFiniteInput, iterations: 0, operatorApplications: 0,
            initialResidualNorm: .nan, residualNorm: .nan, history: history))
    }
    if norm2(b) == 0 {
        return KrylovResult(solution: [Double](repeating: 0, count: op.columns), statistics: KrylovStatistics(
            method: method, status: .zeroRightHandSide, iterations: 0, operatorApplications: 0,
            initialResidualNorm: 0, residualNorm: 0, history: history.map { _ in [0] }))
    }
    return nil
}

/// `r ← b − A x`, returning `‖r‖`; one operator application.
@inline(__always)
func computeResidual<Op: LinearOperator>(_ op: Op, _ b: [Double], _ x: [Double], into r: inout [Double],
                                         log: inout SolveLog) -> Double {
    op.apply(x, into: &r)
    log.applications += 1
    BLAS.axpby(1, b, -1, &r)
    return norm2(r)
}

/// Solves `A x = b` as `A x' = b'` with `b' = b·2⁻ᵉ` and `x₀' = x₀·2⁻ᵉ`,
/// where `2ᵉ ≤ ‖b‖ < 2ᵉ⁺¹`, then scales `x` and the reported residuals back
/// by `2ᵉ`; `nil` when `e = 0` (or `b` is zero or not finite), meaning "solve
/// as given". The one unit scaling of right-hand sides in the package.
///
/// Power-of-two scaling is exact, so the iteration is the same up to that
/// factor; what changes is that the squared quantities of BiCGStab and CG
/// (`‖r‖²`, `pᵀA p`, `tᵀt`) are of order `‖A‖²` instead of `‖A‖²‖b‖²`, which
/// overflowed to "non-finite input" or underflowed to "breakdown" /
/// "indefinite" for `‖A‖·‖b‖` beyond about `1e±154`.
///
/// - Parameters:
///   - scaleAbsoluteTolerance: `true` (the methods' own use) scales `atol`
///     with `b`, so the stopping test is unchanged; `false`
///     (``KrylovLinearSolve``) keeps `atol` as given, so it bounds `‖r‖ / ‖b‖`.
func unitScaledSolve(_ b: [Double], _ initialGuess: [Double]?, options: KrylovOptions,
                     scaleAbsoluteTolerance: Bool = true,
                     _ solve: (_ b: [Double], _ x0: [Double]?, _ options: KrylovOptions) -> KrylovResult)
    -> KrylovResult?
{
    let norm = norm2(b)
    guard norm > 0, norm.isFinite, norm.exponent != 0 else { return nil }
    let e = Int(norm.exponent)
    // Double(sign:exponent:significand:) is scalbn: exact, and correct into the subnormals.
    func scaled(_ x: Double, _ k: Int) -> Double { Double(sign: .plus, exponent: k, significand: x) }
    var o = options
    if scaleAbsoluteTolerance {
        let atol = Swift.min(scaled(options.absoluteTolerance, -e), Double.greatestFiniteMagnitude)
        guard let scaledOptions = try? KrylovOptions(
            absoluteTolerance: atol, relativeTolerance: options.relativeTolerance,
            maxIterations: options.maxIterations, recordHistory: options.recordHistory)
        else { return nil }
        o = scaledOptions
    }
    var result = solve(b.map { scaled($0, -e) }, initialGuess.map { $0.map { scaled($0, -e) } }, o)
    for i in result.solution.indices { result.solution[i] = scaled(result.solution[i], e) }
    result.statistics.initialResidualNorm = scaled(result.statistics.initialResidualNorm, e)
    result.statistics.residualNorm = scaled(result.statistics.residualNorm, e)
    result.statistics.normalEquationsResidualNorm = result.statistics.normalEquationsResidualNorm.map { scaled($0, e) }
    result.statistics.history = result.statistics.history?.map { scaled($0, e) }
    return result
}
