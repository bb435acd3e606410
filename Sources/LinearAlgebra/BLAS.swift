import CLAPACK

/// Level-1 and level-2/3 BLAS kernels on Swift arrays and ``Matrix``.
///
/// Every function checks its lengths with a `precondition` (a wrong length is a
/// programmer error) and then calls OpenBLAS through CBLAS. Vectors are dense
/// `[Double]` with unit stride. Nothing here allocates except the functions
/// that return a new array.
public enum BLAS {
    /// The dot product `xᵀy`.
    ///
    /// - Precondition: `x.count == y.count`.
    @inlinable
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "BLAS.dot: lengths \(x.count) and \(y.count) differ")
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in BLASKernels.dot(xp, yp) }
        }
    }

    /// `y ← αx + y`.
    ///
    /// - Precondition: `x.count == y.count`.
    @inlinable
    public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        precondition(x.count == y.count, "BLAS.axpy: lengths \(x.count) and \(y.count) differ")
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in BLASKernels.axpy(alpha, xp, yp) }
        }
    }

    /// `y ← αx + βy` (fused; one pass over memory).
    ///
    /// - Precondition: `x.count == y.count`.
    @inlinable
    public static func axpby(_ alpha: Double, _ x: [Double], _ beta: Double, _ y: inout [Double]) {
        precondition(x.count == y.count, "BLAS.axpby: lengths \(x.count) and \(y.count) differ")
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in BLASKernels.axpby(alpha, xp, beta, yp) }
        }
    }

    /// `x ← αx`.
    @inlinable
    public static func scal(_ alpha: Double, _ x: inout [Double]) {
        x.withUnsafeMutableBufferPointer { xp in BLASKernels.scal(alpha, xp) }
    }

    /// The Euclidean norm `‖x‖₂`, computed without overflow or underflow for
    /// entries near the limits of `Double` (BLAS `dnrm2` scales).
    @inlinable
    public static func nrm2(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { BLASKernels.nrm2($0) }
    }

    /// The sum of absolute values `‖x‖₁`.
    @inlinable
    public static func asum(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { BLASKernels.asum($0) }
    }

    /// `y ← x` (lengths must agree; no reallocation of `y`).
    @inlinable
    public static func copy(_ x: [Double], _ y: inout [Double]) {
        precondition(x.count == y.count, "BLAS.copy: lengths \(x.count) and \(y.count) differ")
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in BLASKernels.copy(xp, yp) }
        }
    }

    /// General matrix-vector product `y ← α op(A) x + β y`, `op(A) = A` or `Aᵀ`.
    ///
    /// - Parameters:
    ///   - transpose: use `Aᵀ` instead of `A`.
    ///   - alpha: scale of the product.
    ///   - a: the matrix.
    ///   - x: length `a.columns` (or `a.rows` when transposed).
    ///   - beta: scale of the old `y`; `0` ignores its contents (even NaN).
    ///   - y: length `a.rows` (or `a.columns` when transposed).
    @inlinable
    public static func gemv(transpose: Bool = false, _ alpha: Double, _ a: Matrix, _ x: [Double],
                            _ beta: Double, _ y: inout [Double]) {
        gemv(transpose: transpose, alpha, a, columns: 0..<a.columns, x, beta, &y)
    }

    /// `y ← α op(A[:, columns]) x + β y` on a contiguous block of columns of `A`.
    ///
    /// Krylov methods use this to orthogonalize against the first `j` basis
    /// vectors stored as the columns of one matrix.
    @inlinable
    public static func gemv(transpose: Bool = false, _ alpha: Double, _ a: Matrix, columns: Range<Int>,
                            _ x: [Double], _ beta: Double, _ y: inout [Double]) {
        precondition(columns.lowerBound >= 0 && columns.upperBound <= a.columns,
                     "BLAS.gemv: column range \(columns) outside 0..<\(a.columns)")
        let m = a.rows, n = columns.count
        precondition(x.count == (transpose ? m : n),
                     "BLAS.gemv: x has length \(x.count), expected \(transpose ? m : n)")
        precondition(y.count == (transpose ? n : m),
                     "BLAS.gemv: y has length \(y.count), expected \(transpose ? n : m)")
        a.elements.withUnsafeBufferPointer { ap in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    BLASKernels.gemv(transpose: transpose, rows: m, columns: n, alpha: alpha,
                                     a: ap.baseAddress.map { $0 + columns.lowerBound * m }, lda: m,
                                     x: xp, beta: beta, y: yp)
                }
            }
        }
    }

    /// General matrix-matrix product `C ← α op(A) op(B) + β C`.
    ///
    /// - Precondition: the shapes of `op(A)`, `op(B)` and `C` agree.
    @inlinable
    public static func gemm(transposeA: Bool = false, transposeB: Bool = false, _ alpha: Double,
                            _ a: Matrix, _ b: Matrix, _ beta: Double, _ c: inout Matrix) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "BLAS.gemm: inner dimensions \(k) and \(kb) differ")
        precondition(c.rows == m && c.columns == n,
                     "BLAS.gemm: C is \(c.rows)×\(c.columns), expected \(m)×\(n)")
        a.elements.withUnsafeBufferPointer { ap in
            b.elements.withUnsafeBufferPointer { bp in
                c.elements.withUnsafeMutableBufferPointer { cp in
                    BLASKernels.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                     alpha: alpha, a: ap.baseAddress, lda: Swift.max(1, a.rows),
                                     b: bp.baseAddress, ldb: Swift.max(1, b.rows), beta: beta,
                                     c: cp.baseAddress, ldc: Swift.max(1, m))
                }
            }
        }
    }
}

