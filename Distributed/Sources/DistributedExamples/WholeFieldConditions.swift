import AutoDiff
import DistributedImplicit
import ImplicitDifferentiation

/// Local field conditions evaluated on the whole grid in one process, as
/// conditions of the single-process library (``ImplicitConditions``), with
/// the whole parameter field as `x`: the reference the distributed
/// derivatives with respect to a parameter field are checked against.
/// `x` and `y` are in natural order (`StructuredGrid.naturalIndex(_:_:_:component:)`).
public struct WholeFieldConditions<Local: LocalFieldConditions>: ImplicitConditions {
    /// The local conditions.
    public let local: Local
    /// Points along each axis (1 for absent axes).
    public let nx: Int, ny: Int, nz: Int
    /// Parameters and unknowns per point.
    public let xDof: Int, yDof: Int

    /// Wraps `local` for an `nx × ny × nz` grid.
    public init(_ local: Local, nx: Int, ny: Int, nz: Int = 1, xDof: Int = 1, yDof: Int = 1) {
        self.local = local
        self.nx = nx
        self.ny = ny
        self.nz = nz
        self.xDof = xDof
        self.yDof = yDof
    }

    /// `F(x, y)` on every row, in natural order.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        local.wholeGrid(x: x, y: y, nx: nx, ny: ny, nz: nz, xDof: xDof, yDof: yDof)
    }
}
