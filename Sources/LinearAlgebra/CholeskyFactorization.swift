/// The Cholesky factorization of a symmetric positive definite matrix,
/// computed once and reused for any number of solves.
///
/// The invariant is `A = L Lᵀ` (LAPACK `dpotrf`, lower triangle) with `L`
/// lower triangular and a positive diagonal.
///
/// ```
/// A x = b   ⇔   x = L⁻ᵀ L⁻¹ b           (dpotrs)
/// rcond ≈ 1 / (‖A‖₁ ‖A⁻¹‖₁)             (dpocon)
/// ```
///
/// Symmetry is declared, not checked: only the lower triangle of `A`
/// (entries `A[i, j]` with `i ≥ j`) is read, and the upper triangle is taken
/// to be its mirror image. Since `A` is symmetric, `Aᵀ x = b` is the same
/// solve.
public struct CholeskyFactorization: Sendable {
    /// `L` in the lower triangle (the strict upper triangle holds whatever `A` had), `n × n`.
    @usableFromInline let factors: [Double]
    /// The order `n` of the matrix.
    public let dimension: Int
    /// `‖A‖₁` of the symmetric matrix, measured from its lower triangle.
    @usableFromInline let oneNorm: Double
    /// The condition estimate, computed on first access.
    @usableFromInline let conditionCache = CachedEstimate()

    /// Factors the symmetric positive definite `A = L Lᵀ` (`dpotrf`).
    ///
    /// An empty `0 × 0` matrix factors to the empty factorization.
    ///
    /// - Parameter a: a square matrix, `a.rows == a.columns ≥ 0`, whose lower
    ///   triangle is finite and holds a symmetric positive definite matrix.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when `a` is not
    ///   square; ``LinearAlgebraError/nonFiniteInput(_:)`` when an entry of the
    ///   lower triangle is NaN or ±∞;
    ///   ``LinearAlgebraError/notPositiveDefinite(minor:)`` with the one-based
    ///   order of the first leading minor that is not positive.
    public init(_ a: Matrix) throws(LinearAlgebraError) {
        guard a.rows == a.columns else {
            throw .dimensionMismatch("CholeskyFactorization needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        let n = a.rows
        let measured = LAPACKKernels.symmetricOneNormFromLower(a.elements, order: n)
        if let bad = measured.firstNonFinite {
            throw .nonFiniteInput(entryDescription(bad, rows: n, of: "CholeskyFactorization: the lower triangle"))
        }
        var factors = a.elements
        if n > 0 {
            let info = factors.withUnsafeMutableBufferPointer { f in
                LAPACKKernels.potrf(n, f.baseAddress!, lda: n)
            }
            if info != 0 { throw lapackError(info, in: .potrf, order: n) }
        }
        self.factors = factors
        self.dimension = n
        self.oneNorm = measured.oneNorm
    }

    /// The reciprocal of the 1-norm condition number, estimated by LAPACK
    /// `dpocon` from the factor, in `[0, 1]`.
    ///
    /// ```
    /// reciprocalCondition ≈ 1 / (‖A‖₁ ‖A⁻¹‖₁)
    /// ```
    ///
    /// Computed once, on first access (`O(n²)`), and shared by copies.
    public var reciprocalCondition: Double {
        conditionCache.value(estimateReciprocalCondition)
    }

    @inline(never)
    func estimateReciprocalCondition() -> Double {
        let n = dimension
        guard n > 0 else { return 1 }
        var rcond = 0.0
        let info = factors.withUnsafeBufferPointer { f in
            LAPACKKernels.pocon(n, f.baseAddress!, lda: n, anorm: oneNorm, rcond: &rcond)
        }
        // Only illegal arguments make dpocon fail, and the norm is finite and ≥ 0.
        precondition(info == 0, "\(lapackError(info, in: .pocon, order: n))")
        return rcond
    }

    /// Solves `A x = b` with the stored factors (`dpotrs`).
    ///
    /// - Parameter b: the right-hand side, length ``dimension``, finite entries.
    /// - Returns: `x`, length ``dimension``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `b.count ≠ dimension`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        guard b.count == dimension else {
            throw .dimensionMismatch("CholeskyFactorization.solve: right-hand side has length \(b.count), "
                                     + "expected \(dimension)")
        }
        var x = b
        try solveInPlace(&x, rightHandSides: 1)
        return x
    }

    /// Solves `A X = B` for all columns of `B` in one `dpotrs` call.
    ///
    /// - Parameter b: the right-hand sides, `dimension × k` with `k ≥ 0`, finite entries.
    /// - Returns: `X`, `dimension × k`.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `b.rows ≠ dimension`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard b.rows == dimension else {
            throw .dimensionMismatch("CholeskyFactorization.solve: right-hand sides are \(b.rows)×\(b.columns), "
                                     + "expected \(dimension) rows")
        }
        var x = b.elements
        try solveInPlace(&x, rightHandSides: b.columns)
        return Matrix(rows: dimension, columns: b.columns, elements: x)
    }

    /// Overwrites the `dimension × k` column-major block `x` with the solution.
    @usableFromInline
    func solveInPlace(_ x: inout [Double], rightHandSides k: Int) throws(LinearAlgebraError) {
        if let bad = LAPACKKernels.firstNonFinite(x) {
            throw .nonFiniteInput(entryDescription(bad, rows: dimension,
                                                   of: "CholeskyFactorization.solve: the right-hand side"))
        }
        let n = dimension
        guard n > 0 && k > 0 else { return }
        let info = factors.withUnsafeBufferPointer { f in
            x.withUnsafeMutableBufferPointer { xb in
                LAPACKKernels.potrs(n, rightHandSides: k, f.baseAddress!, lda: n, xb.baseAddress!, ldb: n)
            }
        }
        if info != 0 { throw lapackError(info, in: .potrs, order: n) }
    }
}
