import AutoDiff
import LinearAlgebra
import PETScKit

/// `A = ∂F/∂y` assembled as a distributed sparse matrix (`MPIAIJ`; `SEQAIJ`
/// on one rank) from this rank's coloured local Jacobian, with what the
/// assembly found, for plans and reports.
public struct AssembledJacobian {
    /// The matrix, preallocated exactly from the local patterns.
    public let matrix: AssembledMatrix
    /// Colours (sweeps of the local tape) used on this rank.
    public let localColors: Int
    /// The colouring of the local `A`'s columns on this rank.
    public let coloring: ColumnColoring
    /// Stored entries on this rank's rows.
    public let localNonZeros: Int
    /// Stored entries over all ranks.
    public let globalNonZeros: Int
}

extension GridLinearization {
    /// The pattern of the local `A`: this rank's owned rows × its ghosted
    /// unknowns (``GridPatch``'s `ghostedBox` order, components together), from one backward search
    /// over the recording (`BivariateLinearization.jacobianPatterns()`:
    /// partials exactly zero at this point are dropped).
    public func localJacobianPattern() -> SparsityPattern { bivariate.jacobianPatterns().y }

    /// Assembles `A` from the local Jacobian of every rank (collective).
    ///
    /// ```
    /// P_local   = pattern of ∂F_owned/∂y_ghosted            (one backward search per row)
    /// colours   = ColumnColoring(P_local, order: .natural)    (greedy, columns in grid order)
    /// A_local   = one forward tape sweep per colour           (never owned × ghosted dense)
    /// column g  → global index ℓ(g)                           (the DMDA's local-to-global mapping)
    /// preallocate each owned row: entries with ℓ(g) owned (diagonal block), others (off-diagonal)
    /// MatSetValues(row, ℓ(columns), values); MatAssemblyBegin/End
    /// ```
    ///
    /// The colouring is the greedy one in natural (grid) order, forward sweeps
    /// only: on a stencil it needs a few colours more than smallest-last
    /// ordering (7 against 5 for the 5-point stencil), but costs a fraction of
    /// it, and a second, row colouring (what `JacobianCompression`
    /// adds for the reverse direction) pays only for dense columns, which
    /// local stencil conditions do not have. Column colouring needs at least
    /// the longest row's count of sweeps, which is why
    /// ``DistributedRepresentation/automatic`` keeps `A` a shell when a row is dense.
    ///
    /// Rows are only this rank's, so assembly sends nothing between ranks
    /// except PETSc's own bookkeeping. Local failures — a compressed sweep
    /// that does not match the pattern or gives a non-finite entry, a column
    /// whose point PETSc's mapping gives no global index — are agreed on by
    /// one reduction before any rank creates the matrix, so every rank throws
    /// the same case.
    ///
    /// On a star-stencil grid the corner ghosts are in the ghosted box and
    /// have global indices, but are never exchanged: conditions that read
    /// diagonal neighbours are refused before assembly, on both paths, by
    /// ``checkStencil(pattern:)`` and ``GridPatch``'s read record.
    ///
    /// - Parameters:
    ///   - pattern: ``localJacobianPattern()`` (passed in so a caller
    ///     that already has it does not search twice).
    ///   - coloring: a colouring of `pattern`'s columns kept from an earlier
    ///     assembly with the same pattern, or `nil` (default) to colour them.
    /// - Returns: the assembled matrix and its statistics.
    /// - Throws: on every rank alike: ``DistributedImplicitError/localJacobianFailed(_:)``,
    ///   ``DistributedImplicitError/petsc(_:)``.
    public func assembleA(pattern: SparsityPattern,
                          coloring: ColumnColoring? = nil) throws(DistributedImplicitError) -> AssembledJacobian {
        try assembleBlock(withRespectToY: true, pattern: pattern,
                          coloring: coloring ?? ColumnColoring(pattern, order: .natural),
                          columnGrid: grid, columnName: "point")
    }

    /// One block of the local Jacobian (`A` on `grid`'s columns, or `B` on a
    /// parameter grid's) as an MPIAIJ matrix (collective): one forward sweep
    /// per colour, rows transposed out of the compressed columns, ghosted
    /// columns mapped to `columnGrid`'s global indices, and PETSc's
    /// preallocation counted from the owned column range. Local failures are
    /// agreed on by one reduction before any rank creates the matrix.
    ///
    /// - Parameters:
    ///   - withRespectToY: `true` for `A`, `false` for `B`.
    ///   - pattern: the block's local pattern (owned rows × `columnGrid`'s ghosted unknowns).
    ///   - coloring: a colouring of `pattern`'s columns.
    ///   - columnGrid: the grid the columns live on.
    ///   - columnName: what a column is, for the message of a column without a global index.
    /// - Returns: the assembled block and its statistics.
    /// - Throws: on every rank alike: ``DistributedImplicitError/localJacobianFailed(_:)``,
    ///   ``DistributedImplicitError/petsc(_:)``.
    func assembleBlock(withRespectToY: Bool, pattern: SparsityPattern, coloring: ColumnColoring,
                       columnGrid: StructuredGrid, columnName: String)
        throws(DistributedImplicitError) -> AssembledJacobian
    {
        var failure = ""
        var rowPointers: [Int] = [0], columns: [Int] = [], values: [Double] = []
        var diagonal: [Int] = [], offDiagonal: [Int] = []
        var rows = 0..<0, ownedColumns = 0..<0
        do {
            rows = try solutionLayout()
            ownedColumns = try columnGrid.makeGlobalVector().ownershipRange
            let global = try columnGrid.ghostedGlobalIndices()
            let rowsView = try bivariate.compressedJacobian(withRespectToY: withRespectToY, pattern: pattern,
                                                            coloring: coloring).transposed()
            // rowsView's column r holds row r of the local block: its ghosted columns and values.
            let p = rowsView.pattern
            rowPointers = p.columnPointers
            columns = p.rowIndices.map { global[$0] }
            values = rowsView.values
            diagonal.reserveCapacity(p.columns)
            offDiagonal.reserveCapacity(p.columns)
            for r in 0..<p.columns {
                var d = 0
                for k in p.columnPointers[r]..<p.columnPointers[r + 1] where ownedColumns.contains(columns[k]) { d += 1 }
                diagonal.append(d)
                offDiagonal.append(p.columnPointers[r + 1] - p.columnPointers[r] - d)
            }
            if let k = columns.firstIndex(where: { $0 < 0 }) {
                failure = "the conditions read ghosted \(columnName) \(p.rowIndices[k]), which has no global index"
            }
        } catch {
            failure = "\(error)"
        }
        if Collective.any(!failure.isEmpty) {
            throw .localJacobianFailed(failure.isEmpty ? "failed on another rank" : failure)
        }
        do {
            let m = try AssembledMatrix(localRows: rows.count, localColumns: ownedColumns.count,
                                        diagonalNonzeros: diagonal, offDiagonalNonzeros: offDiagonal)
            try m.setRows(rows, rowPointers: rowPointers, columns: columns, values: values)
            try m.assemble()
            return AssembledJacobian(matrix: m, localColors: coloring.colorCount, coloring: coloring,
                                     localNonZeros: values.count, globalNonZeros: try m.globalNonZeroCount())
        } catch { throw .petsc(error) }
    }

    /// The global rows this rank owns (the layout of the grid's global vectors).
    func solutionLayout() throws(PETScError) -> Range<Int> {
        try grid.makeGlobalVector().ownershipRange
    }
}
