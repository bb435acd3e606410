/// Whole-grid copies in natural order (`i` fastest over the whole grid), for
/// checks and small problems: the global vectors' own order is by rank
/// boxes, which differs from the natural order on more than one rank in 2-D.
extension StructuredGrid {
    /// Every point of the global vector `v`, in natural order, on every rank
    /// (collective: one reduction of `nx·ny` values).
    ///
    /// - Throws: ``PETScError``.
    public func naturalEntries(_ v: DistributedVector) throws(PETScError) -> [Double] {
        let owned = try v.localEntries()
        var all = [Double](repeating: 0, count: count)
        let box = ownedBox
        for j in box.ys { for i in box.xs { all[i + nx * j] = owned[box.offset(i, j)] } }
        return Collective.sum(all)
    }

    /// A global vector whose points take the values of `natural` (natural
    /// order, the same on every rank).
    ///
    /// - Parameter natural: `nx·ny` values.
    /// - Throws: ``PETScError``.
    public func globalVector(natural: [Double]) throws(PETScError) -> DistributedVector {
        precondition(natural.count == count, "globalVector(natural:): \(natural.count) values for \(count) points")
        let v = try makeGlobalVector()
        let box = ownedBox
        var owned = [Double](repeating: 0, count: box.count)
        for j in box.ys { for i in box.xs { owned[box.offset(i, j)] = natural[i + nx * j] } }
        try v.setLocalEntries(owned)
        return v
    }
}
