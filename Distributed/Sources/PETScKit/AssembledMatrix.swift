import CPETSc

/// A distributed sparse matrix in PETSc's `MPIAIJ` format (`SEQAIJ` on one
/// rank), assembled from entries each rank adds for any row, then
/// communicated by ``assemble()``.
///
/// ```swift
/// let A = try AssembledMatrix(localRows: n, localColumns: n, diagonalNonzeros: 3, offDiagonalNonzeros: 1)
/// for i in A.ownedRows { try A.add(row: i, columns: [i], values: [2]) }
/// try A.assemble()
/// ```
public final class AssembledMatrix {
    /// The PETSc handle.
    public let handle: Mat

    /// An empty matrix with this rank's block of rows and columns.
    ///
    /// - Parameters:
    ///   - localRows, localColumns: this rank's share (the layouts of `A x` and `x`).
    ///   - diagonalNonzeros: preallocation per row in the diagonal block.
    ///   - offDiagonalNonzeros: preallocation per row in the off-diagonal block.
    /// - Throws: ``PETScError``.
    public init(localRows: Int, localColumns: Int, diagonalNonzeros: Int,
                offDiagonalNonzeros: Int) throws(PETScError) {
        var m: Mat?
        try check(MatCreateAIJ(cpetsc_comm_world(), PetscInt(localRows), PetscInt(localColumns),
                               PetscInt(cpetsc_decide()), PetscInt(cpetsc_decide()),
                               PetscInt(diagonalNonzeros), nil, PetscInt(offDiagonalNonzeros), nil, &m),
                  "MatCreateAIJ")
        handle = m!
    }

    /// An empty matrix with this rank's block of rows and columns,
    /// preallocated row by row from a known pattern (the exact number of
    /// entries of each owned row in the diagonal and off-diagonal blocks), so
    /// that setting the pattern's values allocates nothing more. An entry
    /// outside the preallocation is an error (`MAT_NEW_NONZERO_ALLOCATION_ERR`),
    /// not a silent reallocation.
    ///
    /// - Parameters:
    ///   - localRows, localColumns: this rank's share (the layouts of `A x` and `x`).
    ///   - diagonalNonzeros: per owned row, its entries whose column this rank owns.
    ///   - offDiagonalNonzeros: per owned row, its other entries.
    /// - Throws: ``PETScError``.
    public init(localRows: Int, localColumns: Int, diagonalNonzeros: [Int],
                offDiagonalNonzeros: [Int]) throws(PETScError) {
        precondition(diagonalNonzeros.count == localRows && offDiagonalNonzeros.count == localRows,
                     "AssembledMatrix: \(diagonalNonzeros.count), \(offDiagonalNonzeros.count) counts for \(localRows) rows")
        let d = diagonalNonzeros.map { PetscInt($0) }, o = offDiagonalNonzeros.map { PetscInt($0) }
        var m: Mat?
        try check(MatCreateAIJ(cpetsc_comm_world(), PetscInt(localRows), PetscInt(localColumns),
                               PetscInt(cpetsc_decide()), PetscInt(cpetsc_decide()), 0, d, 0, o, &m),
                  "MatCreateAIJ")
        handle = m!
        try check(MatSetOption(handle, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE), "MatSetOption")
    }

    deinit {
        if PETSc.isActive {
            var m: Mat? = handle
            _ = MatDestroy(&m)
        }
    }

    /// The global rows this rank owns.
    public var ownedRows: Range<Int> {
        var lo: PetscInt = 0, hi: PetscInt = 0
        MatGetOwnershipRange(handle, &lo, &hi)
        return Int(lo)..<Int(hi)
    }

    /// Adds `values` at `(row, columns[k])` (global indices; any row).
    ///
    /// - Throws: ``PETScError``.
    public func add(row: Int, columns: [Int], values: [Double]) throws(PETScError) {
        precondition(columns.count == values.count, "AssembledMatrix.add: \(columns.count) columns, \(values.count) values")
        var r = PetscInt(row)
        let c = columns.map { PetscInt($0) }
        try check(MatSetValues(handle, 1, &r, PetscInt(c.count), c, values, ADD_VALUES), "MatSetValues")
    }

    /// Sets (overwrites) the entries of consecutive owned rows from
    /// compressed rows in global indices: row `rows.lowerBound + r` has the
    /// entries `rowPointers[r] ..< rowPointers[r + 1]` of `columns` and `values`.
    /// One `MatSetValues` call per row.
    ///
    /// - Parameters:
    ///   - rows: global row indices, owned by this rank.
    ///   - rowPointers: `rows.count + 1` non-decreasing offsets from 0 to `columns.count`.
    ///   - columns: global column indices.
    ///   - values: one per column index.
    /// - Throws: ``PETScError``.
    public func setRows(_ rows: Range<Int>, rowPointers: [Int], columns: [Int], values: [Double]) throws(PETScError) {
        precondition(rowPointers.count == rows.count + 1 && columns.count == values.count
                     && rowPointers.last == columns.count, "AssembledMatrix.setRows: inconsistent compressed rows")
        let c = columns.map { PetscInt($0) }
        var failure: PetscErrorCode = 0
        c.withUnsafeBufferPointer { cb in
            values.withUnsafeBufferPointer { vb in
                for r in 0..<rows.count where failure == 0 {
                    var row = PetscInt(rows.lowerBound + r)
                    let start = rowPointers[r], count = rowPointers[r + 1] - start
                    if count == 0 { continue }
                    failure = MatSetValues(handle, 1, &row, PetscInt(count), cb.baseAddress! + start,
                                           vb.baseAddress! + start, INSERT_VALUES)
                }
            }
        }
        try check(failure, "MatSetValues")
    }

    /// The number of stored entries over all ranks (collective).
    ///
    /// - Throws: ``PETScError``.
    public func globalNonZeroCount() throws(PETScError) -> Int {
        var info = MatInfo()
        try check(MatGetInfo(handle, MAT_GLOBAL_SUM, &info), "MatGetInfo")
        return Int(info.nz_used)
    }

    /// Communicates the entries added for rows other ranks own (collective).
    ///
    /// - Throws: ``PETScError``.
    public func assemble() throws(PETScError) {
        try check(MatAssemblyBegin(handle, MAT_FINAL_ASSEMBLY), "MatAssemblyBegin")
        try check(MatAssemblyEnd(handle, MAT_FINAL_ASSEMBLY), "MatAssemblyEnd")
    }

    /// `y ← A x` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func multiply(_ x: DistributedVector, into y: DistributedVector) throws(PETScError) {
        try check(MatMult(handle, x.handle, y.handle), "MatMult")
    }

    /// `y ← Aᵀ x` (collective; `x` in the rows' layout, `y` in the columns').
    ///
    /// - Throws: ``PETScError``.
    public func multiplyTransposed(_ x: DistributedVector, into y: DistributedVector) throws(PETScError) {
        try check(MatMultTranspose(handle, x.handle, y.handle), "MatMultTranspose")
    }
}
