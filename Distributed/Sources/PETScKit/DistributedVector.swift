import CPETSc

/// A PETSc `Vec`: a vector split across the ranks, each owning a contiguous
/// block of entries (or, for a DMDA local vector, this rank's patch with its
/// ghost layers).
///
/// The class owns its `Vec` and destroys it on release, unless it wraps a
/// `Vec` lent by PETSc to a callback (``init(borrowing:)``).
public final class DistributedVector {
    /// The PETSc handle.
    public let handle: Vec
    let owns: Bool

    /// Takes ownership of `handle`.
    public init(owning handle: Vec) {
        self.handle = handle
        owns = true
    }

    /// Wraps `handle` without owning it (a `Vec` lent to a callback).
    public init(borrowing handle: Vec) {
        self.handle = handle
        owns = false
    }

    /// A vector of `globalCount` entries split by PETSc, or with
    /// `localCount` entries on this rank.
    ///
    /// - Throws: ``PETScError``.
    public convenience init(localCount: Int? = nil, globalCount: Int? = nil) throws(PETScError) {
        var v: Vec?
        try check(VecCreate(cpetsc_comm_world(), &v), "VecCreate")
        try check(VecSetSizes(v, PetscInt(localCount ?? Int(cpetsc_decide())),
                              PetscInt(globalCount ?? Int(cpetsc_decide()))), "VecSetSizes")
        try check(VecSetType(v, VECMPI), "VecSetType")
        self.init(owning: v!)
    }

    deinit {
        if owns && PETSc.isActive {
            var v: Vec? = handle
            _ = VecDestroy(&v)
        }
    }

    /// The number of entries this rank holds.
    public var localCount: Int {
        var n: PetscInt = 0
        VecGetLocalSize(handle, &n)
        return Int(n)
    }

    /// The number of entries over all ranks.
    public var globalCount: Int {
        var n: PetscInt = 0
        VecGetSize(handle, &n)
        return Int(n)
    }

    /// The global index range this rank owns.
    public var ownershipRange: Range<Int> {
        var lo: PetscInt = 0, hi: PetscInt = 0
        VecGetOwnershipRange(handle, &lo, &hi)
        return Int(lo)..<Int(hi)
    }

    /// A new vector with the same layout (contents not copied).
    ///
    /// - Throws: ``PETScError``.
    public func duplicate() throws(PETScError) -> DistributedVector {
        var v: Vec?
        try check(VecDuplicate(handle, &v), "VecDuplicate")
        return DistributedVector(owning: v!)
    }

    /// A new vector with the same layout and contents.
    ///
    /// - Throws: ``PETScError``.
    public func copy() throws(PETScError) -> DistributedVector {
        let v = try duplicate()
        try check(VecCopy(handle, v.handle), "VecCopy")
        return v
    }

    /// Runs `body` on this rank's entries, which it may change (no copy).
    ///
    /// - Throws: ``PETScError``.
    public func withLocalEntries<R>(_ body: (UnsafeMutableBufferPointer<Double>) -> R) throws(PETScError) -> R {
        var p: UnsafeMutablePointer<PetscScalar>?
        try check(VecGetArray(handle, &p), "VecGetArray")
        let result = body(UnsafeMutableBufferPointer(start: p, count: localCount))
        try check(VecRestoreArray(handle, &p), "VecRestoreArray")
        return result
    }

    /// This rank's entries, copied.
    ///
    /// - Throws: ``PETScError``.
    public func localEntries() throws(PETScError) -> [Double] {
        var p: UnsafePointer<PetscScalar>?
        try check(VecGetArrayRead(handle, &p), "VecGetArrayRead")
        defer { VecRestoreArrayRead(handle, &p) }
        return Array(UnsafeBufferPointer(start: p, count: localCount))
    }

    /// Overwrites this rank's entries.
    ///
    /// - Parameter values: length ``localCount``.
    /// - Throws: ``PETScError``.
    public func setLocalEntries(_ values: [Double]) throws(PETScError) {
        precondition(values.count == localCount, "setLocalEntries: \(values.count) values for \(localCount) entries")
        var p: UnsafeMutablePointer<PetscScalar>?
        try check(VecGetArray(handle, &p), "VecGetArray")
        values.withUnsafeBufferPointer { v in if let b = v.baseAddress { p?.update(from: b, count: v.count) } }
        try check(VecRestoreArray(handle, &p), "VecRestoreArray")
    }

    /// Sets every entry to `value` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func fill(_ value: Double) throws(PETScError) { try check(VecSet(handle, value), "VecSet") }

    /// `self ← a·x + self` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func addScaled(_ a: Double, _ x: DistributedVector) throws(PETScError) {
        try check(VecAXPY(handle, a, x.handle), "VecAXPY")
    }

    /// `self ← a·self` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func scale(_ a: Double) throws(PETScError) { try check(VecScale(handle, a), "VecScale") }

    /// `⟨self, other⟩` over all ranks (collective).
    ///
    /// - Throws: ``PETScError``.
    public func dot(_ other: DistributedVector) throws(PETScError) -> Double {
        var d: PetscScalar = 0
        try check(VecDot(handle, other.handle, &d), "VecDot")
        return d
    }

    /// `‖self‖₂` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func norm2() throws(PETScError) -> Double {
        var n: PetscReal = 0
        try check(VecNorm(handle, NORM_2, &n), "VecNorm")
        return n
    }

    /// `‖self‖∞` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func normInfinity() throws(PETScError) -> Double {
        var n: PetscReal = 0
        try check(VecNorm(handle, NORM_INFINITY, &n), "VecNorm")
        return n
    }

    /// Every entry of the vector, on every rank, in global order (collective;
    /// for checks at small sizes).
    ///
    /// - Throws: ``PETScError``.
    public func gatheredToAll() throws(PETScError) -> [Double] {
        var scatter: VecScatter?
        var all: Vec?
        try check(VecScatterCreateToAll(handle, &scatter, &all), "VecScatterCreateToAll")
        defer { VecScatterDestroy(&scatter); VecDestroy(&all) }
        try check(VecScatterBegin(scatter, handle, all, INSERT_VALUES, SCATTER_FORWARD), "VecScatterBegin")
        try check(VecScatterEnd(scatter, handle, all, INSERT_VALUES, SCATTER_FORWARD), "VecScatterEnd")
        return try DistributedVector(borrowing: all!).localEntries()
    }
}
