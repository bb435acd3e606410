import CPETSc
import LinearAlgebra

/// A PETSc Krylov solver (`KSP`) prepared on one operator: the second phase
/// of "prepare once, solve many", plain and transposed.
///
/// ```
/// prepare(A)            KSPCreate, KSPSetOperators, KSPSetFromOptions   (once)
/// solve(b)              x = A⁻¹ b      KSPSolve
/// solveTransposed(c)    w = A⁻ᵀ c      KSPSolveTranspose (same KSP, same PC)
/// ```
///
/// The method, preconditioner and tolerances come from PETSc's options
/// database under ``optionsPrefix`` (`-<prefix>ksp_type gmres`,
/// `-<prefix>pc_type jacobi`, `-<prefix>ksp_rtol 1e-12`, …), so users tune
/// it the way they already know; the defaults given here are applied before
/// the options are read. A solve that stops without converging throws
/// ``PETScError/kspNotConverged(reason:iterations:residualNorm:)`` on every
/// rank (PETSc's converged reason is global); its iterate is never returned.
///
/// It also conforms to ``LinearAlgebra/PreparedLinearSolve`` with arrays read
/// as this rank's slices (see `KrylovSolve+PreparedLinearSolve.swift`).
/// `Sendable` only because that protocol requires it: a PETSc object belongs
/// to its rank's one PETSc thread (every call is collective, in the same
/// order on every rank), so an instance must not be used from two threads.
public final class KrylovSolve: @unchecked Sendable {
    /// The PETSc handle.
    public let handle: KSP
    /// The operator (kept alive as long as the solver).
    public let operator_: PETScOperator
    /// The preconditioner another solver built, when this KSP applies it instead of building its own.
    public let reusedPreconditioner: ReusablePreconditioner?
    /// The options prefix, e.g. `"implicit_"`.
    public let optionsPrefix: String
    /// Iterations summed over every solve so far.
    public private(set) var iterations = 0
    /// Solves done so far (plain and transposed).
    public private(set) var solves = 0
    /// The iterations and final residual norm of the most recent solve.
    public private(set) var lastSolve: (iterations: Int, residualNorm: Double)?
    /// The most recent solve in the main package's terms (method
    /// `"PETSc <ksp> + <pc>"`, status from PETSc's converged reason, `‖b‖`);
    /// PETSc does not count operator applications, reported as 0.
    public private(set) var lastStatistics: KrylovStatistics?

    /// Prepares a KSP on `operator_`.
    ///
    /// - Parameters:
    ///   - operator_: `A`; also the matrix the preconditioner is built from, unless one is reused.
    ///   - optionsPrefix: prefix of this solver's options.
    ///   - defaultType: PETSc KSP type applied before the options are read
    ///     (`"cg"` for a symmetric positive definite operator), or PETSc's GMRES when `nil`.
    ///   - defaultPreconditioner: PETSc PC type applied before the options
    ///     are read (`"jacobi"` for a shell operator that gives its diagonal, `"none"` for one that does not).
    ///   - relativeTolerance: default `-ksp_rtol`.
    ///   - absoluteTolerance: default `-ksp_atol`.
    ///   - preconditioner: a preconditioner another solver built, applied
    ///     as it is (no setup, `-<prefix>pc_…` and `defaultPreconditioner`
    ///     ignored) with `operator_` still the operator; its ``ReusablePreconditioner/localRows``
    ///     and ``ReusablePreconditioner/localColumns`` must equal the operator's
    ///     on every rank (the caller checks, collectively: PETSc's own check
    ///     fails on the mismatched ranks only). `nil` (default): a new one
    ///     built from `operator_`.
    /// - Throws: ``PETScError``.
    public init(operator_: PETScOperator, optionsPrefix: String = "", defaultType: String? = nil,
                defaultPreconditioner: String? = nil,
                relativeTolerance: Double = 1e-10, absoluteTolerance: Double = 1e-50,
                preconditioner: ReusablePreconditioner? = nil) throws(PETScError) {
        var k: KSP?
        try check(KSPCreate(cpetsc_comm_world(), &k), "KSPCreate")
        handle = k!
        self.operator_ = operator_
        self.optionsPrefix = optionsPrefix
        self.reusedPreconditioner = preconditioner
        // The prefix first: KSPSetOptionsPrefix renames the KSP's PC, which must stay the other solver's.
        if !optionsPrefix.isEmpty { try check(KSPSetOptionsPrefix(handle, optionsPrefix), "KSPSetOptionsPrefix") }
        if let shared = preconditioner {
            // The PC keeps its Pmat, so PCSetUp finds its state unchanged and does not rebuild.
            try check(KSPSetPC(handle, shared.handle), "KSPSetPC")
            try check(KSPSetOperators(handle, operator_.handle, shared.matrix), "KSPSetOperators")
            try check(KSPSetSkipPCSetFromOptions(handle, PETSC_TRUE), "KSPSetSkipPCSetFromOptions")
        } else {
            try check(KSPSetOperators(handle, operator_.handle, operator_.handle), "KSPSetOperators")
        }
        try check(KSPSetTolerances(handle, relativeTolerance, absoluteTolerance, PetscReal(cpetsc_default()),
                                   cpetsc_default()), "KSPSetTolerances")
        if let kspType = defaultType { try check(KSPSetType(handle, kspType), "KSPSetType") }
        if let pcType = defaultPreconditioner, preconditioner == nil {
            var pc: PC?
            try check(KSPGetPC(handle, &pc), "KSPGetPC")
            try check(PCSetType(pc, pcType), "PCSetType")
        }
        try check(KSPSetFromOptions(handle), "KSPSetFromOptions")
        try check(KSPSetUp(handle), "KSPSetUp")
    }

