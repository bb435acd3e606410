import LinearAlgebra

/// A Krylov method set up on an operator: the `PreparedLinearSolve` of
/// GMRES, BiCGStab, CG and LSMR.
///
/// It owns everything a solve needs besides the right-hand side:
///
/// ```
/// operator A          products A v and Aᵀ u (transposed solves need Aᵀ)
/// method              GMRES / BiCGStab / CG / LSMR with its options
/// preconditioner M⁻¹  applied as M⁻ᵀ in transposed solves
/// initial guess       x₀ per solve (e.g. the previous solution: warm start)
/// workspaces          parked between solves, one per concurrent solve
/// ```
///
/// Every right-hand side is scaled to unit norm by a power of two (exact)
/// before the method runs, and the solution scaled back, so the method's
/// tolerances bound the *relative* residual:
///
/// ```
/// converged  ⇔  ‖b − A x‖ ≤ (atol + rtol)·‖b‖
/// ```
///
/// Solutions are then homogeneous in `b` at every scale (no `x = 0` accepted
/// for a tiny `b`, no overflow in the inner products for a huge one).
/// A solve that does not converge throws
/// `LinearAlgebraError/notConverged(_:)` with the statistics, `‖b‖`
/// included, so the message states `‖r‖ / ‖b‖`.
///
/// Thread safety: any number of solves may run at once; each takes its own workspace.
public final class KrylovLinearSolve: PreparedLinearSolve {
    /// The operator `A`.
    public let linearOperator: any LinearOperator & Sendable
    /// The Krylov method and its options.
    public let method: any KrylovSolver
    /// The preconditioner `M⁻¹` of `A`, or `nil`.
    public let preconditioner: (any Preconditioner & Sendable)?
    /// Where each solve starts.
    public let initialGuess: KrylovInitialGuess
    let workspaces = Locked<[KrylovWorkspace]>([])
    let totals = Locked<(iterations: Int, applications: Int, last: KrylovStatistics?)>((0, 0, nil))

    /// Sets up `method` on `linearOperator`.
    ///
    /// - Parameters:
    ///   - linearOperator: `A` (`rows × columns`); square except for LSMR.
    ///   - method: the Krylov method (its options hold the tolerances).
    ///   - preconditioner: `M⁻¹ ≈ A⁻¹`, or `nil`.
    ///   - initialGuess: where solves start (default: `x₀ = 0`).
    public init(_ linearOperator: any LinearOperator & Sendable, method: any KrylovSolver,
                preconditioner: (any Preconditioner & Sendable)? = nil, initialGuess: KrylovInitialGuess = .zero) {
        self.linearOperator = linearOperator
        self.method = method
        self.preconditioner = preconditioner
        self.initialGuess = initialGuess
    }

    /// The rows of `A`.
    public var rows: Int { linearOperator.rows }
    /// The columns of `A`.
    public var columns: Int { linearOperator.columns }
    /// `true` for LSMR.
    public var isLeastSquares: Bool { method is LSMR }

    /// The method's name, iterations and applications summed over every solve, the last solve's statistics.
    public var summary: LinearSolveSummary {
        let t = totals.withLock { $0 }
        let name = t.last?.method ?? "\(type(of: method))"
        return LinearSolveSummary(kind: preconditioner == nil ? name : name + " (preconditioned)",
                                  iterations: t.iterations, operatorApplications: t.applications,
                                  lastStatistics: t.last)
    }

