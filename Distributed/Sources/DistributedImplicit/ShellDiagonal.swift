import AutoDiff
import LinearAlgebra
import PETScKit

/// The diagonal of `A = ∂F/∂y` on this rank's owned rows, from a few forward
/// sweeps of the recording: what a shell `A` gives PETSc's Jacobi
/// preconditioner (`MATOP_GET_DIAGONAL`).
///
/// Owned row `r` is the unknown at ghosted column `g(r)` of the local `A`.
/// Seeding the columns `g(s)` of a set `S` of owned rows gives, in row `r ∈ S`,
/// `A[r, g(r)] + Σ_{s ∈ S, s ≠ r} A[r, g(s)]`; the sum vanishes when no two
/// rows of `S` couple. So the rows are coloured so that rows of one colour do
/// not couple either way, and one sweep per colour gives their diagonal:
///
/// ```
/// r ~ s  ⇔  A[r, g(s)] ≠ 0  or  A[s, g(r)] ≠ 0       (owned rows only; ghost columns are seeded 0)
/// colour = greedy colouring of ~ in row order        (2 colours for the 5- and 7-point stars,
///                                                      about 2ᵈ for box stencils, × dof when components couple)
/// diag[r] = (J (Σ_{colour(s) = c} e_{g(s)}))[r]       one forward sweep per colour
/// ```
///
/// This is a distance-1 colouring of the rows' coupling graph, where the
/// assembly's column colouring is distance-2 (no two columns of one colour
/// in any row): fewer sweeps (2 against 7 on the 5-point stencil), and a dense
/// row costs one colour more instead of a colour per column. The colouring
/// keeps one colour per owned row, not the pattern; the diagonal is swept on
/// first use and kept.
final class ShellDiagonal {
    /// The ghosted column of each owned row's own unknown.
    let columnOfRow: [Int]
    /// The owned rows of each colour.
    let rowsOfColor: [[Int]]
    private var values: [Double]?

    /// Colours the owned rows of `grid` from the pattern of the local `A`.
    ///
    /// - Parameters:
    ///   - pattern: owned rows × ghosted unknowns (``GridLinearization/localJacobianPattern()``).
    ///   - grid: the grid the rows and columns belong to.
    init(pattern: SparsityPattern, grid: StructuredGrid) {
        let dof = grid.dof, rows = grid.ownedUnknowns
        var columnOfRow = [Int](repeating: 0, count: rows)
        var rowOfColumn = [Int](repeating: -1, count: grid.ghostedUnknowns)
        for r in 0..<rows {
            let (i, j, k) = grid.ownedBox.point(at: r / dof)
            let g = grid.ghostedBox.offset(i, j, k) * dof + r % dof
            columnOfRow[r] = g
            rowOfColumn[g] = r
        }
        // The transpose lists each owned row's columns; the pattern lists each column's rows.
        let byRow = pattern.transposed()
        var color = [Int](repeating: -1, count: rows)
        var forbiddenFor = [Int](repeating: -1, count: rows + 1)
        var rowsOfColor: [[Int]] = []
        for r in 0..<rows {
            for p in byRow.columnPointers[r]..<byRow.columnPointers[r + 1] {
                let s = rowOfColumn[byRow.rowIndices[p]]
                if s >= 0, s != r, color[s] >= 0 { forbiddenFor[color[s]] = r }
            }
            let g = columnOfRow[r]
            for p in pattern.columnPointers[g]..<pattern.columnPointers[g + 1] {
                let s = pattern.rowIndices[p]
                if s != r, color[s] >= 0 { forbiddenFor[color[s]] = r }
            }
            var c = 0
            while forbiddenFor[c] == r { c += 1 }
            color[r] = c
            if c == rowsOfColor.count { rowsOfColor.append([]) }
            rowsOfColor[c].append(r)
        }
        self.columnOfRow = columnOfRow
        self.rowsOfColor = rowsOfColor
    }

    /// The number of sweeps the diagonal costs.
    var colorCount: Int { rowsOfColor.count }

    /// The diagonal of `A` on this rank's owned rows (no communication).
    ///
    /// - Parameter linear: the recording `A` comes from.
    /// - Returns: `grid.ownedUnknowns` entries.
    func diagonal(of linear: GridLinearization) -> [Double] {
        if let values { return values }
        let n = linear.parameterCount
        var seed = [Double](repeating: 0, count: n + linear.ghostedCount)
        var out = [Double](repeating: 0, count: columnOfRow.count)
        var result = out
        for rows in rowsOfColor {
            for r in rows { seed[n + columnOfRow[r]] = 1 }
            linear.linearization.jvp(seed, into: &out)
            for r in rows { result[r] = out[r] }
            for r in rows { seed[n + columnOfRow[r]] = 0 }
        }
        values = result
        return result
    }
}

extension GridLinearization {
    /// `A` as a PETSc shell matrix: products by tape sweeps and ghost
    /// exchanges (``applyA(_:into:)``, ``applyAT(_:into:)``), its diagonal by
    /// `diagonal`'s sweeps, for PETSc's Jacobi preconditioner (collective).
    ///
    /// - Parameter diagonal: the colouring of this rank's owned rows.
    /// - Returns: the operator.
    /// - Throws: `PETScError`.
    func shellOperator(diagonal: ShellDiagonal) throws(PETScError) -> ShellOperator {
        let n = grid.ownedUnknowns
        return try ShellOperator(localRows: n, localColumns: n,
                                 multiply: { v, out in try self.applyA(v, into: out) },
                                 multiplyTransposed: { u, out in try self.applyAT(u, into: out) },
                                 diagonal: { d in try d.setLocalEntries(diagonal.diagonal(of: self)) })
    }
}
