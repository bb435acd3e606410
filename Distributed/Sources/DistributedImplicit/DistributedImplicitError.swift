import PETScKit

/// Why a distributed implicit derivative was refused. Every case is agreed
/// on by all ranks (through one reduction) before it is thrown, so every rank
/// throws the same error and none is left waiting in a collective.
public enum DistributedImplicitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A PETSc call failed.
    case petsc(PETScError)
    /// The linear solve with `A` or `Aᵀ` did not converge (KSP's reason, iterations, residual).
    case linearSolveFailed(PETScError)
    /// The forward solver threw on at least one rank.
    case forwardSolverFailed(String)
    /// `x` has a NaN or infinite entry, or differs across ranks in length.
    case invalidParameters(String)
    /// On at least one rank the conditions returned a number of rows other than its owned unknowns (points · dof).
    case wrongResidualCount
    /// On at least one rank the conditions read outside the ghost layers.
    case stencilOutsideGhosts(stencilWidth: Int)
    /// On at least one rank the conditions read a ghost point the grid's
    /// stencil does not provide: a diagonal neighbour (or a corner ghost) on a
    /// `GridStencil.star` grid, whose exchange never fills corner
    /// ghosts, or a ghost farther from its row than the stencil width; the
    /// string is this rank's finding (the first row and point) or
    /// `"on another rank"`.
    case stencilMismatch(String)
    /// `F(x, y)` has a NaN or infinite entry on at least one rank.
    case nonFiniteResidual
    /// The local Jacobian of `A` could not be assembled on at least one rank
    /// (a non-finite entry, a sweep outside the detected pattern, a column
    /// with no global index); the string is this rank's reason.
    case localJacobianFailed(String)
    /// `‖F(x, y)‖₂` exceeds the residual check's bound: `y` is not a solution.
    case residualTooLarge(norm: Double, bound: Double)
    /// The forward solve's preconditioner could not be reused on at least
    /// one rank: none was given, or its matrix's layout is not the grid's
    /// (a preconditioner of another problem); the string is this rank's reason.
    case incompatiblePreconditioner(String)

    /// One sentence with advice.
    public var description: String {
        switch self {
        case let .petsc(e): return "PETSc failed: \(e)"
        case let .linearSolveFailed(e): return "the linear solve with A failed: \(e)"
        case let .forwardSolverFailed(s): return "the forward solver failed: \(s)"
        case let .invalidParameters(s): return "invalid parameters: \(s)"
        case .wrongResidualCount:
            return "the local conditions must return one row per owned point and component (ownedBox.count · dof), "
                + "point by point in ownedBox order, the components of a point together"
        case let .stencilOutsideGhosts(w):
            return "the local conditions read outside the ghost layers of width \(w): create the grid with a wider stencilWidth"
        case let .stencilMismatch(s):
            return "the local conditions read ghosts the grid does not exchange: \(s)"
        case let .localJacobianFailed(s):
            return "the local Jacobian of A could not be assembled: \(s); try representation: .shell"
        case .nonFiniteResidual:
            return "F(x, y) is not finite: the forward solution or the conditions produce NaN or infinity"
        case let .residualTooLarge(norm, bound):
            return "‖F(x, y)‖₂ = \(norm) > \(bound): y is not a solution (tighten the forward solver's tolerance)"
        case let .incompatiblePreconditioner(s):
            return "the forward solve's preconditioner cannot be reused: \(s); set forwardPreconditioner to nil to build one"
        }
    }
}
