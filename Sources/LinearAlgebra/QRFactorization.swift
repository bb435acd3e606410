/// The Householder QR factorization of a full-rank rectangular matrix, for
/// least-squares (tall) and least-norm (wide) solves with `A` and `Aᵀ` on the
/// same factors.
///
/// The invariant: a tall `A` (`rows ≥ columns`) is stored as `A = Q R`; a
/// wide `A` is stored as `Aᵀ = Q R` (LAPACK `dgeqrf`), with `Q` orthogonal
/// (kept as Householder reflectors) and `R` square upper triangular with a
/// nonzero diagonal. With the tall factor `T = Q R` (`p × q`, `p ≥ q`) there
/// are two solves, each a `dormqr` and a `dtrtrs`:
///
/// ```
/// least squares   T⁺ b  = R⁻¹ (Qᵀ b)[0..<q]        argmin ‖T x − b‖₂
/// least norm     (Tᵀ)⁺ c = Q [R⁻ᵀ c; 0]             argmin ‖y‖₂ s.t. Tᵀ y = c
/// ```
///
/// Tall `A`: `solve` is the least-squares solve and `solveTransposed` the
/// least-norm one. Wide `A` (`T = Aᵀ`): the other way round. Either way
/// `solve(b) = A⁺ b` and `solveTransposed(c) = (Aᵀ)⁺ c = (A⁺)ᵀ c`.
///
/// Rank is checked from the diagonal of `R`, without column pivoting; for
/// rank-deficient problems use ``SVDFactorization``.
public struct QRFactorization: Sendable {
    /// `R` on and above the diagonal, reflectors below, of the tall factor (`p × q`).
    @usableFromInline let factors: [Double]
    /// The `q` Householder scalars.
    @usableFromInline let tau: [Double]
    /// `true` when `A` is wide and the factors are those of `Aᵀ`.
    @usableFromInline let isWide: Bool
    /// The condition estimate of `R`, computed on first access.
    @usableFromInline let conditionCache = CachedEstimate()
    /// The number of rows `m` of `A`.
    public let rows: Int
    /// The number of columns `n` of `A`.
    public let columns: Int

    /// Factors `A` (tall) or `Aᵀ` (wide) by Householder QR and checks its rank.
    ///
    /// Writing `R` for the triangular factor, `A` has full rank when
    ///
    /// ```
    /// |R_ii| > max(rows, columns) · ε · max_k |R_kk|     for every i < min(rows, columns)
    /// ```
    ///
    /// A matrix with a zero dimension has (vacuously) full rank.
    ///
    /// - Parameter a: any `m × n` matrix with finite entries and full rank
    ///   `min(m, n)`.
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(_:)`` when an entry is
    ///   NaN or ±∞; ``LinearAlgebraError/rankDeficient(rank:expected:)`` with
    ///   the number of diagonal entries of `R` above the threshold.
    public init(_ a: Matrix) throws(LinearAlgebraError) {
        if let bad = LAPACKKernels.firstNonFinite(a.elements) {
            throw .nonFiniteInput(entryDescription(bad, rows: a.rows, of: "QRFactorization: the matrix"))
        }
        let wide = a.rows < a.columns
        var factors = wide ? a.transposed().elements : a.elements
        let p = Swift.max(a.rows, a.columns), q = Swift.min(a.rows, a.columns)
        var tau = [Double](repeating: 0, count: q)
        if q > 0 {
            let info = factors.withUnsafeMutableBufferPointer { f in
                tau.withUnsafeMutableBufferPointer { t in
                    LAPACKKernels.geqrf(p, q, f.baseAddress!, lda: p, tau: t.baseAddress!)
                }
            }
            if info != 0 { throw lapackError(info, in: .geqrf, order: q) }
            var largest = 0.0
            for i in 0..<q { largest = Swift.max(largest, Swift.abs(factors[i + i * p])) }
            let threshold = Double(p) * Double.ulpOfOne * largest
            var rank = 0
            for i in 0..<q where Swift.abs(factors[i + i * p]) > threshold { rank += 1 }
            if rank < q { throw .rankDeficient(rank: rank, expected: q) }
        }
        self.factors = factors
        self.tau = tau
        self.isWide = wide
        self.rows = a.rows
        self.columns = a.columns
    }

    /// The reciprocal 1-norm condition number of the triangular factor `R`,
    /// estimated by LAPACK `dtrcon`, in `(0, 1]` (`1` for a zero dimension).
    ///
    /// ```
    /// reciprocalCondition ≈ 1 / (‖R‖₁ ‖R⁻¹‖₁),    κ₂(A) = κ₂(R)
    /// ```
    ///
    /// Since `Q` is orthogonal, `R` has the 2-norm condition number of `A`;
    /// the 1-norm value differs from it by at most a factor `min(rows, columns)`.
    /// A least-squares solve loses about `−log₁₀(reciprocalCondition)` digits
    /// (twice that when the residual is large). Computed once, on first
    /// access (`O(min(rows, columns)²)`), and shared by copies.
    public var reciprocalCondition: Double {
        conditionCache.value(estimateReciprocalCondition)
    }

    @inline(never)
    func estimateReciprocalCondition() -> Double {
        let p = Swift.max(rows, columns), q = Swift.min(rows, columns)
        guard q > 0 else { return 1 }
        var rcond = 0.0
        let info = factors.withUnsafeBufferPointer { f in
            LAPACKKernels.trcon(q, f.baseAddress!, lda: p, rcond: &rcond)
        }
        // Only illegal arguments make dtrcon fail.
        precondition(info == 0, "\(lapackError(info, in: .trcon, order: q))")
        return rcond
    }

