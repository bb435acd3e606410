import CPETSc

/// A box of grid points `x ∈ xs, y ∈ ys, z ∈ zs` (global indices; `ys == 0..<1`
/// in 1-D, `zs == 0..<1` in 1-D and 2-D).
public struct GridBox: Sendable, Equatable {
    /// The first axis' index range.
    public var xs: Range<Int>
    /// The second axis' index range.
    public var ys: Range<Int>
    /// The third axis' index range (`0..<1` below three dimensions).
    public var zs: Range<Int>
    /// Creates a box.
    public init(xs: Range<Int>, ys: Range<Int>, zs: Range<Int> = 0..<1) {
        self.xs = xs
        self.ys = ys
        self.zs = zs
    }
    /// The number of points.
    public var count: Int { xs.count * ys.count * zs.count }
    /// Whether `(i, j, k)` lies inside (`k = 0` below three dimensions).
    @inlinable public func contains(_ i: Int, _ j: Int, _ k: Int = 0) -> Bool {
        xs.contains(i) && ys.contains(j) && zs.contains(k)
    }
    /// The position of `(i, j, k)` in this box's storage order (`i` fastest, then `j`, then `k`).
    @inlinable public func offset(_ i: Int, _ j: Int, _ k: Int = 0) -> Int {
        (i - xs.lowerBound) + xs.count * ((j - ys.lowerBound) + ys.count * (k - zs.lowerBound))
    }
    /// The point at `offset` in this box's storage order: the inverse of ``offset(_:_:_:)``.
    ///
    /// - Parameter offset: `0 ≤ offset < count`.
    /// - Returns: its global grid indices.
    @inlinable public func point(at offset: Int) -> (i: Int, j: Int, k: Int) {
        let plane = xs.count * ys.count
        let k = offset / plane, rest = offset - k * plane
        let j = rest / xs.count
        return (xs.lowerBound + rest - j * xs.count, ys.lowerBound + j, zs.lowerBound + k)
    }
}

/// Which ghost points a ``StructuredGrid``'s exchange fills: the DMDA's stencil type.
///
/// ```
/// star   ghosts outside the owned box along one axis only (the arms of a cross:
///        in 2-D (i, j) with i in the owned columns or j in the owned rows)
/// box    every ghost of the ghosted box, corners (and in 3-D edges) included
/// ```
///
/// With ``star`` the ghosts outside the owned box along two or three axes
/// (the corner blocks in 2-D; the edge and corner blocks in 3-D) are part of
/// local vectors and have global indices, but no exchange ever writes them.
/// In 1-D the two coincide.
public enum GridStencil: Sendable, Hashable, CustomStringConvertible {
    /// `DMDA_STENCIL_STAR`: ghosts along the axes only.
    case star
    /// `DMDA_STENCIL_BOX`: every ghost, corners included.
    case box

    /// `"star"` or `"box"`.
    public var description: String { self == .star ? "star" : "box" }
}

/// A PETSc `DMDA`: a structured 1-D, 2-D or 3-D grid of `nx × ny × nz`
/// points with ``dof`` unknowns per point and non-periodic (Dirichlet-style)
/// edges, split across the ranks in boxes, each rank's box surrounded by
/// ghost layers of width ``stencilWidth``.
///
/// A *global* vector holds each rank's owned box (``ownedBox``); a *local*
/// vector holds the ghosted box (``ghostedBox``), filled from the owners by
/// ``scatterToLocal(_:_:)``. ``addLocalToGlobal(_:_:)`` is the transpose:
/// every ghost's value is added into its owner's entry. Both store the
/// points in their box's order (`i` fastest, then `j`, then `k`) and the
/// components of a point together (PETSc's interlaced layout):
///
/// ```
/// entry of component c at point (i, j, k) = box.offset(i, j, k) · dof + c
/// ```
public final class StructuredGrid {
    /// The PETSc handle.
    public let handle: DM
    /// Points along the first axis.
    public let nx: Int
    /// Points along the second axis (1 for a 1-D grid).
    public let ny: Int
    /// Points along the third axis (1 for a 1-D or 2-D grid).
    public let nz: Int
    /// 1, 2 or 3.
    public let dimension: Int
    /// Unknowns per grid point (the DMDA's `dof`), `≥ 1`.
    public let dof: Int
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
    ///   - dof: unknowns per point, `≥ 1`.
    ///   - stencilWidth: ghost width `≥ 1`.
    /// - Throws: ``PETScError``.
    public convenience init(nx: Int, dof: Int = 1, stencilWidth: Int = 1) throws(PETScError) {
        var dm: DM?
        try check(DMDACreate1d(cpetsc_comm_world(), DM_BOUNDARY_NONE, PetscInt(nx), PetscInt(dof),
                               PetscInt(stencilWidth), nil, &dm), "DMDACreate1d")
        try self.init(handle: dm!, nx: nx, ny: 1, nz: 1, dimension: 1, dof: dof)
    }

