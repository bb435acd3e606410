/// The singular value decomposition of any rectangular matrix, truncated to
/// its numerical rank: the rank-revealing pseudo-inverse.
///
/// The invariant is `A = U Σ Vᵀ` (thin SVD, LAPACK `dgesdd`, falling back to
/// `dgesvd` when divide and conquer does not converge), `σ₁ ≥ σ₂ ≥ … ≥ 0`.
/// Singular values `σ_i ≤ tol · σ₁` are treated as zero; with `r` the number
/// kept (the rank),
///
/// ```
/// A⁺      = V_r Σ_r⁻¹ U_rᵀ          x = A⁺ b:  argmin ‖x‖₂ over argmin ‖A x − b‖₂
/// (Aᵀ)⁺   = U_r Σ_r⁻¹ V_rᵀ = (A⁺)ᵀ
/// ```
///
/// Each solve is two matrix-vector products (or products with `k` columns).
public struct SVDFactorization: Sendable {
    /// `U_r`, `rows × rank`, column-major.
    @usableFromInline let leftVectors: Matrix
    /// `V_rᵀ`, `rank × columns`, column-major.
    @usableFromInline let rightVectorsTransposed: Matrix
    /// `1 / σ_i` for the `rank` kept singular values.
    @usableFromInline let inverseSingularValues: [Double]
    /// All `min(rows, columns)` singular values in non-increasing order.
    public let singularValues: [Double]
    /// The numerical rank `r`: the number of `σ_i > relativeTolerance · σ₁`.
    public let rank: Int
    /// The number of rows `m` of `A`.
    public let rows: Int
    /// The number of columns `n` of `A`.
    public let columns: Int

    /// Computes the thin SVD of `A` and its numerical rank.
    ///
    /// ```
    /// rank = #{ i : σ_i > relativeTolerance · σ₁ }
    /// ```
    ///
    /// - Parameters:
    ///   - a: any `m × n` matrix with finite entries (a zero dimension is allowed).
    ///   - relativeTolerance: the relative cut-off, `0 ≤ relativeTolerance < 1`;
    ///     `nil` means `max(m, n) · ε`.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for a tolerance
    ///   out of range; ``LinearAlgebraError/nonFiniteInput(_:)`` when an entry
    ///   is NaN or ±∞; ``LinearAlgebraError/noConvergence(_:)`` when neither
    ///   `dgesdd` nor `dgesvd` converges.
    public init(_ a: Matrix, relativeTolerance: Double? = nil) throws(LinearAlgebraError) {
        let m = a.rows, n = a.columns, k = Swift.min(m, n)
        let tolerance = relativeTolerance ?? Double(Swift.max(m, n)) * Double.ulpOfOne
        guard tolerance >= 0 && tolerance < 1 else {
            throw .invalidArgument("SVDFactorization: relativeTolerance = \(tolerance) is outside [0, 1)")
        }
        if let bad = LAPACKKernels.firstNonFinite(a.elements) {
            throw .nonFiniteInput(entryDescription(bad, rows: m, of: "SVDFactorization: the matrix"))
        }
        var s = [Double](repeating: 0, count: k)
        var u = [Double](repeating: 0, count: m * k)
        var vt = [Double](repeating: 0, count: k * n)
        if k > 0 {
            for routine in [LAPACKRoutine.gesdd, .gesvd] {
                var work = a.elements
                let info = work.withUnsafeMutableBufferPointer { w in
                    s.withUnsafeMutableBufferPointer { sb in
                        u.withUnsafeMutableBufferPointer { ub in
                            vt.withUnsafeMutableBufferPointer { vb in
                                routine == .gesdd
                                    ? LAPACKKernels.gesdd(m, n, w.baseAddress!, lda: m, s: sb.baseAddress!,
                                                          u: ub.baseAddress!, ldu: m, vt: vb.baseAddress!, ldvt: k)
                                    : LAPACKKernels.gesvd(m, n, w.baseAddress!, lda: m, s: sb.baseAddress!,
                                                          u: ub.baseAddress!, ldu: m, vt: vb.baseAddress!, ldvt: k)
                            }
                        }
                    }
                }
                if info == 0 { break }
                if info < 0 || routine == .gesvd { throw lapackError(info, in: routine, order: k) }
            }
        }
        let cutoff = tolerance * (s.first ?? 0)
        var r = 0
        while r < k && s[r] > cutoff { r += 1 }
        // U_r: the first r columns of U (a prefix of its storage).
        self.leftVectors = Matrix(rows: m, columns: r, elements: Array(u[0..<(m * r)]))
        // V_rᵀ: the first r rows of Vᵀ (k × n, leading dimension k).
        self.rightVectorsTransposed = Matrix(rows: r, columns: n) { i, j in vt[i + j * k] }
        self.inverseSingularValues = s[0..<r].map { 1 / $0 }
        self.singularValues = s
        self.rank = r
        self.rows = m
        self.columns = n
    }

