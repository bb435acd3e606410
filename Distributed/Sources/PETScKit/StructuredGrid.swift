import CPETSc

/// A box of grid points `x ∈ xs, y ∈ ys` (global indices; `ys == 0..<1` in 1-D).
public struct GridBox: Sendable, Equatable {
    /// The first axis' index range.
    public var xs: Range<Int>
    /// The second axis' index range.
    public var ys: Range<Int>
    /// Creates a box.
    public init(xs: Range<Int>, ys: Range<Int>) {
        self.xs = xs
        self.ys = ys
    }
    /// The number of points.
    public var count: Int { xs.count * ys.count }
    /// Whether `(i, j)` lies inside.
    @inlinable public func contains(_ i: Int, _ j: Int) -> Bool { xs.contains(i) && ys.contains(j) }
    /// The position of `(i, j)` in this box's storage order (`i` fastest).
    @inlinable public func offset(_ i: Int, _ j: Int) -> Int { (i - xs.lowerBound) + xs.count * (j - ys.lowerBound) }
}

/// Which ghost points a ``StructuredGrid``'s exchange fills: the DMDA's stencil type.
///
/// ```
/// star   ghosts (i, j) with i in the owned columns or j in the owned rows (the arms of a cross)
/// box    every ghost of the ghosted box, corners included
/// ```
///
/// With ``star`` the corner blocks of the ghosted box (points outside the
/// owned box in both directions) are part of local vectors and have global
/// indices, but no exchange ever writes them. In 1-D the two coincide.
public enum GridStencil: Sendable, Hashable, CustomStringConvertible {
    /// `DMDA_STENCIL_STAR`: ghosts along the axes only.
    case star
    /// `DMDA_STENCIL_BOX`: every ghost, corners included.
    case box

    /// `"star"` or `"box"`.
    public var description: String { self == .star ? "star" : "box" }
}

/// A PETSc `DMDA`: a structured 1-D or 2-D grid of `nx × ny` points with one
/// unknown per point and non-periodic (Dirichlet-style) edges, split across
/// the ranks in boxes, each rank's box surrounded by ghost layers of width
/// ``stencilWidth``.
///
/// A *global* vector holds each rank's owned box (``ownedBox``, `i` fastest);
/// a *local* vector holds the ghosted box (``ghostedBox``), filled from the
/// owners by ``scatterToLocal(_:_:)``. ``addLocalToGlobal(_:_:)`` is the
/// transpose: every ghost's value is added into its owner's entry.
public final class StructuredGrid {
    /// The PETSc handle.
    public let handle: DM
    /// Points along the first axis.
    public let nx: Int
    /// Points along the second axis (1 for a 1-D grid).
    public let ny: Int
    /// 1 or 2.
    public let dimension: Int
    /// The ghost layer width.
    public let stencilWidth: Int
    /// Which ghosts the exchange fills (as set up, options included; ``GridStencil/box`` in 1-D).
    public let stencil: GridStencil
    /// This rank's owned points.
    public let ownedBox: GridBox
    /// This rank's owned and ghost points.
    public let ghostedBox: GridBox

    /// A 1-D grid of `nx` points.
    ///
    /// - Parameters:
    ///   - nx: `≥ 1` per rank.
    ///   - stencilWidth: ghost width `≥ 1`.
    /// - Throws: ``PETScError``.
    public convenience init(nx: Int, stencilWidth: Int = 1) throws(PETScError) {
        var dm: DM?
        try check(DMDACreate1d(cpetsc_comm_world(), DM_BOUNDARY_NONE, PetscInt(nx), 1, PetscInt(stencilWidth),
                               nil, &dm), "DMDACreate1d")
        try self.init(handle: dm!, nx: nx, ny: 1, dimension: 1)
    }

