import AutoDiff
import PETScKit

/// What local conditions read: this rank's owned points of a grid function
/// `y` and the ghost layers around them, addressed by global grid indices.
///
/// ```
/// patch[i, j]    y at grid point (i, j), for (i, j) in ghostedBox
/// patch[i]       1-D grids: y at point i
/// ownedBox       the points whose residual rows this rank returns (i fastest)
/// ```
///
/// A read outside ``ghostedBox`` (a stencil wider than the grid's ghost
/// width) returns zero and is recorded; the distributed implicit function
/// then fails on every rank with
/// ``DistributedImplicitError/stencilOutsideGhosts(stencilWidth:)``. With a
/// `GridStencil.star` ``stencil``, a read of a corner ghost (outside
/// ``ownedBox`` in both directions, never filled by the exchange) is
/// recorded too, and fails with ``DistributedImplicitError/stencilMismatch(_:)``.
/// Points outside the grid itself (`i < 0`, `i ≥ nx`) are never ghosts:
/// conditions handle their boundary values themselves, as with PETSc's DMDA
/// local functions.
public struct GridPatch<T: DifferentiableScalar> {
    /// The points whose residual rows this rank computes.
    public let ownedBox: GridBox
    /// The owned points and their ghost layers: where reads are valid.
    public let ghostedBox: GridBox
    /// Points along the first axis of the whole grid.
    public let nx: Int
    /// Points along the second axis of the whole grid (1 in 1-D).
    public let ny: Int
    /// Which ghosts hold exchanged values: with `GridStencil.star` the
    /// corner ghosts do not, and reads of them are recorded.
    public let stencil: GridStencil
    @usableFromInline let values: [T]
    @usableFromInline let outside: OutsideReads

    /// A patch over `values` (stored over `ghostedBox`, `i` fastest).
    ///
    /// - Parameters: see the properties; `values.count == ghostedBox.count`;
    ///   `stencil` the grid's (default `GridStencil.box`: every ghost valid).
    public init(values: [T], ownedBox: GridBox, ghostedBox: GridBox, nx: Int, ny: Int, stencil: GridStencil = .box) {
        precondition(values.count == ghostedBox.count, "GridPatch: \(values.count) values for \(ghostedBox.count) points")
        self.values = values
        self.ownedBox = ownedBox
        self.ghostedBox = ghostedBox
        self.nx = nx
        self.ny = ny
        self.stencil = stencil
        outside = OutsideReads()
    }

    /// `y` at grid point `(i, j)`; zero (and recorded) outside ``ghostedBox``;
    /// a corner ghost of a `GridStencil.star` patch is recorded.
    @inlinable
    public subscript(i: Int, j: Int) -> T {
        guard ghostedBox.contains(i, j) else {
            outside.count += 1
            return T(0)
        }
        if stencil == .star && !ownedBox.xs.contains(i) && !ownedBox.ys.contains(j) { outside.corner(i, j) }
        return values[ghostedBox.offset(i, j)]
    }

    /// `y` at point `i` of a 1-D grid.
    @inlinable
    public subscript(i: Int) -> T { self[i, 0] }

    /// How many reads fell outside ``ghostedBox`` so far.
    public var readsOutsideGhosts: Int { outside.count }

    /// How many reads of corner ghosts a `GridStencil.star` exchange never fills, so far.
    public var readsOfUnexchangedCorners: Int { outside.corners }

    /// The first corner ghost read that the exchange never fills, if any.
    public var firstUnexchangedCorner: (i: Int, j: Int)? { outside.firstCorner }
}

/// Counters shared by the copies of one patch.
@usableFromInline
final class OutsideReads {
    @usableFromInline var count = 0
    @usableFromInline var corners = 0
    @usableFromInline var firstCorner: (i: Int, j: Int)?
    @usableFromInline init() {}

    /// Records a read of the unexchanged corner ghost `(i, j)`.
    @usableFromInline func corner(_ i: Int, _ j: Int) {
        if corners == 0 { firstCorner = (i, j) }
        corners += 1
    }
}
