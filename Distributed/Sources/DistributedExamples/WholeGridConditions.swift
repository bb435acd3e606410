import AutoDiff
import DistributedImplicit
import ImplicitDifferentiation

/// Local grid conditions evaluated on the whole grid in one process, as
/// conditions of the single-process library (``ImplicitConditions``): the
/// reference the distributed derivatives are checked against.
public struct WholeGridConditions<Local: LocalGridConditions>: ImplicitConditions {
    /// The local conditions.
    public let local: Local
    /// Points along the first axis.
    public let nx: Int
    /// Points along the second axis (1 in 1-D).
    public let ny: Int

    /// Wraps `local` for an `nx × ny` grid.
    public init(_ local: Local, nx: Int, ny: Int) {
        self.local = local
        self.nx = nx
        self.ny = ny
    }

    /// `F(x, y)` on every row, `i` fastest.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        local.wholeGrid(x: x, y: y, nx: nx, ny: ny)
    }
}