    /// A 2-D grid of `nx × ny` points with a star (5-point) or box (9-point) stencil.
    ///
    /// - Parameters:
    ///   - nx, ny: `≥ 1` each; the split over ranks is PETSc's.
    ///   - stencilWidth: ghost width `≥ 1`.
    ///   - box: `true` for corner ghosts too (`DMDA_STENCIL_BOX`): needed by
    ///     conditions that read diagonal neighbours (``GridStencil``).
    /// - Throws: ``PETScError``.
    public convenience init(nx: Int, ny: Int, stencilWidth: Int = 1, box: Bool = false) throws(PETScError) {
        var dm: DM?
        try check(DMDACreate2d(cpetsc_comm_world(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                               box ? DMDA_STENCIL_BOX : DMDA_STENCIL_STAR, PetscInt(nx), PetscInt(ny),
                               PetscInt(cpetsc_decide()), PetscInt(cpetsc_decide()), 1, PetscInt(stencilWidth),
                               nil, nil, &dm), "DMDACreate2d")
        try self.init(handle: dm!, nx: nx, ny: ny, dimension: 2)
    }

    private init(handle: DM, nx: Int, ny: Int, dimension: Int) throws(PETScError) {
        self.handle = handle
        self.nx = nx
        self.ny = ny
        self.dimension = dimension
        var s: DM? = handle
        var width: PetscInt = 0
        var type = DMDA_STENCIL_STAR
        do {
            try check(DMSetFromOptions(handle), "DMSetFromOptions")
            try check(DMSetUp(handle), "DMSetUp")
            try check(DMDAGetInfo(handle, nil, nil, nil, nil, nil, nil, nil, nil, &width, nil, nil, nil, &type),
                      "DMDAGetInfo")
        } catch {
            _ = DMDestroy(&s)
            throw error
        }
        stencilWidth = Int(width)
        stencil = dimension == 1 || type == DMDA_STENCIL_BOX ? .box : .star
        var x: PetscInt = 0, y: PetscInt = 0, z: PetscInt = 0, m: PetscInt = 0, n: PetscInt = 0, p: PetscInt = 0
        DMDAGetCorners(handle, &x, &y, &z, &m, &n, &p)
        ownedBox = GridBox(xs: Int(x)..<Int(x + m), ys: Int(y)..<Int(y + (dimension == 1 ? 1 : n)))
        DMDAGetGhostCorners(handle, &x, &y, &z, &m, &n, &p)
        ghostedBox = GridBox(xs: Int(x)..<Int(x + m), ys: Int(y)..<Int(y + (dimension == 1 ? 1 : n)))
    }

    deinit {
        if PETSc.isActive {
            var d: DM? = handle
            _ = DMDestroy(&d)
        }
    }

    /// The number of points over all ranks.
    public var count: Int { nx * ny }

    /// A new global vector (owned box on each rank), zero.
    ///
    /// - Throws: ``PETScError``.
    public func makeGlobalVector() throws(PETScError) -> DistributedVector {
        var v: Vec?
        try check(DMCreateGlobalVector(handle, &v), "DMCreateGlobalVector")
        let out = DistributedVector(owning: v!)
        try out.fill(0)
        return out
    }

    /// A new local vector (ghosted box of this rank), zero.
    ///
    /// - Throws: ``PETScError``.
    public func makeLocalVector() throws(PETScError) -> DistributedVector {
        var v: Vec?
        try check(DMCreateLocalVector(handle, &v), "DMCreateLocalVector")
        let out = DistributedVector(owning: v!)
        try out.fill(0)
        return out
    }

    /// Fills `local`'s owned and ghost entries from the owners of `global` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func scatterToLocal(_ global: DistributedVector, _ local: DistributedVector) throws(PETScError) {
        try check(DMGlobalToLocalBegin(handle, global.handle, INSERT_VALUES, local.handle), "DMGlobalToLocalBegin")
        try check(DMGlobalToLocalEnd(handle, global.handle, INSERT_VALUES, local.handle), "DMGlobalToLocalEnd")
    }

    /// Adds every entry of `local` (owned and ghost) into its owner's entry of
    /// `global`, the transpose of ``scatterToLocal(_:_:)`` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func addLocalToGlobal(_ local: DistributedVector, _ global: DistributedVector) throws(PETScError) {
        try check(DMLocalToGlobalBegin(handle, local.handle, ADD_VALUES, global.handle), "DMLocalToGlobalBegin")
        try check(DMLocalToGlobalEnd(handle, local.handle, ADD_VALUES, global.handle), "DMLocalToGlobalEnd")
    }
}
