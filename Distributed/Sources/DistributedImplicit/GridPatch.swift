import AutoDiff
import PETScKit

/// What local conditions read: this rank's owned points of a grid function
/// `y` and the ghost layers around them, addressed by global grid indices
/// and, with several unknowns per point, by component.
///
/// ```
/// patch[i, j, k]                  y at grid point (i, j, k), for (i, j, k) in ghostedBox (3-D)
/// patch[i, j]                     2-D grids: y at point (i, j)
/// patch[i]                        1-D grids: y at point i
/// patch[i, j, k, component: c]    component c (0 ≤ c < dof) at (i, j, k); likewise
/// patch[i, j, component: c]       in 2-D and patch[i, component: c] in 1-D
/// ownedBox                        the points whose residual rows this rank returns
/// ```
///
/// The component-less subscripts need `dof == 1`. The residual rows come
/// point by point in ``ownedBox`` order (`i` fastest, then `j`, then `k`),
/// the `dof` rows of a point together (component `c` of point `p` is row
/// `ownedBox.offset(p) · dof + c`).
///
/// A read outside ``ghostedBox`` (a stencil wider than the grid's ghost
/// width) returns zero and is recorded; the distributed implicit function
/// then fails on every rank with
/// ``DistributedImplicitError/stencilOutsideGhosts(stencilWidth:)``. With a
/// `GridStencil.star` ``stencil``, a read of a ghost outside ``ownedBox``
/// along two or three axes (a corner ghost in 2-D, an edge or corner ghost
/// in 3-D: never filled by the exchange) is recorded too, and fails with
/// ``DistributedImplicitError/stencilMismatch(_:)``. Points outside the grid
/// itself (`i < 0`, `i ≥ nx`) are never ghosts: conditions handle their
/// boundary values themselves, as with PETSc's DMDA local functions.
public struct GridPatch<T: DifferentiableScalar> {
    /// The points whose residual rows this rank computes.
    public let ownedBox: GridBox
    /// The owned points and their ghost layers: where reads are valid.
    public let ghostedBox: GridBox
    /// Points along the first axis of the whole grid.
    public let nx: Int
    /// Points along the second axis of the whole grid (1 in 1-D).
    public let ny: Int
    /// Points along the third axis of the whole grid (1 in 1-D and 2-D).
    public let nz: Int
    /// Unknowns per grid point.
    public let dof: Int
    /// Which ghosts hold exchanged values: with `GridStencil.star` the
    /// ghosts outside the owned box along two or more axes do not, and reads
    /// of them are recorded.
    public let stencil: GridStencil
    @usableFromInline let values: [T]
    @usableFromInline let outside: OutsideReads

    /// A patch over `values` (stored over `ghostedBox` in its order, the
    /// `dof` components of a point together).
    ///
    /// - Parameters: see the properties; `values.count == ghostedBox.count · dof`;
    ///   `stencil` the grid's (default `GridStencil.box`: every ghost valid).
    public init(values: [T], ownedBox: GridBox, ghostedBox: GridBox, nx: Int, ny: Int, nz: Int = 1, dof: Int = 1,
                stencil: GridStencil = .box) {
        precondition(dof >= 1, "GridPatch: dof \(dof)")
        precondition(values.count == ghostedBox.count * dof,
                     "GridPatch: \(values.count) values for \(ghostedBox.count) points × \(dof) components")
        self.values = values
        self.ownedBox = ownedBox
        self.ghostedBox = ghostedBox
        self.nx = nx
        self.ny = ny
        self.nz = nz
        self.dof = dof
        self.stencil = stencil
        outside = OutsideReads()
    }

    /// A patch over the entries of a local vector of `grid`, with the grid's
    /// boxes, sizes, `dof` and stencil.
    ///
    /// - Parameters:
    ///   - values: `grid.ghostedUnknowns` entries, in the local vector's order.
    ///   - grid: the grid they live on.
    public init(values: [T], grid: StructuredGrid) {
        self.init(values: values, ownedBox: grid.ownedBox, ghostedBox: grid.ghostedBox, nx: grid.nx, ny: grid.ny,
                  nz: grid.nz, dof: grid.dof, stencil: grid.stencil)
    }

    /// Component `c` of `y` at grid point `(i, j, k)`; zero (and recorded)
    /// outside ``ghostedBox``; a ghost a `GridStencil.star` exchange never
    /// fills is recorded.
    @inlinable
    public subscript(i: Int, j: Int, k: Int, component c: Int) -> T {
        precondition(c >= 0 && c < dof, "GridPatch: component \(c) of \(dof)")
        guard ghostedBox.contains(i, j, k) else {
            outside.count += 1
            return T(0)
        }
        if stencil == .star {
            let axesOutside = (ownedBox.xs.contains(i) ? 0 : 1) + (ownedBox.ys.contains(j) ? 0 : 1)
                + (ownedBox.zs.contains(k) ? 0 : 1)
            if axesOutside > 1 { outside.corner(i, j, k) }
        }
        return values[ghostedBox.offset(i, j, k) * dof + c]
    }

    /// Component `c` of `y` at point `(i, j)` of a 2-D grid.
    @inlinable
    public subscript(i: Int, j: Int, component c: Int) -> T { self[i, j, 0, component: c] }

    /// Component `c` of `y` at point `i` of a 1-D grid.
    @inlinable
    public subscript(i: Int, component c: Int) -> T { self[i, 0, 0, component: c] }

    /// `y` at grid point `(i, j, k)` of a 3-D grid with one unknown per point.
    @inlinable
    public subscript(i: Int, j: Int, k: Int) -> T {
        precondition(dof == 1, "GridPatch: \(dof) components per point: read patch[i, j, k, component: c]")
        return self[i, j, k, component: 0]
    }

    /// `y` at grid point `(i, j)` of a 2-D grid with one unknown per point.
    @inlinable
    public subscript(i: Int, j: Int) -> T {
        precondition(dof == 1, "GridPatch: \(dof) components per point: read patch[i, j, component: c]")
        return self[i, j, 0, component: 0]
    }

    /// `y` at point `i` of a 1-D grid with one unknown per point.
    @inlinable
    public subscript(i: Int) -> T {
        precondition(dof == 1, "GridPatch: \(dof) components per point: read patch[i, component: c]")
        return self[i, 0, 0, component: 0]
    }

    /// How many reads fell outside ``ghostedBox`` so far.
    public var readsOutsideGhosts: Int { outside.count }

    /// How many reads of ghosts a `GridStencil.star` exchange never fills, so far.
    public var readsOfUnexchangedCorners: Int { outside.corners }

    /// The first ghost read that a `GridStencil.star` exchange never fills, if any (`k = 0` below 3-D).
    public var firstUnexchangedGhost: (i: Int, j: Int, k: Int)? { outside.firstCorner }

    /// The first corner ghost read that the exchange never fills, if any (2-D; see ``firstUnexchangedGhost``).
    public var firstUnexchangedCorner: (i: Int, j: Int)? { outside.firstCorner.map { ($0.i, $0.j) } }
}

/// Counters shared by the copies of one patch.
@usableFromInline
final class OutsideReads {
    @usableFromInline var count = 0
    @usableFromInline var corners = 0
    @usableFromInline var firstCorner: (i: Int, j: Int, k: Int)?
    @usableFromInline init() {}

    /// Records a read of the unexchanged ghost `(i, j, k)`.
    @usableFromInline func corner(_ i: Int, _ j: Int, _ k: Int) {
        if corners == 0 { firstCorner = (i, j, k) }
        corners += 1
    }
}
