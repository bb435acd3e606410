import CPETSc

/// PETSc's Newton–Krylov solver (`SNES`) on a ``StructuredGrid``, for
/// `F(u) = 0` given by its residual only: with the grid attached and no
/// Jacobian routine set, PETSc builds the Jacobian by finite differences
/// coloured with the grid's stencil (`SNESComputeJacobianDefaultColor`);
/// `-snes_mf` switches to matrix-free Newton–Krylov.
///
/// Options under ``optionsPrefix`` (`-snes_rtol`, `-snes_monitor`,
/// `-ksp_type`, `-pc_type`, …) are read at construction.
public final class NonlinearSolve {
    /// `f ← F(u)` on global vectors of the grid (borrowed: do not keep them).
    public typealias Residual = (_ u: DistributedVector, _ f: DistributedVector) throws -> Void

    /// The PETSc handle.
    public let handle: SNES
    /// The grid the unknowns live on.
    public let grid: StructuredGrid
    let box: ResidualContext
    let residualVector: DistributedVector
    /// Newton iterations of the most recent solve.
    public private(set) var iterations = 0
    /// Linear (KSP) iterations of the most recent solve.
    public private(set) var linearIterations = 0

    /// Prepares a SNES for `F`.
    ///
    /// - Parameters:
    ///   - grid: the grid (the coloring's stencil and the vectors' layout).
    ///   - optionsPrefix: prefix of this solver's options (`""` for plain `-snes_…`).
    ///   - relativeTolerance: default `-snes_rtol` (PETSc's own when `nil`).
    ///   - absoluteTolerance: default `-snes_atol` (PETSc's own when `nil`).
    ///   - residual: `F(u)`; collective-safe like a ``ShellOperator`` product.
    /// - Throws: ``PETScError``.
    public init(grid: StructuredGrid, optionsPrefix: String = "", relativeTolerance: Double? = nil,
                absoluteTolerance: Double? = nil, residual: @escaping Residual) throws(PETScError) {
        self.grid = grid
        box = ResidualContext(residual: residual)
        residualVector = try grid.makeGlobalVector()
        var s: SNES?
        try check(SNESCreate(cpetsc_comm_world(), &s), "SNESCreate")
        handle = s!
        if !optionsPrefix.isEmpty { try check(SNESSetOptionsPrefix(handle, optionsPrefix), "SNESSetOptionsPrefix") }
        try check(SNESSetDM(handle, grid.handle), "SNESSetDM")
        let f: @convention(c) (SNES?, Vec?, Vec?, UnsafeMutableRawPointer?) -> PetscErrorCode = { _, u, f, ctx in
            guard let u, let f, let ctx else { return cpetsc_error_user() }
            let box = Unmanaged<ResidualContext>.fromOpaque(ctx).takeUnretainedValue()
            do {
                try box.residual(DistributedVector(borrowing: u), DistributedVector(borrowing: f))
                return 0
            } catch {
                if box.error == nil { box.error = error }
                return cpetsc_error_user()
            }
        }
        try check(SNESSetFunction(handle, residualVector.handle, f, Unmanaged.passUnretained(box).toOpaque()),
                  "SNESSetFunction")
        let keep = PetscReal(cpetsc_default())
        try check(SNESSetTolerances(handle, absoluteTolerance ?? keep, relativeTolerance ?? keep, keep,
                                    cpetsc_default(), cpetsc_default()), "SNESSetTolerances")
        try check(SNESSetFromOptions(handle), "SNESSetFromOptions")
    }

    deinit {
        if PETSc.isActive {
            var s: SNES? = handle
            _ = SNESDestroy(&s)
        }
    }

    /// Solves `F(u) = 0` from the initial guess in `u`, in place (collective).
    ///
    /// - Throws: ``PETScError/snesNotConverged(reason:iterations:)`` on every
    ///   rank when SNES stops without converging; ``PETScError/call(function:code:message:)``.
    public func solve(_ u: DistributedVector) throws(PETScError) {
        try check(SNESSolve(handle, nil, u.handle), "SNESSolve")
        var reason = SNES_CONVERGED_ITERATING
        var its: PetscInt = 0, lits: PetscInt = 0
        try check(SNESGetConvergedReason(handle, &reason), "SNESGetConvergedReason")
        try check(SNESGetIterationNumber(handle, &its), "SNESGetIterationNumber")
        try check(SNESGetLinearSolveIterations(handle, &lits), "SNESGetLinearSolveIterations")
        iterations = Int(its)
        linearIterations = Int(lits)
        if reason.rawValue < 0 {
            throw .snesNotConverged(reason: String(cString: cpetsc_snes_reason_name(reason)), iterations: Int(its))
        }
    }
}

/// What the SNES residual callback reaches through its context pointer.
final class ResidualContext {
    let residual: NonlinearSolve.Residual
    var error: Error?
    init(residual: @escaping NonlinearSolve.Residual) { self.residual = residual }
}
