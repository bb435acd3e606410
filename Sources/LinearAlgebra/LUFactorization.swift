#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The LU factorization with partial pivoting of a square matrix, computed
/// once and reused for any number of plain or transposed solves.
///
/// The invariant is `P A = L U` (LAPACK `dgetrf`): `L` unit lower triangular,
/// `U` upper triangular with nonzero diagonal, `P` a permutation. Both
/// triangles live in one column-major array, as LAPACK stores them.
///
/// ```
/// A x  = b   ⇔   x = U⁻¹ L⁻¹ P b          (dgetrs, trans = 'N')
/// Aᵀ x = b   ⇔   x = Pᵀ L⁻ᵀ U⁻ᵀ b         (dgetrs, trans = 'T')
/// rcond ≈ 1 / (‖A‖₁ ‖A⁻¹‖₁)               (dgecon, 1-norm)
/// ```
///
/// Up to order 16 the same three algorithms run as Swift loops
/// (`SmallLUKernels.swift`): the library calls cost more than the
/// arithmetic there.
///
/// Transposed solves use the same factors: nothing is refactored.
public struct LUFactorization: Sendable {
    /// `L` (strictly below the diagonal) and `U` (on and above), `n × n`.
    @usableFromInline let factors: [Double]
    /// LAPACK's one-based row interchanges: row `i` was swapped with `pivots[i] − 1`.
    @usableFromInline let pivots: [LAPACKInt]
    /// The order `n` of the matrix.
    public let dimension: Int
    /// `‖A‖₁`, measured while copying `A` (the estimator needs it after `A` is overwritten).
    @usableFromInline let oneNorm: Double
    /// The condition estimate, computed on first access.
    @usableFromInline let conditionCache = CachedEstimate()
    /// `log |det A|`, the sum of `log |U_ii|` (finite: a zero pivot throws).
    ///
    /// ```
    /// det A = determinantSign · exp(logAbsDeterminant)
    /// ```
    public let logAbsDeterminant: Double
    /// The sign of `det A`: `+1` or `−1` (a singular matrix throws at
    /// construction, so `0` never occurs).
    public let determinantSign: Double

