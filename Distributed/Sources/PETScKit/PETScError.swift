import CPETSc

/// A failure reported by PETSc or by one of its solvers, as a typed value.
///
/// PETSc runs with a quiet "return the code" error handler installed by
/// ``PETSc/initialize(arguments:)``: no call ever aborts the program or prints
/// a traceback; the code comes back here with PETSc's message.
public enum PETScError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A PETSc function returned a non-zero error code.
    case call(function: String, code: Int32, message: String)
    /// A Krylov solve (KSP) stopped without converging.
    case kspNotConverged(reason: String, iterations: Int, residualNorm: Double)
    /// A nonlinear solve (SNES) stopped without converging.
    case snesNotConverged(reason: String, iterations: Int)
    /// PETSc is not initialized (or already finalized).
    case notInitialized
    /// A preconditioner was asked of a solver that has none to give (why).
    case preconditionerUnavailable(String)

    /// One sentence with advice.
    public var description: String {
        switch self {
        case let .call(function, code, message):
            return "\(function) failed with PETSc error \(code): \(message)"
        case let .kspNotConverged(reason, iterations, residualNorm):
            return "KSP did not converge (\(reason)) after \(iterations) iterations, ‖r‖ = \(residualNorm); "
                + "try another -ksp_type / -pc_type or a larger -ksp_max_it"
        case let .snesNotConverged(reason, iterations):
            return "SNES did not converge (\(reason)) after \(iterations) iterations; try -snes_monitor, "
                + "a line search (-snes_linesearch_type bt) or a better initial guess"
        case .notInitialized:
            return "PETSc is not initialized: call PETSc.initialize() first"
        case let .preconditionerUnavailable(why):
            return "no preconditioner to reuse: \(why); build a new one instead"
        }
    }
}

/// Throws ``PETScError/call(function:code:message:)`` when `code` is not zero.
@inline(__always)
func check(_ code: PetscErrorCode, _ function: StaticString) throws(PETScError) {
    if code != 0 { throw failure(code, function) }
}

@inline(never)
func failure(_ code: PetscErrorCode, _ function: StaticString) -> PETScError {
    .call(function: "\(function)", code: code, message: String(cString: cpetsc_error_text(code)))
}
