import CPETSc

extension StructuredGrid {
    /// The index in PETSc's global vectors of each point of this rank's
    /// ghosted box (in ``ghostedBox`` order, `i` fastest), from the DMDA's
    /// local-to-global mapping: what turns a local Jacobian's columns into
    /// global matrix columns.
    ///
    /// ```
    /// global[ghostedBox.offset(i, j)] = the global-vector index of point (i, j)
    /// ```
    ///
    /// With a star stencil the corner points of the ghosted box have global
    /// indices here but are never exchanged by ``scatterToLocal(_:_:)``
    /// (``GridStencil``). A negative index (PETSc's "unmapped") must be
    /// treated as not available.
    ///
    /// - Returns: ``ghostedBox``'s count of indices.
    /// - Throws: ``PETScError``.
    public func ghostedGlobalIndices() throws(PETScError) -> [Int] {
        var map: ISLocalToGlobalMapping?
        try check(DMGetLocalToGlobalMapping(handle, &map), "DMGetLocalToGlobalMapping")
        var size: PetscInt = 0
        try check(ISLocalToGlobalMappingGetSize(map, &size), "ISLocalToGlobalMappingGetSize")
        precondition(Int(size) == ghostedBox.count, "ghostedGlobalIndices: \(size) mapped points for \(ghostedBox.count)")
        var indices: UnsafePointer<PetscInt>?
        try check(ISLocalToGlobalMappingGetIndices(map, &indices), "ISLocalToGlobalMappingGetIndices")
        defer { ISLocalToGlobalMappingRestoreIndices(map, &indices) }
        return UnsafeBufferPointer(start: indices, count: Int(size)).map { Int($0) }
    }
}
