import LinearAlgebra

/// Structured and seeded matrices shared by the tests and the benchmarks.
public enum TestMatrices {
    /// A random `n × n` matrix made well conditioned by a dominant diagonal:
    /// `R + n·I` with `R` uniform in `[-1, 1)`; its condition number is small
    /// (well below 1e3 in practice).
    public static func wellConditioned(_ n: Int, seed: UInt64) -> Matrix {
        var rng = SeededRandom(seed: seed)
        var a = rng.matrix(n, n)
        for i in 0..<n { a[i, i] += Double(n) }
        return a
    }

    /// A random symmetric positive definite matrix `RᵀR + n·I`.
    public static func symmetricPositiveDefinite(_ n: Int, seed: UInt64) -> Matrix {
        var rng = SeededRandom(seed: seed)
        let r = rng.matrix(n, n)
        var a = Matrix(rows: n, columns: n)
        BLAS.gemm(transposeA: true, 1, r, r, 0, &a)
        for i in 0..<n { a[i, i] += Double(n) }
        return a
    }

    /// The Hilbert matrix `H[i, j] = 1 / (i + j + 1)`: notoriously ill conditioned.
    public static func hilbert(_ n: Int) -> Matrix {
        Matrix(rows: n, columns: n) { i, j in 1.0 / Double(i + j + 1) }
    }

    /// The 1-D Poisson matrix `tridiag(−1, 2, −1)` of order `n` (SPD).
    public static func poisson1D(_ n: Int) -> Matrix {
        Matrix(rows: n, columns: n) { i, j in i == j ? 2 : (abs(i - j) == 1 ? -1 : 0) }
    }

    /// The 2-D Poisson matrix (5-point Laplacian, Dirichlet) on a `k × k` grid:
    /// order `k²`, SPD.
    public static func poisson2D(_ k: Int) -> Matrix {
        let n = k * k
        var a = Matrix(rows: n, columns: n)
        for gy in 0..<k {
            for gx in 0..<k {
                let i = gx + gy * k
                a[i, i] = 4
                if gx > 0 { a[i, i - 1] = -1 }
                if gx < k - 1 { a[i, i + 1] = -1 }
                if gy > 0 { a[i, i - k] = -1 }
                if gy < k - 1 { a[i, i + k] = -1 }
            }
        }
        return a
    }

    /// A 1-D convection–diffusion matrix `tridiag(−1 − c, 2, −1 + c)` of order `n`
    /// (non-symmetric for `c ≠ 0`; diagonally dominant for `|c| < 1`).
    public static func convectionDiffusion(_ n: Int, convection c: Double = 0.4) -> Matrix {
        Matrix(rows: n, columns: n) { i, j in
            if i == j { return 2 }
            if j == i - 1 { return -1 - c }
            if j == i + 1 { return -1 + c }
            return 0
        }
    }
}

extension TestMatrices {
    /// A random dense `rows × columns` matrix in which each entry is non-zero
    /// (uniform in `[-1, 1)`) with probability `density`; `diagonal` is added
    /// to the main diagonal (e.g. `Double(n)` for a well-conditioned square matrix).
    public static func randomSparse(_ rows: Int, _ columns: Int, density: Double, diagonal: Double = 0,
                                    seed: UInt64) -> Matrix {
        var rng = SeededRandom(seed: seed)
        var a = Matrix(rows: rows, columns: columns)
        for j in 0..<columns {
            for i in 0..<rows where rng.uniform(0, 1) < density { a[i, j] = rng.uniform() }
        }
        for i in 0..<Swift.min(rows, columns) { a[i, i] += diagonal }
        return a
    }
}

extension TestMatrices {
    /// The 2-D Poisson matrix of ``poisson2D(_:)`` built directly in sparse
    /// form (no dense `k² × k²` array): order `k²`, five entries per interior row.
    public static func poisson2DSparse(_ k: Int) -> SparseMatrix {
        var pointers = [0], rows: [Int] = [], values: [Double] = []
        for gy in 0..<k {
            for gx in 0..<k {   // column j = gx + gy·k; its rows in increasing order
                let j = gx + gy * k
                if gy > 0 { rows.append(j - k); values.append(-1) }
                if gx > 0 { rows.append(j - 1); values.append(-1) }
                rows.append(j); values.append(4)
                if gx < k - 1 { rows.append(j + 1); values.append(-1) }
                if gy < k - 1 { rows.append(j + k); values.append(-1) }
                pointers.append(rows.count)
            }
        }
        return try! SparseMatrix(rows: k * k, columns: k * k, columnPointers: pointers, rowIndices: rows, values: values)
    }
}

extension SparseMatrix {
    /// The same pattern with each stored value `v` at `(row, column)` replaced by `body(row, column, v)`.
    ///
    /// - Parameter body: the new value of one stored entry.
    /// - Returns: the matrix with the new values (they must be finite).
    public func mappingEntries(_ body: (_ row: Int, _ column: Int, _ value: Double) -> Double) -> SparseMatrix {
        var mapped = values
        for j in 0..<columns {
            for p in pattern.columnPointers[j]..<pattern.columnPointers[j + 1] {
                mapped[p] = body(pattern.rowIndices[p], j, values[p])
            }
        }
        return try! SparseMatrix(pattern: pattern, values: mapped)
    }
}
