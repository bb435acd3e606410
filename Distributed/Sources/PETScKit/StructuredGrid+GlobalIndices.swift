import CPETSc

extension StructuredGrid {
    /// The index in PETSc's global vectors of each entry of this rank's
    /// local vectors (``ghostedBox`` order, `i` fastest, the ``dof``
    /// components of a point together), from the DMDA's local-to-global
    /// mapping: what turns a local Jacobian's columns into global matrix
    /// columns.
    ///
    /// ```
    /// global[ghostedBox.offset(i, j, k) · dof + c] = the global-vector index of component c at (i, j, k)
    /// ```
    ///
    /// With a star stencil the corner (and in 3-D edge) points of the ghosted box have global
    /// indices here but are never exchanged by ``scatterToLocal(_:_:)``
    /// (``GridStencil``). A negative index (PETSc's "unmapped") must be
    /// treated as not available.
    ///
    /// - Returns: ``ghostedUnknowns`` indices.
    /// - Throws: ``PETScError``.
    public func ghostedGlobalIndices() throws(PETScError) -> [Int] {
        var map: ISLocalToGlobalMapping?
        try check(DMGetLocalToGlobalMapping(handle, &map), "DMGetLocalToGlobalMapping")
        var size: PetscInt = 0
        try check(ISLocalToGlobalMappingGetSize(map, &size), "ISLocalToGlobalMappingGetSize")
        precondition(Int(size) == ghostedUnknowns, "ghostedGlobalIndices: \(size) mapped entries for \(ghostedUnknowns)")
        var indices: UnsafePointer<PetscInt>?
        try check(ISLocalToGlobalMappingGetIndices(map, &indices), "ISLocalToGlobalMappingGetIndices")
        defer { ISLocalToGlobalMappingRestoreIndices(map, &indices) }
        return UnsafeBufferPointer(start: indices, count: Int(size)).map { Int($0) }
    }
}
