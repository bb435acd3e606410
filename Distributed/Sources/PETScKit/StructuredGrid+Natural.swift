/// Whole-grid copies in natural order, for checks and small problems: the
/// global vectors' own order is by rank boxes, which differs from the
/// natural order on more than one rank in 2-D and 3-D.
///
/// ```
/// natural index of component c at point (i, j, k) = ((k · ny + j) · nx + i) · dof + c
/// ```
extension StructuredGrid {
    /// The natural index of component `c` at point `(i, j, k)`.
    ///
    /// - Parameters:
    ///   - i, j, k: a grid point (`j = 0` in 1-D, `k = 0` below 3-D).
    ///   - c: a component, `0 ≤ c < dof`.
    /// - Returns: `((k · ny + j) · nx + i) · dof + c`.
    @inlinable
    public func naturalIndex(_ i: Int, _ j: Int, _ k: Int = 0, component c: Int = 0) -> Int {
        ((k * ny + j) * nx + i) * dof + c
    }

    /// Every entry of the global vector `v`, in natural order, on every rank
    /// (collective: one reduction of ``unknownCount`` values).
    ///
    /// - Throws: ``PETScError``.
    public func naturalEntries(_ v: DistributedVector) throws(PETScError) -> [Double] {
        let owned = try v.localEntries()
        var all = [Double](repeating: 0, count: unknownCount)
        let box = ownedBox
        for k in box.zs { for j in box.ys { for i in box.xs {
            let from = box.offset(i, j, k) * dof, to = naturalIndex(i, j, k)
            for c in 0..<dof { all[to + c] = owned[from + c] }
        } } }
        return Collective.sum(all)
    }

    /// A global vector whose entries take the values of `natural` (natural
    /// order, the same on every rank).
    ///
    /// - Parameter natural: ``unknownCount`` values.
    /// - Throws: ``PETScError``.
    public func globalVector(natural: [Double]) throws(PETScError) -> DistributedVector {
        precondition(natural.count == unknownCount,
                     "globalVector(natural:): \(natural.count) values for \(unknownCount) unknowns")
        let v = try makeGlobalVector()
        let box = ownedBox
        var owned = [Double](repeating: 0, count: ownedUnknowns)
        for k in box.zs { for j in box.ys { for i in box.xs {
            let to = box.offset(i, j, k) * dof, from = naturalIndex(i, j, k)
            for c in 0..<dof { owned[to + c] = natural[from + c] }
        } } }
        try v.setLocalEntries(owned)
        return v
    }
}
