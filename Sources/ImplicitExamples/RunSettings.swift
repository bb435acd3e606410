import ImplicitDifferentiation

/// How an example is run: the solver choice, the derivatives, and the
/// Krylov settings — everything the command line can set.
public struct RunSettings: Sendable {
    /// The linear solver (default `.automatic`); a Krylov method's options
    /// and restart are replaced by these settings' (see ``withOptions(_:)``).
    public var linearSolver: LinearSolver
    /// The representation of `A` (default `.automatic`).
    public var representation: Representation
    /// Which derivatives (default `.all`).
    public var mode: DerivativeMode
    /// Relative tolerance `rtol` of every Krylov solve (`atol = 0`); default `1e-12`.
    /// Also applies when the automatic rule picks a Krylov method.
    public var tolerance: Double
    /// Krylov iteration cap (`nil`: the method's default).
    public var maxIterations: Int?
    /// GMRES restart length (default 30).
    public var restart: Int
    /// Record the residual history of every Krylov solve (`--verbose`).
    public var recordHistory: Bool
    /// The memory limit for a materialized `A` (default: the library's, 4 GiB).
    public var maxMatrixBytes: Int
    /// The automatic rule's threshold on `m` (default: the library's).
    public var matrixThreshold: Int
    /// Run the 2-D Bratu example unscaled on the unit square (`D = (N + 1)²`,
    /// condition number ≈ 0.4 (N + 1)²) with IC(0)-preconditioned Krylov
    /// solves, instead of in grid units (`D = 1`); default `false`. Other examples ignore it.
    public var unitSquare: Bool = false

    /// Creates settings; every argument has the documented default.
    ///
    /// - Parameters:
    ///   - linearSolver: the linear solver.
    ///   - representation: the representation.
    ///   - mode: the derivatives.
    ///   - tolerance: Krylov `rtol`, finite and `≥ 0`.
    ///   - maxIterations: `≥ 1` or `nil`.
    ///   - restart: `≥ 1`.
    ///   - recordHistory: keep residual histories.
    ///   - maxMatrixBytes: `> 0`.
    ///   - matrixThreshold: `≥ 0`.
    public init(linearSolver: LinearSolver = .automatic, representation: Representation = .automatic,
                mode: DerivativeMode = .all, tolerance: Double = 1e-12, maxIterations: Int? = nil,
                restart: Int = 30, recordHistory: Bool = false,
                maxMatrixBytes: Int = ImplicitFunctionOptions().maxMatrixBytes,
                matrixThreshold: Int = ImplicitFunctionOptions().matrixThreshold) {
        self.linearSolver = linearSolver
        self.representation = representation
        self.mode = mode
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.restart = restart
        self.recordHistory = recordHistory
        self.maxMatrixBytes = maxMatrixBytes
        self.matrixThreshold = matrixThreshold
    }

    /// The Krylov options these settings describe.
    ///
    /// - Throws: `ImplicitDifferentiationError.invalidOption` for a
    ///   negative or non-finite tolerance or an iteration cap below 1.
    public func krylovOptions() throws(ImplicitDifferentiationError) -> KrylovOptions {
        do {
            return try KrylovOptions(absoluteTolerance: 0, relativeTolerance: tolerance,
                                     maxIterations: maxIterations, recordHistory: recordHistory)
        } catch {
            throw .invalidOption(error.description)
        }
    }

    /// The same Krylov method as `solver` with these settings' tolerance,
    /// iteration cap, history and GMRES restart (direct solvers, custom
    /// methods and `.automatic` are returned unchanged).
    ///
    /// - Throws: `ImplicitDifferentiationError.invalidOption` for a restart
    ///   below 1 or invalid Krylov settings (see ``krylovOptions()``).
    public func withOptions(_ solver: LinearSolver) throws(ImplicitDifferentiationError) -> LinearSolver {
        switch solver {
        case .gmres:
            guard restart >= 1 else { throw .invalidOption("restart is \(restart); it must be ≥ 1") }
            return .gmres(restart: restart, options: try krylovOptions())
        case .bicgstab: return .bicgstab(options: try krylovOptions())
        case .cg: return .cg(options: try krylovOptions())
        case .lsmr: return .lsmr(options: try krylovOptions())
        default: return solver
        }
    }
}