    deinit {
        if PETSc.isActive {
            var k: KSP? = handle
            _ = KSPDestroy(&k)
        }
    }

    /// `x = A⁻¹ b` (collective).
    ///
    /// - Parameters:
    ///   - b: right-hand side, the layout of `A`'s rows.
    ///   - x: solution, overwritten (its content is the initial guess only
    ///     when `-ksp_initial_guess_nonzero` is set).
    /// - Throws: ``PETScError/kspNotConverged(reason:iterations:residualNorm:)``, ``PETScError/call(function:code:message:)``.
    public func solve(_ b: DistributedVector, into x: DistributedVector) throws(PETScError) {
        try restoreOperator()
        try check(KSPSolve(handle, b.handle, x.handle), "KSPSolve")
        try finishSolve(b)
    }

    /// `w = A⁻ᵀ c` with the same KSP and preconditioner (collective).
    ///
    /// - Throws: ``PETScError/kspNotConverged(reason:iterations:residualNorm:)``, ``PETScError/call(function:code:message:)``.
    public func solveTransposed(_ c: DistributedVector, into w: DistributedVector) throws(PETScError) {
        try restoreOperator()
        try check(KSPSolveTranspose(handle, c.handle, w.handle), "KSPSolveTranspose")
        try finishSolve(c)
    }

    /// `xₖ = A⁻¹ bₖ` for every right-hand side, with the same KSP (collective).
    ///
    /// - Parameter bs: right-hand sides, the layout of `A`'s rows.
    /// - Returns: one new solution vector per right-hand side.
    /// - Throws: the first failure, as ``solve(_:into:)``.
    public func solve(_ bs: [DistributedVector]) throws(PETScError) -> [DistributedVector] {
        var xs: [DistributedVector] = []
        for b in bs {
            let x = try b.duplicate()
            try solve(b, into: x)
            xs.append(x)
        }
        return xs
    }

    /// `wₖ = A⁻ᵀ cₖ` for every right-hand side, with the same KSP (collective).
    ///
    /// - Throws: the first failure, as ``solveTransposed(_:into:)``.
    public func solveTransposed(_ cs: [DistributedVector]) throws(PETScError) -> [DistributedVector] {
        var ws: [DistributedVector] = []
        for c in cs {
            let w = try c.duplicate()
            try solveTransposed(c, into: w)
            ws.append(w)
        }
        return ws
    }

    /// Sets the operator again when the `PC` is shared: a `PC` holds its
    /// operators, and the solver that built it may have set its own since.
    /// Its matrix unchanged, the preconditioner is not set up again.
    private func restoreOperator() throws(PETScError) {
        guard let shared = reusedPreconditioner else { return }
        try check(KSPSetOperators(handle, operator_.handle, shared.matrix), "KSPSetOperators")
    }

    /// Reads the converged reason, counts the solve, and throws when it diverged.
    private func finishSolve(_ b: DistributedVector) throws(PETScError) {
        var reason = KSP_CONVERGED_ITERATING
        var its: PetscInt = 0
        var rnorm: PetscReal = 0
        try check(KSPGetConvergedReason(handle, &reason), "KSPGetConvergedReason")
        try check(KSPGetIterationNumber(handle, &its), "KSPGetIterationNumber")
        try check(KSPGetResidualNorm(handle, &rnorm), "KSPGetResidualNorm")
        let bNorm = try b.norm2()
        iterations += Int(its)
        solves += 1
        lastSolve = (Int(its), rnorm)
        let name = String(cString: cpetsc_ksp_reason_name(reason))
        lastStatistics = KrylovStatistics(method: "PETSc \(kind) (\(name))", status: Self.status(reason, name: name),
                                          iterations: Int(its), operatorApplications: 0, initialResidualNorm: bNorm,
                                          residualNorm: rnorm, rightHandSideNorm: bNorm)
        if reason.rawValue < 0 {
            throw .kspNotConverged(reason: name, iterations: Int(its), residualNorm: rnorm)
        }
    }

    /// PETSc's converged reason as the main package's status: `DIVERGED_ITS`
    /// → max iterations, `DIVERGED_NANORINF` → non-finite input, the
    /// indefinite reasons → indefinite, `DIVERGED_DTOL` → stagnation (the
    /// residual grew), every other divergence (breakdowns, a failed
    /// preconditioner) → breakdown.
    static func status(_ reason: KSPConvergedReason, name: String) -> KrylovStatus {
        if reason.rawValue > 0 { return .converged }
        switch name {
        case "DIVERGED_ITS": return .maxIterationsReached
        case "DIVERGED_NANORINF": return .nonFiniteInput
        case "DIVERGED_INDEFINITE_PC", "DIVERGED_INDEFINITE_MAT": return .indefinite
        case "DIVERGED_DTOL": return .stagnation
        default: return .breakdown
        }
    }

    /// The KSP and PC types PETSc settled on, e.g. `"gmres + none"`.
    public var kind: String {
        var type: KSPType?
        KSPGetType(handle, &type)
        var pc: PC?
        KSPGetPC(handle, &pc)
        var pcType: PCType?
        PCGetType(pc, &pcType)
        let k = type.map { String(cString: $0) } ?? "?"
        let p = pcType.map { String(cString: $0) } ?? "?"
        return "\(k) + \(p)"
    }

    /// One line for reports: kind, solves, iterations (``summary`` is the protocol's form).
    public var report: String {
        var s = "KSP \(kind)\(reusedPreconditioner == nil ? "" : " (PC reused)"), \(solves) solves, \(iterations) iterations"
        if let last = lastSolve { s += ", last ‖r‖ = \(last.residualNorm)" }
        return s
    }
}
