import LinearAlgebra
import Krylov

/// Why a value or derivative of an ``ImplicitFunction`` was refused.
///
/// The library never returns a plausible wrong number: every case below is
/// thrown instead, and its ``description`` is one line saying what happened
/// and what to try.
public enum ImplicitDifferentiationError: Error, Sendable, CustomStringConvertible {
    /// Which linear solve failed: the tangent solve `A v = b` (JVP, forward
    /// Jacobian) or the adjoint solve `Aᵀ w = c` (VJP, reverse Jacobian).
    public enum SolveDirection: String, Sendable, Equatable {
        /// `A v = −B ẋ`, used by JVPs and forward Jacobians.
        case tangent
        /// `Aᵀ w = ȳ`, used by VJPs and reverse Jacobians.
        case adjoint
    }

    /// An input (`x`, a tangent or a cotangent) contains NaN or ±∞.
    case nonFiniteInput(String)
    /// The forward solver returned NaN or ±∞ in `y`.
    case nonFiniteSolution(index: Int)
    /// Lengths disagree (`F` vs `y` for a square solver, a tangent vs `x`, …).
    case dimensionMismatch(String)
    /// `‖F(x, y)‖` is above the tolerance: the forward solver did not solve
    /// the conditions, so the implicit function theorem does not apply at `y`.
    case residualTooLarge(residualNorm: Double, tolerance: Double)
    /// `A = ∂F/∂y` is singular or numerically singular and no least-squares
    /// solve was asked for. `pivot` is LAPACK's zero pivot when exact;
    /// `reciprocalCondition` the estimate when numerical.
    case singularJacobian(pivot: Int?, reciprocalCondition: Double?)
    /// `A` was declared symmetric positive definite but Cholesky failed.
    case notPositiveDefinite(minor: Int)
    /// A least-squares tangent solve `A ẏ = −B ẋ` has no exact solution
    /// (relative residual given): `A` is singular and the conditions do not
    /// determine how `y` moves with `x`.
    case inconsistentLinearization(relativeResidual: Double)
    /// A Krylov solve did not converge (its statistics say how far it got).
    case krylovNotConverged(KrylovStatistics, direction: SolveDirection)
    /// The chosen representation would need more memory than allowed.
    case representationTooLarge(bytes: Int, limit: Int)
    /// A setting or solver choice does not apply to this problem.
    case invalidOption(String)
    /// `A` does not have the structure its declaration or solver needs
    /// (`.cholesky`, `.cg`, or a `[.symmetric, .positiveDefinite]`
    /// declaration on a non-symmetric or indefinite `A`); what was found is given.
    case structureNotAsDeclared(String)
    /// An array proportional to `m·n` or `m²` (named in `what`) would need
    /// more memory than ``ImplicitFunctionOptions/maxMatrixBytes`` allows.
    case allocationTooLarge(what: String, bytes: Int, limit: Int)
    /// The dense linear-algebra layer failed in a way not covered above.
    case linearAlgebra(LinearAlgebraError)
    /// The user's forward solver threw; its error is kept.
    case forwardSolverFailed(any Error)

    /// One line: what went wrong and what to try.
    public var description: String {
        switch self {
        case .nonFiniteInput(let what):
            return "non-finite input (NaN or ±∞) in \(what); check the inputs"
        case .nonFiniteSolution(let i):
            return "the forward solver returned a non-finite y[\(i)]; check that it converged"
        case .dimensionMismatch(let what):
            return "dimension mismatch: \(what)"
        case .residualTooLarge(let r, let tol):
            return "the forward solver's output does not satisfy the conditions: ‖F(x, y)‖ = \(r) > tolerance \(tol); "
                + "run the solver longer or tighten its tolerance (the bound is relative to the terms of F at this "
                + "point, so rescaling F does not change it; use .absolute where those terms vanish)"
        case .singularJacobian(let pivot, let rcond):
            var s = "∂F/∂y is singular"
            if let pivot { s += " (zero pivot at column \(pivot))" }
            if let rcond { s += " (reciprocal condition ≈ \(rcond))" }
            return s + "; if the system is consistent (e.g. a scaling invariance) use linearSolver: .qr or .lsmr() "
                + "for the minimum-norm derivative, or check the conditions"
        case .notPositiveDefinite(let minor):
            return "∂F/∂y was declared symmetric positive definite but its leading minor of order \(minor) is not "
                + "positive; use linearSolver: .lu or drop the declaration"
        case .inconsistentLinearization(let r):
            return "the linearized conditions ∂F/∂y·ẏ = −∂F/∂x·ẋ have no solution (relative residual \(r)): "
                + "∂F/∂y is singular and the conditions do not determine y's derivative; check the conditions"
        case .krylovNotConverged(let stats, let direction):
            return "the \(direction.rawValue) linear solve did not converge: \(stats.description) "
                + "(here: the method's options or ImplicitFunctionOptions.krylovOptions, "
                + "ImplicitFunction.preconditioner, or linearSolver: .lu on a matrix)"
        case .representationTooLarge(let bytes, let limit):
            return "materializing ∂F/∂y would need \(bytes / 1_048_576) MiB (limit \(limit / 1_048_576) MiB); "
                + "use representation: .operator with a Krylov solver"
        case .invalidOption(let what):
            return "invalid option: \(what)"
        case .structureNotAsDeclared(let what):
            return "∂F/∂y does not have the declared structure: \(what); drop the declaration or use linearSolver: "
                + ".lu / .gmres()"
        case .allocationTooLarge(let what, let bytes, let limit):
            return "\(what) would need \(bytes / 1_048_576) MiB (limit \(limit / 1_048_576) MiB); use JVPs or VJPs "
                + "instead of the full array, or raise options.maxMatrixBytes"
        case .linearAlgebra(let e):
            return e.description
        case .forwardSolverFailed(let e):
            return "the forward solver threw: \(e)"
        }
    }
}

extension ImplicitDifferentiationError: Equatable {
    /// Cases are equal when their payloads are; forward-solver errors compare
    /// by their descriptions.
    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case let (.nonFiniteInput(x), .nonFiniteInput(y)): return x == y
        case let (.nonFiniteSolution(x), .nonFiniteSolution(y)): return x == y
        case let (.dimensionMismatch(x), .dimensionMismatch(y)): return x == y
        case let (.residualTooLarge(r1, t1), .residualTooLarge(r2, t2)): return r1 == r2 && t1 == t2
        case let (.singularJacobian(p1, c1), .singularJacobian(p2, c2)): return p1 == p2 && c1 == c2
        case let (.notPositiveDefinite(x), .notPositiveDefinite(y)): return x == y
        case let (.inconsistentLinearization(x), .inconsistentLinearization(y)): return x == y
        case let (.krylovNotConverged(s1, d1), .krylovNotConverged(s2, d2)): return s1 == s2 && d1 == d2
        case let (.representationTooLarge(b1, l1), .representationTooLarge(b2, l2)): return b1 == b2 && l1 == l2
        case let (.invalidOption(x), .invalidOption(y)): return x == y
        case let (.structureNotAsDeclared(x), .structureNotAsDeclared(y)): return x == y
        case let (.allocationTooLarge(w1, b1, l1), .allocationTooLarge(w2, b2, l2)): return w1 == w2 && b1 == b2 && l1 == l2
        case let (.linearAlgebra(x), .linearAlgebra(y)): return x == y
        case let (.forwardSolverFailed(x), .forwardSolverFailed(y)): return "\(x)" == "\(y)"
        default: return false
        }
    }
}
