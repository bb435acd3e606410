/// How a Krylov solve ended. One enum for every method.
///
/// Only ``converged`` and ``zeroRightHandSide`` mean the returned solution
/// meets the tolerance; every other case returns the best iterate the method
/// has (see each method's documentation) and says why it stopped.
public enum KrylovStatus: Sendable, Equatable, Hashable {
    /// The stopping test `‖r‖ ≤ atol + rtol·‖b‖` (or, for LSMR, its
    /// least-squares test) holds.
    case converged
    /// The iteration cap was reached before the stopping test held.
    case maxIterationsReached
    /// A scalar the recurrence divides by vanished (BiCGStab `ρ` or `ω`,
    /// a singular GMRES Hessenberg matrix) before convergence.
    case breakdown
    /// The residual stopped decreasing: a whole GMRES restart cycle, or a
    /// residual-replacement restart, made no progress.
    case stagnation
    /// `b` or the initial guess contains NaN or ±∞, or the operator or the
    /// preconditioner produced them during the iteration.
    case nonFiniteInput
    /// `b = 0`: the solution `x = 0` was returned at once.
    case zeroRightHandSide
    /// Conjugate gradients met non-positive curvature `pᵀA p ≤ 0` (or a
    /// preconditioner with `rᵀM⁻¹r ≤ 0`): the operator is not positive definite.
    case indefinite

    /// `true` for ``converged`` and ``zeroRightHandSide``.
    public var isSuccess: Bool { self == .converged || self == .zeroRightHandSide }

    /// The reason in words, as used in descriptions ("max iterations reached").
    public var reason: String {
        switch self {
        case .converged: return "converged"
        case .maxIterationsReached: return "max iterations reached"
        case .breakdown: return "breakdown"
        case .stagnation: return "stagnation"
        case .nonFiniteInput: return "non-finite input"
        case .zeroRightHandSide: return "zero right-hand side"
        case .indefinite: return "indefinite operator"
        }
    }

    /// What to try, naming only settings that `method` has: a restart only
    /// for GMRES, and a preconditioner (every method and the implicit layer
    /// take one). Empty for the successful statuses.
    ///
    /// - Parameter method: the method's name as in ``KrylovStatistics/method`` ("GMRES", "CG", …).
    /// - Returns: one clause of advice.
    public func advice(method: String) -> String {
        let restart = method.uppercased().hasPrefix("GMRES")
        switch self {
        case .converged, .zeroRightHandSide: return ""
        case .maxIterationsReached:
            return restart ? "increase maxIterations or restart, or add a preconditioner"
                : "increase maxIterations, or add a preconditioner"
        case .breakdown:
            return "try GMRES, another initial guess, or a preconditioner"
        case .stagnation:
            return (restart ? "increase restart, add a preconditioner," : "add a preconditioner, try GMRES,")
                + " or loosen the tolerance (it may be below attainable accuracy)"
        case .nonFiniteInput:
            return "check b, the initial guess, the operator and the preconditioner for NaN or ±∞"
        case .indefinite:
            return "the operator is not symmetric positive definite: use GMRES or BiCGStab, or check the preconditioner"
        }
    }

    /// ``advice(method:)`` for GMRES (the method with the most settings).
    public var advice: String { advice(method: "GMRES") }
}