// MARK: - Matrix arithmetic on top of the kernels

extension Matrix {
    /// The matrix-vector product `A x`.
    @inlinable
    public static func * (a: Matrix, x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: a.rows)
        BLAS.gemv(1, a, x, 0, &y)
        return y
    }

    /// The matrix-matrix product `A B`.
    @inlinable
    public static func * (a: Matrix, b: Matrix) -> Matrix {
        var c = Matrix(rows: a.rows, columns: b.columns, repeating: 0)
        BLAS.gemm(1, a, b, 0, &c)
        return c
    }

    /// The scaled matrix `s A`.
    public static func * (s: Double, a: Matrix) -> Matrix {
        Matrix(rows: a.rows, columns: a.columns, elements: a.elements.map { s * $0 })
    }

    /// The entry-wise sum `A + B`.
    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns,
                     "Matrix +: shapes \(a.rows)×\(a.columns) and \(b.rows)×\(b.columns) differ")
        var c = b
        BLAS.axpy(1, a.elements, &c.elements)
        return c
    }

    /// The entry-wise difference `A − B`.
    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns,
                     "Matrix -: shapes \(a.rows)×\(a.columns) and \(b.rows)×\(b.columns) differ")
        var c = a
        BLAS.axpy(-1, b.elements, &c.elements)
        return c
    }

    /// The product `Aᵀ x` without forming `Aᵀ`.
    public func transposedTimes(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: columns)
        BLAS.gemv(transpose: true, 1, self, x, 0, &y)
        return y
    }

    /// The Frobenius norm `‖A‖_F`.
    public var frobeniusNorm: Double { BLAS.nrm2(elements) }

    /// The induced 1-norm `max_j Σ_i |a_ij|` (largest column sum).
    public var oneNorm: Double {
        var best = 0.0
        for j in 0..<columns {
            var s = 0.0
            for i in 0..<rows { s += Swift.abs(elements[i + j * rows]) }
            best = Swift.max(best, s)
        }
        return best
    }

    /// The induced ∞-norm `max_i Σ_j |a_ij|` (largest row sum).
    public var infinityNorm: Double { transposed().oneNorm }
}
