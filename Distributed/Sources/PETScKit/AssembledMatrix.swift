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
}
