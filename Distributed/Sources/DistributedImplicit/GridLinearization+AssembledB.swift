import AutoDiff
import LinearAlgebra
import PETScKit

extension GridLinearization {
    /// Assembles `B = ∂F/∂x` for a parameter field `x` on `parameterGrid`
    /// (collective): rows are this rank's residual rows, columns the parameter
    /// grid's global unknowns, from coloured forward sweeps of the recording
    /// with respect to its parameter inputs, as ``assembleA(pattern:)`` does for `A`.
    ///
    /// ```
    /// P_x       = pattern of ∂F_owned/∂x_ghosted              (owned rows × ghosted parameters)
    /// colours   = ColumnColoring(P_x, order: .natural)         one forward sweep per colour
    /// column g  → global parameter index ℓₓ(g)                (the parameter DMDA's local-to-global mapping)
    /// MPIAIJ:   local rows = grid.ownedUnknowns, local columns = parameterGrid.ownedUnknowns
    /// B ẋ = MatMult,  Bᵀ u = MatMultTranspose                  (PETSc's scatters replace the ghost exchanges)
    /// ```
    ///
    /// Local failures (a non-finite entry, a column without a global index)
    /// are agreed on by one reduction before any rank creates the matrix.
    ///
    /// - Parameters:
    ///   - pattern: the pattern of the local `B` (`bivariate.jacobianPatterns().x`).
    ///   - parameterGrid: the grid `x` lives on (same split as ``grid``).
    /// - Returns: the assembled `B` and its statistics.
    /// - Throws: on every rank alike: ``DistributedImplicitError/localJacobianFailed(_:)``,
    ///   ``DistributedImplicitError/petsc(_:)``.
    public func assembleB(pattern: SparsityPattern, parameterGrid: StructuredGrid)
        throws(DistributedImplicitError) -> AssembledJacobian
    {
        var failure = ""
        var rowPointers: [Int] = [0], columns: [Int] = [], values: [Double] = []
        var diagonal: [Int] = [], offDiagonal: [Int] = []
        var rows = 0..<0
        let coloring = ColumnColoring(pattern, order: .natural)
        do {
            rows = try solutionLayout()
            let ownedColumns = try parameterGrid.makeGlobalVector().ownershipRange
            let global = try parameterGrid.ghostedGlobalIndices()
            let rowsView = try bivariate.compressedJacobian(withRespectToY: false, pattern: pattern,
                                                            coloring: coloring).transposed()
            // rowsView's column r holds row r of the local B: its ghosted parameter columns and values.
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
                failure = "the conditions read ghosted parameter \(p.rowIndices[k]), which has no global index"
            }
        } catch {
            failure = "\(error)"
        }
        if Collective.any(!failure.isEmpty) {
            throw .localJacobianFailed(failure.isEmpty ? "failed on another rank" : failure)
        }
        do {
            let b = try AssembledMatrix(localRows: rows.count, localColumns: parameterGrid.ownedUnknowns,
                                        diagonalNonzeros: diagonal, offDiagonalNonzeros: offDiagonal)
            try b.setRows(rows, rowPointers: rowPointers, columns: columns, values: values)
            try b.assemble()
            return AssembledJacobian(matrix: b, localColors: coloring.colorCount, coloring: coloring, localNonZeros: values.count,
                                     globalNonZeros: try b.globalNonZeroCount())
        } catch { throw .petsc(error) }
    }
}