    /// `σ_min / σ_max` (the reciprocal 2-norm condition number) when `A` has
    /// full rank `min(rows, columns)`, `0` when it is rank deficient, and `1`
    /// for a matrix with a zero dimension.
    public var reciprocalCondition: Double {
        guard let first = singularValues.first, let last = singularValues.last else { return 1 }
        return rank < singularValues.count ? 0 : last / first
    }

    /// The minimum-norm least-squares solution `x = A⁺ b`.
    ///
    /// ```
    /// x = V_r Σ_r⁻¹ U_rᵀ b
    /// ```
    ///
    /// - Parameter b: length ``rows``, finite entries.
    /// - Returns: `x`, length ``columns``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `b.count ≠ rows`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        guard b.count == rows else {
            throw .dimensionMismatch("SVDFactorization.solve: right-hand side has length \(b.count), expected \(rows)")
        }
        return try apply(Matrix(rows: rows, columns: 1, elements: b), transposed: false).elements
    }

    /// The minimum-norm least-squares solution of `Aᵀ y = c`, `y = (Aᵀ)⁺ c = (A⁺)ᵀ c`.
    ///
    /// ```
    /// y = U_r Σ_r⁻¹ V_rᵀ c
    /// ```
    ///
    /// - Parameter c: length ``columns``, finite entries.
    /// - Returns: `y`, length ``rows``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `c.count ≠ columns`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] {
        guard c.count == columns else {
            throw .dimensionMismatch("SVDFactorization.solveTransposed: right-hand side has length \(c.count), "
                                     + "expected \(columns)")
        }
        return try apply(Matrix(rows: columns, columns: 1, elements: c), transposed: true).elements
    }

    /// `X = A⁺ B` for every column of `B` (`rows × k`); returns `columns × k`.
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `b.rows ≠ rows`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard b.rows == rows else {
            throw .dimensionMismatch("SVDFactorization.solve: right-hand sides are \(b.rows)×\(b.columns), "
                                     + "expected \(rows) rows")
        }
        return try apply(b, transposed: false)
    }

    /// `Y = (Aᵀ)⁺ C` for every column of `C` (`columns × k`); returns `rows × k`.
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `c.rows ≠ columns`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard c.rows == columns else {
            throw .dimensionMismatch("SVDFactorization.solveTransposed: right-hand sides are \(c.rows)×\(c.columns), "
                                     + "expected \(columns) rows")
        }
        return try apply(c, transposed: true)
    }

    /// `V_r Σ_r⁻¹ U_rᵀ B` (or `U_r Σ_r⁻¹ V_rᵀ B` when transposed), by two `dgemm`.
    func apply(_ b: Matrix, transposed: Bool) throws(LinearAlgebraError) -> Matrix {
        if let bad = LAPACKKernels.firstNonFinite(b.elements) {
            throw .nonFiniteInput(entryDescription(bad, rows: b.rows, of: "SVDFactorization: the right-hand side"))
        }
        let k = b.columns
        var t = Matrix(rows: rank, columns: k)
        var x = Matrix(rows: transposed ? rows : columns, columns: k)
        if transposed {
            BLAS.gemm(1, rightVectorsTransposed, b, 0, &t)
        } else {
            BLAS.gemm(transposeA: true, 1, leftVectors, b, 0, &t)
        }
        for j in 0..<k {
            for i in 0..<rank { t.elements[i + j * rank] *= inverseSingularValues[i] }
        }
        if transposed {
            BLAS.gemm(1, leftVectors, t, 0, &x)
        } else {
            BLAS.gemm(transposeA: true, 1, rightVectorsTransposed, t, 0, &x)
        }
        return x
    }
}
