/// How `A = ∂F/∂y` is given to PETSc's KSP.
///
/// ```
/// .assembled   MPIAIJ matrix from coloured local Jacobians   any PC: gamg, bjacobi + ilu, jacobi, …
/// .shell       MATSHELL whose products are tape sweeps        PC jacobi (its diagonal from a few sweeps)
/// .automatic   .assembled unless some rank's local A has a row with more than
///              maxAssembledRowEntries · dof entries; then .shell (decided by one reduction)
/// ```
///
/// The bound scales with the grid's unknowns per point (`dof`): a stencil
/// row reads up to `dof` entries at each stencil point (81 for the 27-point
/// box stencil with `dof = 3`), and is still a stencil row.
///
/// The default is ``automatic``, which picks ``assembled`` for stencil
/// conditions: its cost is a few local tape sweeps (one per colour, about
/// the stencil size) and `O(nnz)` memory, and it is what makes real
/// preconditioners possible — an algebraic multigrid keeps the iteration
/// count of an elliptic `A` nearly independent of the grid, where a Krylov
/// method on the shell, with at most a Jacobi preconditioner, needs `O(√κ)`
/// iterations (CG), growing with the grid. ``shell`` is chosen when a row is dense (a
/// global coupling such as an integral constraint): then the colouring needs
/// at least that row's length of sweeps, the matrix and its preconditioner
/// grow with it, and a product costs the same as one on the tape.
public enum DistributedRepresentation: Sendable, Hashable, CustomStringConvertible {
    /// `A` assembled as a distributed sparse matrix.
    case assembled
    /// `A` kept lazy as a PETSc shell matrix.
    case shell
    /// ``assembled`` unless a row of the local `A` has more than
    /// ``maxAssembledRowEntries`` · `dof` entries on some rank; then ``shell``.
    case automatic

    /// The row length per unknown of a grid point above which ``automatic``
    /// keeps `A` lazy: 64 (a row of a grid with `dof` unknowns per point may
    /// have `64 · dof` entries).
    public static let maxAssembledRowEntries = 64

    /// `"assembled"`, `"shell"` or `"automatic"`.
    public var description: String {
        switch self {
        case .assembled: return "assembled"
        case .shell: return "shell"
        case .automatic: return "automatic"
        }
    }
}