    /// The solution `x = A⁺ b`: the least-squares solution when `A` is tall,
    /// the least-norm solution of `A x = b` when `A` is wide.
    ///
    /// ```
    /// tall:  x = argmin ‖A x − b‖₂        wide:  x = argmin ‖x‖₂ s.t. A x = b
    /// ```
    ///
    /// - Parameter b: length ``rows``, finite entries.
    /// - Returns: `x`, length ``columns``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `b.count ≠ rows`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        guard b.count == rows else {
            throw .dimensionMismatch("QRFactorization.solve: right-hand side has length \(b.count), expected \(rows)")
        }
        return try apply(b, rightHandSides: 1, transposed: false)
    }

    /// The solution `y = (Aᵀ)⁺ c = (A⁺)ᵀ c` on the same factors: least norm
    /// when `A` is tall, least squares when `A` is wide.
    ///
    /// - Parameter c: length ``columns``, finite entries.
    /// - Returns: `y`, length ``rows``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `c.count ≠ columns`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] {
        guard c.count == columns else {
            throw .dimensionMismatch("QRFactorization.solveTransposed: right-hand side has length \(c.count), "
                                     + "expected \(columns)")
        }
        return try apply(c, rightHandSides: 1, transposed: true)
    }

    /// `X = A⁺ B` for every column of `B` (`rows × k`); returns `columns × k`.
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `b.rows ≠ rows`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard b.rows == rows else {
            throw .dimensionMismatch("QRFactorization.solve: right-hand sides are \(b.rows)×\(b.columns), "
                                     + "expected \(rows) rows")
        }
        let x = try apply(b.elements, rightHandSides: b.columns, transposed: false)
        return Matrix(rows: columns, columns: b.columns, elements: x)
    }

    /// `Y = (Aᵀ)⁺ C` for every column of `C` (`columns × k`); returns `rows × k`.
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `c.rows ≠ columns`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard c.rows == columns else {
            throw .dimensionMismatch("QRFactorization.solveTransposed: right-hand sides are \(c.rows)×\(c.columns), "
                                     + "expected \(columns) rows")
        }
        let y = try apply(c.elements, rightHandSides: c.columns, transposed: true)
        return Matrix(rows: rows, columns: c.columns, elements: y)
    }

    /// `A⁺ B` or `(Aᵀ)⁺ B` for a column-major block `B` of `k` columns.
    func apply(_ b: [Double], rightHandSides k: Int, transposed: Bool) throws(LinearAlgebraError) -> [Double] {
        if let bad = LAPACKKernels.firstNonFinite(b) {
            throw .nonFiniteInput(entryDescription(bad, rows: transposed ? columns : rows,
                                                   of: "QRFactorization: the right-hand side"))
        }
        // `A⁺` is a least-squares solve with the tall factor exactly when A is tall.
        return transposed == isWide ? try leastSquares(b, k) : try leastNorm(b, k)
    }

    /// `T⁺ B = R⁻¹ (Qᵀ B)[0..<q, :]` for `B` of size `p × k`; returns `q × k`.
    func leastSquares(_ b: [Double], _ k: Int) throws(LinearAlgebraError) -> [Double] {
        let p = Swift.max(rows, columns), q = Swift.min(rows, columns)
        guard q > 0 && k > 0 else { return [Double](repeating: 0, count: q * k) }
        var c = b
        let info = factors.withUnsafeBufferPointer { f in
            tau.withUnsafeBufferPointer { t in
                c.withUnsafeMutableBufferPointer { cb in
                    var info = LAPACKKernels.ormqr(transpose: true, p, k, reflectors: q, f.baseAddress!, lda: p,
                                                   tau: t.baseAddress!, cb.baseAddress!, ldc: p)
                    if info != 0 { return (info, LAPACKRoutine.ormqr) }
                    info = LAPACKKernels.trtrs(transpose: false, q, rightHandSides: k, f.baseAddress!, lda: p,
                                               cb.baseAddress!, ldb: p)
                    return (info, LAPACKRoutine.trtrs)
                }
            }
        }
        if info.0 != 0 { throw lapackError(info.0, in: info.1, order: q) }
        if p == q { return c }
        var x = [Double]()
        x.reserveCapacity(q * k)
        for j in 0..<k { x.append(contentsOf: c[(j * p)..<(j * p + q)]) }
        return x
    }

    /// `(Tᵀ)⁺ B = Q [R⁻ᵀ B; 0]` for `B` of size `q × k`; returns `p × k`.
    func leastNorm(_ b: [Double], _ k: Int) throws(LinearAlgebraError) -> [Double] {
        let p = Swift.max(rows, columns), q = Swift.min(rows, columns)
        guard q > 0 && k > 0 else { return [Double](repeating: 0, count: p * k) }
        var y = [Double](repeating: 0, count: p * k)
        for j in 0..<k { y.replaceSubrange((j * p)..<(j * p + q), with: b[(j * q)..<(j * q + q)]) }
        let info = factors.withUnsafeBufferPointer { f in
            tau.withUnsafeBufferPointer { t in
                y.withUnsafeMutableBufferPointer { yb in
                    var info = LAPACKKernels.trtrs(transpose: true, q, rightHandSides: k, f.baseAddress!, lda: p,
                                                   yb.baseAddress!, ldb: p)
                    if info != 0 { return (info, LAPACKRoutine.trtrs) }
                    info = LAPACKKernels.ormqr(transpose: false, p, k, reflectors: q, f.baseAddress!, lda: p,
                                               tau: t.baseAddress!, yb.baseAddress!, ldc: p)
                    return (info, LAPACKRoutine.ormqr)
                }
            }
        }
        if info.0 != 0 { throw lapackError(info.0, in: info.1, order: q) }
        return y
    }
}
