import CLAPACK

/// The internal pointer-level BLAS helpers: the only place (with
/// `LAPACKKernels`) where raw pointers meet C. Callers guarantee lengths.
@usableFromInline
enum BLASKernels {
    @inlinable
    static func dot(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Double {
        guard x.count > 0 else { return 0 }
        return cblas_ddot(blasint(x.count), x.baseAddress, 1, y.baseAddress, 1)
    }

    @inlinable
    static func axpy(_ alpha: Double, _ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>) {
        guard x.count > 0 else { return }
        cblas_daxpy(blasint(x.count), alpha, x.baseAddress, 1, y.baseAddress, 1)
    }

    @inlinable
    static func axpby(_ alpha: Double, _ x: UnsafeBufferPointer<Double>, _ beta: Double,
                      _ y: UnsafeMutableBufferPointer<Double>) {
        guard x.count > 0 else { return }
        if beta == 0 {
            // BLAS semantics: β = 0 ignores y (NaN included).
            for i in 0..<x.count { y[i] = alpha * x[i] }
        } else {
            cblas_daxpby(blasint(x.count), alpha, x.baseAddress, 1, beta, y.baseAddress, 1)
        }
    }

    @inlinable
    static func scal(_ alpha: Double, _ x: UnsafeMutableBufferPointer<Double>) {
        guard x.count > 0 else { return }
        cblas_dscal(blasint(x.count), alpha, x.baseAddress, 1)
    }

    @inlinable
    static func nrm2(_ x: UnsafeBufferPointer<Double>) -> Double {
        guard x.count > 0 else { return 0 }
        return cblas_dnrm2(blasint(x.count), x.baseAddress, 1)
    }

    @inlinable
    static func asum(_ x: UnsafeBufferPointer<Double>) -> Double {
        guard x.count > 0 else { return 0 }
        return cblas_dasum(blasint(x.count), x.baseAddress, 1)
    }

    @inlinable
    static func copy(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>) {
        guard x.count > 0 else { return }
        cblas_dcopy(blasint(x.count), x.baseAddress, 1, y.baseAddress, 1)
    }

    /// `y ← α op(A) x + β y` for a column-major `rows × columns` block at `a`
    /// with leading dimension `lda`.
    @inlinable
    static func gemv(transpose: Bool, rows: Int, columns: Int, alpha: Double,
                     a: UnsafePointer<Double>?, lda: Int,
                     x: UnsafeBufferPointer<Double>, beta: Double, y: UnsafeMutableBufferPointer<Double>) {
        guard y.count > 0 else { return }
        if rows == 0 || columns == 0 {
            // Empty product: y ← β y (β = 0 clears, even NaN).
            if beta == 0 { for i in 0..<y.count { y[i] = 0 } } else { scal(beta, y) }
            return
        }
        if rows * columns <= SmallMatrixKernels.smallGemvEntries, let a {
            SmallMatrixKernels.gemv(transpose: transpose, rows: rows, columns: columns, alpha: alpha,
                                    a: a, lda: Swift.max(1, lda), x: x, beta: beta, y: y)
            return
        }
        cblas_dgemv(CblasColMajor, transpose ? CblasTrans : CblasNoTrans,
                    blasint(rows), blasint(columns), alpha, a, blasint(Swift.max(1, lda)),
                    x.baseAddress, 1, beta, y.baseAddress, 1)
    }

    /// `C ← α op(A) op(B) + β C`, all column-major.
    @inlinable
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                     a: UnsafePointer<Double>?, lda: Int, b: UnsafePointer<Double>?, ldb: Int,
                     beta: Double, c: UnsafeMutablePointer<Double>?, ldc: Int) {
        guard m > 0 && n > 0 else { return }
        if k == 0 {
            let count = m * n
            if beta == 0 { c?.update(repeating: 0, count: count) } else {
                for i in 0..<count { c![i] *= beta }
            }
            return
        }
        if m * n * k <= SmallMatrixKernels.smallGemmVolume, let a, let b, let c {
            SmallMatrixKernels.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                    alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        cblas_dgemm(CblasColMajor, transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }
}
