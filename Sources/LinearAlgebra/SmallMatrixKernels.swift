/// Swift loops for `gemv` and `gemm` on tiny operands, where OpenBLAS's fixed
/// cost per call (argument checks, kernel dispatch, packing for `gemm`) is
/// larger than the arithmetic: a 10 × 10 `gemv` is 200 flops.
///
/// Same contract as the BLAS calls they replace: column-major operands with
/// leading dimensions, `β = 0` overwrites `y`/`C` without reading it (a NaN
/// there does not propagate), and every product is formed (no skipping of zero
/// entries, so `0·∞` is NaN as in OpenBLAS). The summation order differs from
/// OpenBLAS's kernels, so results may differ in the last bits.
@usableFromInline
enum SmallMatrixKernels {
    /// `gemv` runs as Swift loops when `rows · columns` is at most this.
    @usableFromInline static let smallGemvEntries = 512
    /// `gemm` runs as Swift loops when `m · n · k` is at most this.
    @usableFromInline static let smallGemmVolume = 8192

    /// `y ← α op(A) x + β y` by loops (see the type's contract).
    @inlinable
    static func gemv(transpose: Bool, rows: Int, columns: Int, alpha: Double,
                          a: UnsafePointer<Double>, lda: Int,
                          x: UnsafeBufferPointer<Double>, beta: Double, y: UnsafeMutableBufferPointer<Double>) {
        if transpose {   // y_j = α Σ_i A_ij x_i + β y_j
            for j in 0..<columns {
                var s = 0.0
                let col = a + j * lda
                for i in 0..<rows { s += col[i] * x[i] }
                y[j] = beta == 0 ? alpha * s : alpha * s + beta * y[j]
            }
        } else {         // y ← β y, then y += (α x_j) A[:, j] column by column
            if beta == 0 {
                for i in 0..<rows { y[i] = 0 }
            } else if beta != 1 {
                for i in 0..<rows { y[i] *= beta }
            }
            for j in 0..<columns {
                let t = alpha * x[j]
                let col = a + j * lda
                for i in 0..<rows { y[i] += t * col[i] }
            }
        }
    }

    /// `C ← α op(A) op(B) + β C` by loops (see the type's contract), `k ≥ 1`.
    @inlinable
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                          a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                          beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        for j in 0..<n {
            let cj = c + j * ldc
            if beta == 0 {
                for i in 0..<m { cj[i] = 0 }
            } else if beta != 1 {
                for i in 0..<m { cj[i] *= beta }
            }
            for l in 0..<k {
                let t = alpha * (transposeB ? b[j + l * ldb] : b[l + j * ldb])   // op(B)_lj
                if transposeA {   // op(A)_il = A_li
                    for i in 0..<m { cj[i] += t * a[l + i * lda] }
                } else {
                    let al = a + l * lda
                    for i in 0..<m { cj[i] += t * al[i] }
                }
            }
        }
    }
}
