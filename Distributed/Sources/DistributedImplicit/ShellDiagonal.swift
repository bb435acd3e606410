import AutoDiff
import LinearAlgebra
import PETScKit

/// The diagonal of `A = ∂F/∂y` on this rank's owned rows, from a few reverse
/// sweeps of the recording: what a shell `A` gives PETSc's Jacobi
/// preconditioner (`MATOP_GET_DIAGONAL`).
///
/// Owned row `r` is the unknown at ghosted column `g(r)` of the local `A`.
/// Seeding the cotangent with the rows of a set `S` gives, at column `g(r)`
/// for `r ∈ S`, `A[r, g(r)] + Σ_{s ∈ S, s ≠ r} A[s, g(r)]`; the sum vanishes
/// when no two rows of `S` couple. So the rows are coloured so that rows of
/// one colour do not couple either way, and one sweep per colour gives their
/// diagonal:
///
/// ```
/// r ~ s  ⇔  A[r, g(s)] ≠ 0  or  A[s, g(r)] ≠ 0          (owned rows only)
/// colour = greedy colouring of ~ in row order           (2 colours for the 5- and 7-point stars,
///                                                         about 2ᵈ for box stencils, × dof when components couple)
/// diag[r] = (Jᵀ (Σ_{colour(s) = c} e_s))[g(r)]           one reverse sweep per colour
/// ```
///
/// Reverse rather than forward sweeps (the colouring serves both, being
/// symmetric): the adjoint solve, the common use, already sweeps the tape in
/// reverse, so the diagonal needs no second sweep workspace there.
///
/// This is a distance-1 colouring of the rows' coupling graph, where the
/// assembly's column colouring is distance-2 (no two columns of one colour
/// in any row): fewer sweeps (2 against 7 on the 5-point stencil), and a dense
/// row costs one colour more instead of a colour per column. The colouring
/// keeps the owned rows in colour order, not the pattern; the diagonal is
/// swept when PETSc first asks for it and kept.
final class ShellDiagonal {
    /// The ghosted column of each owned row's own unknown.
    let columnOfRow: [Int32]
    /// The owned rows, colour by colour: colour `c` is `rowsByColor[colorStarts[c] ..< colorStarts[c + 1]]`.
    let rowsByColor: [Int32]
    let colorStarts: [Int]
    private var values: [Double]?

    /// Colours the owned rows of `grid` from the pattern of the local `A`.
    ///
    /// Memory: 32-bit row indices, and of the pattern's transpose only its
    /// owned columns (what row `r` reads of other owned rows), freed on return.
    ///
    /// - Parameters:
    ///   - pattern: owned rows × ghosted unknowns (``GridLinearization/localJacobianPattern()``).
    ///   - grid: the grid the rows and columns belong to.
    init(pattern: SparsityPattern, grid: StructuredGrid) {
        let dof = grid.dof, rows = grid.ownedUnknowns
        precondition(grid.ghostedUnknowns < Int(Int32.max), "ShellDiagonal: more ghosted unknowns than 32-bit indices")
        var columnOfRow = [Int32](repeating: 0, count: rows)
        var rowOfColumn = [Int32](repeating: -1, count: grid.ghostedUnknowns)
        for r in 0..<rows {
            let (i, j, k) = grid.ownedBox.point(at: r / dof)
            let g = grid.ghostedBox.offset(i, j, k) * dof + r % dof
            columnOfRow[r] = Int32(g)
            rowOfColumn[g] = Int32(r)
        }
        // reads[readStarts[r] ..< readStarts[r + 1]]: the other owned rows s with A[r, g(s)] ≠ 0.
        var readStarts = [Int](repeating: 0, count: rows + 1)
        for s in 0..<rows {
            let g = Int(columnOfRow[s])
            for p in pattern.columnPointers[g]..<pattern.columnPointers[g + 1] where pattern.rowIndices[p] != s {
                readStarts[pattern.rowIndices[p] + 1] += 1
            }
        }
        for r in 0..<rows { readStarts[r + 1] += readStarts[r] }
        var fill = readStarts
        var reads = [Int32](repeating: 0, count: readStarts[rows])
        for s in 0..<rows {
            let g = Int(columnOfRow[s])
            for p in pattern.columnPointers[g]..<pattern.columnPointers[g + 1] where pattern.rowIndices[p] != s {
                let r = pattern.rowIndices[p]
                reads[fill[r]] = Int32(s)
                fill[r] += 1
            }
        }
        fill = []
        rowOfColumn = []
        var color = [Int32](repeating: -1, count: rows)
        var forbiddenFor = [Int32](repeating: -1, count: rows + 1)
        var counts: [Int] = []
        for r in 0..<rows {
            let mark = Int32(r)
            for p in readStarts[r]..<readStarts[r + 1] where color[Int(reads[p])] >= 0 {
                forbiddenFor[Int(color[Int(reads[p])])] = mark
            }
            let g = Int(columnOfRow[r])
            for p in pattern.columnPointers[g]..<pattern.columnPointers[g + 1] {
                let s = pattern.rowIndices[p]
                if s != r, color[s] >= 0 { forbiddenFor[Int(color[s])] = mark }
            }
            var c = 0
            while forbiddenFor[c] == mark { c += 1 }
            color[r] = Int32(c)
            if c == counts.count { counts.append(0) }
            counts[c] += 1
        }
        var colorStarts = [0]
        for n in counts { colorStarts.append(colorStarts[colorStarts.count - 1] + n) }
        var next = colorStarts
        var rowsByColor = [Int32](repeating: 0, count: rows)
        for r in 0..<rows {
            let c = Int(color[r])
            rowsByColor[next[c]] = Int32(r)
            next[c] += 1
        }
        self.columnOfRow = columnOfRow
        self.rowsByColor = rowsByColor
        self.colorStarts = colorStarts
    }

    /// The number of sweeps the diagonal costs.
    var colorCount: Int { colorStarts.count - 1 }

    /// The diagonal of `A` on this rank's owned rows (no communication).
    ///
    /// - Parameter linear: the recording `A` comes from.
    /// - Returns: `grid.ownedUnknowns` entries.
    func diagonal(of linear: GridLinearization) -> [Double] {
        if let values { return values }
        let n = linear.parameterCount
        var cotangent = [Double](repeating: 0, count: columnOfRow.count)
        var adjoint = [Double](repeating: 0, count: n + linear.ghostedCount)
        var result = cotangent
        for c in 0..<colorCount {
            let rows = rowsByColor[colorStarts[c]..<colorStarts[c + 1]]
            for r in rows { cotangent[Int(r)] = 1 }
            linear.linearization.vjp(cotangent, into: &adjoint)
            for r in rows { result[Int(r)] = adjoint[n + Int(columnOfRow[Int(r)])] }
            for r in rows { cotangent[Int(r)] = 0 }
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
