import CPETSc

/// A preconditioner another solver has already built — a PETSc `PC` and the
/// matrix it was built from — held by reference so that a second
/// ``KrylovSolve`` can apply it to a different, nearby operator without
/// setting it up again.
///
/// ```
/// forward     SNES: KSP(J(y_k), PC built from J(y_k))        the last Newton step
/// derivative  KSP(A = ∂F/∂y at y*, the same PC)              no second setup
/// ```
///
/// Only the preconditioner is shared: the derivative's operator stays its
/// own, so its answer is `A⁻¹ b` to the KSP's tolerance whatever the
/// preconditioner; a preconditioner built from a nearby matrix (the last
/// Newton step's Jacobian is `A` up to one Newton update) changes only the
/// iteration count. The `PC` keeps its own type and options (the
/// ``KrylovSolve`` using it does not read `-<prefix>pc_…`).
///
/// A `PC` holds its operators, so the two solvers share them: the KSP using
/// it sets its own operator again before every solve, and ``owner`` (the
/// solver that built it) is kept alive as long as this object, because
/// destroying a SNES or KSP resets (`PCReset`) the preconditioner it built
/// even when another KSP still holds it.
public final class ReusablePreconditioner {
    /// The PETSc handle (one reference held by this object).
    public let handle: PC
    /// The matrix the preconditioner was built from (`Pmat`), held by the `PC`.
    public let matrix: Mat
    /// Rows of ``matrix`` this rank owns.
    public let localRows: Int
    /// Columns of ``matrix`` this rank owns (the layout of the vectors it applies to).
    public let localColumns: Int
    /// The solver that built the preconditioner, kept alive with it.
    public let owner: AnyObject?

    /// Takes a reference to `pc`, which must have its operators set, and to its matrix.
    ///
    /// - Parameters:
    ///   - pc: a PETSc preconditioner, usually one a solver has set up.
    ///   - owner: the solver whose `PC` it is (``NonlinearSolve``, ``KrylovSolve``),
    ///     or `nil` for a `PC` made on its own.
    /// - Throws: ``PETScError/preconditionerUnavailable(_:)`` when `pc` has no
    ///   matrix to be built from; ``PETScError/call(function:code:message:)``.
    public init(retaining pc: PC, owner: AnyObject?) throws(PETScError) {
        var amatSet = PETSC_FALSE, pmatSet = PETSC_FALSE
        try check(PCGetOperatorsSet(pc, &amatSet, &pmatSet), "PCGetOperatorsSet")
        guard pmatSet == PETSC_TRUE else {
            throw .preconditionerUnavailable("the PC has no matrix set (has its solver run?)")
        }
        var amat: Mat?, pmat: Mat?
        try check(PCGetOperators(pc, &amat, &pmat), "PCGetOperators")
        var m: PetscInt = 0, n: PetscInt = 0
        try check(MatGetLocalSize(pmat, &m, &n), "MatGetLocalSize")
        try check(PetscObjectReference(pc), "PetscObjectReference")
        handle = pc
        if PetscObjectReference(pmat) != 0 {
            var p: PC? = pc
            _ = PCDestroy(&p)
            throw failure(PETSC_ERR_PLIB, "PetscObjectReference")
        }
        matrix = pmat!
        self.owner = owner
        localRows = Int(m)
        localColumns = Int(n)
    }

    deinit {
        if PETSc.isActive {
            var p: PC? = handle
            _ = PCDestroy(&p)
            var m: Mat? = matrix
            _ = MatDestroy(&m)
        }
    }

    /// The preconditioner's PETSc type, e.g. `"gamg"`.
    public var type: String {
        var t: PCType?
        PCGetType(handle, &t)
        return t.map { String(cString: $0) } ?? "?"
    }
}

extension NonlinearSolve {
    /// The preconditioner of the SNES's linear solver, as built in its last
    /// Newton step (from the Jacobian at the last iterate but one), for a
    /// second KSP to reuse. Call after ``solve(_:)``.
    ///
    /// - Returns: a new reference to the SNES's `PC`, which keeps the SNES alive.
    ///   Solving with the SNES again rebuilds that `PC` for its new Jacobian:
    ///   still a correct preconditioner for a KSP that shares it, but no longer a reused one.
    /// - Throws: ``PETScError/preconditionerUnavailable(_:)`` before any
    ///   Newton step (or with `-snes_mf` and no preconditioner matrix).
    public func preconditioner() throws(PETScError) -> ReusablePreconditioner {
        var ksp: KSP?
        try check(SNESGetKSP(handle, &ksp), "SNESGetKSP")
        var pc: PC?
        try check(KSPGetPC(ksp, &pc), "KSPGetPC")
        return try ReusablePreconditioner(retaining: pc!, owner: self)
    }
}
