import AutoDiff
import DistributedImplicit
import ImplicitDifferentiation

/// Local grid conditions evaluated on the whole grid in one process, as
/// conditions of the single-process library (``ImplicitConditions``): the
/// reference the distributed derivatives are checked against. `y` and the
/// rows are in natural order (`StructuredGrid.naturalIndex(_:_:_:component:)`).
public struct WholeGridConditions<Local: LocalGridConditions>: ImplicitConditions {
    /// The local conditions.
    public let local: Local
    /// Points along the first axis.
    public let nx: Int
    /// Points along the second axis (1 in 1-D).
    public let ny: Int
    /// Points along the third axis (1 in 1-D and 2-D).
    public let nz: Int
    /// Unknowns per point.
    public let dof: Int

    /// Wraps `local` for an `nx × ny × nz` grid with `dof` unknowns per point.
    public init(_ local: Local, nx: Int, ny: Int, nz: Int = 1, dof: Int = 1) {
        self.local = local
        self.nx = nx
        self.ny = ny
        self.nz = nz
        self.dof = dof
    }

    /// `F(x, y)` on every row, in natural order.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        local.wholeGrid(x: x, y: y, nx: nx, ny: ny, nz: nz, dof: dof)
    }
}