    /// `A x = b` by the method.
    ///
    /// - Throws: `LinearAlgebraError/notConverged(_:)` unless it converged.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        try accept(run(b, transposed: false))
    }

    /// `Aᵀ w = c` by the method on `Aᵀ`, preconditioned by `M⁻ᵀ`.
    ///
    /// - Throws: `LinearAlgebraError/notConverged(_:)` unless it converged.
    public func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] {
        try accept(run(c, transposed: true))
    }

    /// One solve, converged or not, with its statistics (counted in ``summary``).
    ///
    /// - Parameters:
    ///   - b: the right-hand side (length ``rows``, or ``columns`` when transposed).
    ///   - transposed: solve with `Aᵀ`.
    /// - Returns: the iterate and its statistics, `‖b‖` recorded.
    public func run(_ b: [Double], transposed: Bool) -> KrylovResult {
        let x0 = initialGuess.guess?(transposed, b)
        let guess = x0.flatMap { $0.count == (transposed ? rows : columns) ? $0 : nil }
        var ws = workspaces.withLock { $0.popLast() } ?? KrylovWorkspace()
        defer { workspaces.withLock { $0.append(ws) } }
        var result = unitScaledSolve(b, guess, options: method.options, scaleAbsoluteTolerance: false) { rhs, x0, _ in
            iterate(rhs, x0, transposed: transposed, workspace: &ws)
        } ?? iterate(b, guess, transposed: transposed, workspace: &ws)
        result.statistics.rightHandSideNorm = norm2(b)
        let stats = result.statistics
        totals.withLock {
            $0.iterations += stats.iterations
            $0.applications += stats.operatorApplications
            $0.last = stats
        }
        if stats.status.isSuccess { initialGuess.record?(transposed, result.solution) }
        return result
    }

    /// The method on `A` (or `Aᵀ` with `M⁻ᵀ`) for one right-hand side, unscaled.
    func iterate(_ b: [Double], _ x0: [Double]?, transposed: Bool, workspace: inout KrylovWorkspace) -> KrylovResult {
        transposed
            ? method.solveTransposed(linearOperator, b, initialGuess: x0, preconditioner: preconditioner,
                                     workspace: &workspace)
            : method.solve(linearOperator, b, initialGuess: x0, preconditioner: preconditioner, workspace: &workspace)
    }

    func accept(_ result: KrylovResult) throws(LinearAlgebraError) -> [Double] {
        guard result.statistics.status.isSuccess else { throw .notConverged(result.statistics) }
        return result.solution
    }
}

/// Where each Krylov solve of a ``KrylovLinearSolve`` starts.
///
/// ```swift
/// .zero                         x₀ = 0 (the default)
/// .warmStart()                  x₀ = the previous converged solution of the same
///                               direction (plain or transposed) and length
/// .custom { transposed, b in … } any guess, or nil for x₀ = 0
/// ```
///
/// A warm start keeps one store shared by every copy of the value, so an
/// implicit function differentiated at nearby inputs starts each adjoint
/// solve from the previous call's adjoint solution.
public struct KrylovInitialGuess: Sendable {
    /// Returns `x₀` for a right-hand side (`transposed` for solves with `Aᵀ`), or `nil`.
    let guess: (@Sendable (_ transposed: Bool, _ b: [Double]) -> [Double]?)?
    /// Told each converged solution.
    let record: (@Sendable (_ transposed: Bool, _ solution: [Double]) -> Void)?

    /// `x₀ = 0` for every solve.
    public static var zero: KrylovInitialGuess { KrylovInitialGuess(guess: nil, record: nil) }

    /// Starts each solve from the previous converged solution of the same
    /// direction (when its length fits), kept in a store this value owns.
    ///
    /// - Returns: a fresh warm start (no previous solution yet).
    public static func warmStart() -> KrylovInitialGuess {
        let store = Locked<(plain: [Double]?, transposed: [Double]?)>((nil, nil))
        return KrylovInitialGuess(
            guess: { transposed, _ in store.withLock { transposed ? $0.transposed : $0.plain } },
            record: { transposed, x in store.withLock { if transposed { $0.transposed = x } else { $0.plain = x } } })
    }

    /// A guess computed per solve.
    ///
    /// - Parameter guess: `(transposed, b) ↦ x₀`, or `nil` for `x₀ = 0`; a
    ///   guess of the wrong length is ignored.
    /// - Returns: the initial-guess rule.
    public static func custom(_ guess: @escaping @Sendable (_ transposed: Bool, _ b: [Double]) -> [Double]?)
        -> KrylovInitialGuess
    {
        KrylovInitialGuess(guess: guess, record: nil)
    }
}