    /// A 2-D grid of `nx × ny` points with a star (5-point) or box (9-point) stencil.
    ///
    /// - Parameters:
    ///   - nx, ny: `≥ 1` each; the split over ranks is PETSc's.
    ///   - dof: unknowns per point, `≥ 1`.
    ///   - stencilWidth: ghost width `≥ 1`.
    ///   - box: `true` for corner ghosts too (`DMDA_STENCIL_BOX`): needed by
    ///     conditions that read diagonal neighbours (``GridStencil``).
    /// - Throws: ``PETScError``.
    public convenience init(nx: Int, ny: Int, dof: Int = 1, stencilWidth: Int = 1, box: Bool = false)
        throws(PETScError)
    {
        var dm: DM?
        try check(DMDACreate2d(cpetsc_comm_world(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                               box ? DMDA_STENCIL_BOX : DMDA_STENCIL_STAR, PetscInt(nx), PetscInt(ny),
                               PetscInt(cpetsc_decide()), PetscInt(cpetsc_decide()), PetscInt(dof),
                               PetscInt(stencilWidth), nil, nil, &dm), "DMDACreate2d")
        try self.init(handle: dm!, nx: nx, ny: ny, nz: 1, dimension: 2, dof: dof)
    }

    /// A 3-D grid of `nx × ny × nz` points with a star (7-point) or box (27-point) stencil.
    ///
    /// - Parameters:
    ///   - nx, ny, nz: `≥ 1` each; the split over ranks is PETSc's.
    ///   - dof: unknowns per point, `≥ 1`.
    ///   - stencilWidth: ghost width `≥ 1`.
    ///   - box: `true` for edge and corner ghosts too (`DMDA_STENCIL_BOX`):
    ///     needed by conditions that read neighbours offset along two or three
    ///     axes (``GridStencil``).
    /// - Throws: ``PETScError``.
    public convenience init(nx: Int, ny: Int, nz: Int, dof: Int = 1, stencilWidth: Int = 1, box: Bool = false)
        throws(PETScError)
    {
        var dm: DM?
        let decide = PetscInt(cpetsc_decide())
        try check(DMDACreate3d(cpetsc_comm_world(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                               box ? DMDA_STENCIL_BOX : DMDA_STENCIL_STAR, PetscInt(nx), PetscInt(ny), PetscInt(nz),
                               decide, decide, decide, PetscInt(dof), PetscInt(stencilWidth), nil, nil, nil, &dm),
                  "DMDACreate3d")
        try self.init(handle: dm!, nx: nx, ny: ny, nz: nz, dimension: 3, dof: dof)
    }

    private init(handle: DM, nx: Int, ny: Int, nz: Int, dimension: Int, dof: Int) throws(PETScError) {
        self.handle = handle
        self.nx = nx
        self.ny = ny
        self.nz = nz
        self.dimension = dimension
        var s: DM? = handle
        var width: PetscInt = 0, components: PetscInt = 0
        var type = DMDA_STENCIL_STAR
        do {
            try check(DMSetFromOptions(handle), "DMSetFromOptions")
            try check(DMSetUp(handle), "DMSetUp")
            try check(DMDAGetInfo(handle, nil, nil, nil, nil, nil, nil, nil, &components, &width, nil, nil, nil, &type),
                      "DMDAGetInfo")
        } catch {
            _ = DMDestroy(&s)
            throw error
        }
        self.dof = Int(components)
        stencilWidth = Int(width)
        stencil = dimension == 1 || type == DMDA_STENCIL_BOX ? .box : .star
        func box(_ x: PetscInt, _ y: PetscInt, _ z: PetscInt, _ m: PetscInt, _ n: PetscInt, _ p: PetscInt) -> GridBox {
            GridBox(xs: Int(x)..<Int(x + m), ys: dimension < 2 ? 0..<1 : Int(y)..<Int(y + n),
                    zs: dimension < 3 ? 0..<1 : Int(z)..<Int(z + p))
        }
        var x: PetscInt = 0, y: PetscInt = 0, z: PetscInt = 0, m: PetscInt = 0, n: PetscInt = 0, p: PetscInt = 0
        DMDAGetCorners(handle, &x, &y, &z, &m, &n, &p)
        ownedBox = box(x, y, z, m, n, p)
        DMDAGetGhostCorners(handle, &x, &y, &z, &m, &n, &p)
        ghostedBox = box(x, y, z, m, n, p)
    }

    deinit {
        if PETSc.isActive {
            var d: DM? = handle
            _ = DMDestroy(&d)
        }
    }

    /// The number of points over all ranks.
    public var count: Int { nx * ny * nz }

    /// The number of unknowns over all ranks: ``count`` · ``dof``.
    public var unknownCount: Int { count * dof }

    /// This rank's entries of a global vector: ``ownedBox``'s points · ``dof``.
    public var ownedUnknowns: Int { ownedBox.count * dof }

    /// This rank's entries of a local vector: ``ghostedBox``'s points · ``dof``.
    public var ghostedUnknowns: Int { ghostedBox.count * dof }

    /// A new global vector (owned box on each rank, ``ownedUnknowns`` entries), zero.
    ///
    /// - Throws: ``PETScError``.
    public func makeGlobalVector() throws(PETScError) -> DistributedVector {
        var v: Vec?
        try check(DMCreateGlobalVector(handle, &v), "DMCreateGlobalVector")
        let out = DistributedVector(owning: v!)
        try out.fill(0)
        return out
    }

    /// A new local vector (ghosted box of this rank, ``ghostedUnknowns`` entries), zero.
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