    /// Factors `A` with partial pivoting (`dgetrf`).
    ///
    /// `a` is copied; its 1-norm is measured during the copy, for
    /// ``reciprocalCondition``. An empty `0 × 0` matrix factors to the empty
    /// factorization (determinant `1`, reciprocal condition `1`).
    ///
    /// - Parameter a: a square matrix, `a.rows == a.columns ≥ 0`, finite entries.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when `a` is not
    ///   square; ``LinearAlgebraError/nonFiniteInput(_:)`` when an entry is NaN
    ///   or ±∞; ``LinearAlgebraError/singular(pivot:)`` with the zero-based
    ///   column of the first exactly zero pivot `U[k, k]`.
    public init(_ a: Matrix) throws(LinearAlgebraError) {
        guard a.rows == a.columns else {
            throw .dimensionMismatch("LUFactorization needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        let n = a.rows
        var oneNorm = 0.0, firstNonFinite: Int? = nil
        var factors = LAPACKKernels.copyMeasuringOneNorm(a.elements, rows: n, columns: n,
                                                         oneNorm: &oneNorm, firstNonFinite: &firstNonFinite)
        if let bad = firstNonFinite {
            throw .nonFiniteInput(entryDescription(bad, rows: n, of: "LUFactorization: the matrix"))
        }
        var pivots = [LAPACKInt](repeating: 0, count: n)
        if n > 0 {
            let info = factors.withUnsafeMutableBufferPointer { f in
                pivots.withUnsafeMutableBufferPointer { p in
                    n <= SmallLUKernels.smallOrder
                        ? SmallLUKernels.getrfSmall(n, f.baseAddress!, pivots: p.baseAddress!)
                        : LAPACKKernels.getrf(n, n, f.baseAddress!, lda: n, pivots: p.baseAddress!)
                }
            }
            if info != 0 { throw lapackError(info, in: .getrf, order: n) }
        }
        var logAbs = 0.0, sign = 1.0
        for i in 0..<n {
            let u = factors[i + i * n]
            logAbs += log(Swift.abs(u))
            if u < 0 { sign = -sign }
            if Int(pivots[i]) != i + 1 { sign = -sign }
        }
        self.factors = factors
        self.pivots = pivots
        self.dimension = n
        self.oneNorm = oneNorm
        self.logAbsDeterminant = logAbs
        self.determinantSign = sign
    }

    /// The reciprocal of the 1-norm condition number, estimated by LAPACK
    /// `dgecon` from the factors (its algorithm in Swift up to order 16), in `[0, 1]`.
    ///
    /// ```
    /// reciprocalCondition ≈ 1 / (‖A‖₁ ‖A⁻¹‖₁)
    /// ```
    ///
    /// An estimate (usually within a factor 10 of the truth): expect to lose
    /// about `−log₁₀(reciprocalCondition)` digits in a solve. A value near
    /// `Double.ulpOfOne` means the matrix is numerically singular although no
    /// pivot was exactly zero. Computed once, on first access (it costs
    /// several triangular solves, `O(n²)`), and shared by copies.
    public var reciprocalCondition: Double {
        conditionCache.value(estimateReciprocalCondition)
    }

    @inline(never)
    func estimateReciprocalCondition() -> Double {
        let n = dimension
        guard n > 0 else { return 1 }
        var rcond = 0.0
        if n <= SmallLUKernels.smallOrder {
            return factors.withUnsafeBufferPointer { f in SmallLUKernels.geconSmall(n, f.baseAddress!, anorm: oneNorm) }
        }
        let info = factors.withUnsafeBufferPointer { f in
            LAPACKKernels.gecon(n, f.baseAddress!, lda: n, anorm: oneNorm, rcond: &rcond)
        }
        // Only illegal arguments make dgecon fail, and the norm is finite and ≥ 0.
        precondition(info == 0, "\(lapackError(info, in: .gecon, order: n))")
        return rcond
    }

    /// Solves `A x = b` or `Aᵀ x = b` with the stored factors (`dgetrs`).
    ///
    /// - Parameters:
    ///   - b: the right-hand side, length ``dimension``, finite entries.
    ///   - transposed: solve with `Aᵀ` instead of `A` (same factors).
    /// - Returns: `x`, length ``dimension``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `b.count ≠ dimension`; ``LinearAlgebraError/nonFiniteInput(_:)`` when
    ///   `b` has a NaN or ±∞ entry.
    public func solve(_ b: [Double], transposed: Bool) throws(LinearAlgebraError) -> [Double] {
        guard b.count == dimension else {
            throw .dimensionMismatch("LUFactorization.solve: right-hand side has length \(b.count), "
                                     + "expected \(dimension)")
        }
        var x = b
        try solveInPlace(&x, rightHandSides: 1, transposed: transposed)
        return x
    }

    /// Solves `A X = B` or `Aᵀ X = B` for all columns of `B` in one `dgetrs` call.
    ///
    /// - Parameters:
    ///   - b: the right-hand sides, `dimension × k` with `k ≥ 0`, finite entries.
    ///   - transposed: solve with `Aᵀ` instead of `A` (same factors).
    /// - Returns: `X`, `dimension × k`.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when
    ///   `b.rows ≠ dimension`; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: Matrix, transposed: Bool) throws(LinearAlgebraError) -> Matrix {
        guard b.rows == dimension else {
            throw .dimensionMismatch("LUFactorization.solve: right-hand sides are \(b.rows)×\(b.columns), "
                                     + "expected \(dimension) rows")
        }
        var x = b.elements
        try solveInPlace(&x, rightHandSides: b.columns, transposed: transposed)
        return Matrix(rows: dimension, columns: b.columns, elements: x)
    }

    /// Overwrites the `dimension × k` column-major block `x` with the solution.
    @usableFromInline
    func solveInPlace(_ x: inout [Double], rightHandSides k: Int, transposed: Bool) throws(LinearAlgebraError) {
        if let bad = LAPACKKernels.firstNonFinite(x) {
            throw .nonFiniteInput(entryDescription(bad, rows: dimension, of: "LUFactorization.solve: the right-hand side"))
        }
        let n = dimension
        guard n > 0 && k > 0 else { return }
        if n <= SmallLUKernels.smallOrder {
            factors.withUnsafeBufferPointer { f in
                pivots.withUnsafeBufferPointer { p in
                    x.withUnsafeMutableBufferPointer { xb in
                        SmallLUKernels.getrsSmall(transpose: transposed, n, rightHandSides: k, f.baseAddress!,
                                                 pivots: p.baseAddress!, xb.baseAddress!)
                    }
                }
            }
            return
        }
        let info = factors.withUnsafeBufferPointer { f in
            pivots.withUnsafeBufferPointer { p in
                x.withUnsafeMutableBufferPointer { xb in
                    LAPACKKernels.getrs(transpose: transposed, n, rightHandSides: k, f.baseAddress!, lda: n,
                                        pivots: p.baseAddress!, xb.baseAddress!, ldb: n)
                }
            }
        }
        if info != 0 { throw lapackError(info, in: .getrs, order: n) }
    }
}
