import LinearAlgebra

/// Test-only dense direct solves, the reference the Krylov answers are
/// compared with.
///
/// Stands in for LinearAlgebra's LAPACK factorizations, which are developed
/// on another branch: swap `DirectSolveReference.solve` for
/// `LUFactorization(a).solve(b)` (and the transposed / least-squares variants)
/// once they are merged.
enum DirectSolveReference {
    /// `x = A⁻¹ b` by Gaussian elimination with partial pivoting.
    static func solve(_ a: Matrix, _ b: [Double]) -> [Double] {
        precondition(a.isSquare && a.rows == b.count, "DirectSolveReference.solve: shape mismatch")
        let n = a.rows
        var lu = a
        var x = b
        for k in 0..<n {
            var pivot = k
            for i in (k + 1)..<max(n, k + 1) where abs(lu[i, k]) > abs(lu[pivot, k]) { pivot = i }
            precondition(lu[pivot, k] != 0, "DirectSolveReference.solve: singular matrix")
            if pivot != k {
                for j in 0..<n { let t = lu[k, j]; lu[k, j] = lu[pivot, j]; lu[pivot, j] = t }
                x.swapAt(k, pivot)
            }
            for i in (k + 1)..<max(n, k + 1) {
                let l = lu[i, k] / lu[k, k]
                if l == 0 { continue }
                for j in (k + 1)..<n { lu[i, j] -= l * lu[k, j] }
                x[i] -= l * x[k]
            }
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]
            for j in (i + 1)..<max(n, i + 1) { s -= lu[i, j] * x[j] }
            x[i] = s / lu[i, i]
        }
        return x
    }

    /// `x = A⁻ᵀ c`.
    static func solveTransposed(_ a: Matrix, _ c: [Double]) -> [Double] {
        solve(a.transposed(), c)
    }

    /// The least-squares solution `argmin ‖A x − b‖` of a tall full-rank `A`,
    /// through the normal equations `AᵀA x = Aᵀb` (adequate for the
    /// well-conditioned test matrices; swap for QR when it is merged).
    static func leastSquares(_ a: Matrix, _ b: [Double]) -> [Double] {
        var normal = Matrix(rows: a.columns, columns: a.columns)
        BLAS.gemm(transposeA: true, 1, a, a, 0, &normal)
        return solve(normal, a.transposedTimes(b))
    }
}
