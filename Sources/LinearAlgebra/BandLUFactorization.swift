/// The LU factorization with partial pivoting of a square band matrix,
/// computed once and reused for plain and transposed solves.
///
/// The invariant is `P A = L U` (LAPACK `dgbtrf`) for `A` with `kl` nonzero
/// subdiagonals and `ku` superdiagonals: `L` has `kl` subdiagonals, `U`
/// `kl + ku` superdiagonals (the fill-in of pivoting). Factoring costs about
/// `2 n kl (kl + ku)` flops instead of `2n³/3`, and a solve `O(n (2kl + ku))`.
///
/// ```
/// A x  = b   ⇔   dgbtrs, trans = 'N'
/// Aᵀ x = b   ⇔   dgbtrs, trans = 'T'      (same factors)
/// rcond ≈ 1 / (‖A‖₁ ‖A⁻¹‖₁)               (dgbcon, 1-norm)
/// ```
///
/// The solves and the estimate run `dgbtrs`'s and `dgbcon`'s algorithms as
/// Swift loops (`BandSolveKernels.swift`), and so does the factorization of a
/// narrow band (`dgbtf2`'s, `BandFactorKernel.swift`): there LAPACK's
/// per-column BLAS calls cost more than the arithmetic.
public struct BandLUFactorization: Sendable {
    /// The factors in LAPACK band storage, `(2kl + ku + 1) × n`.
    @usableFromInline let band: [Double]
    /// LAPACK's one-based row interchanges.
    @usableFromInline let pivots: [LAPACKInt]
    /// The order `n` of the matrix.
    public let dimension: Int
    /// `kl`: the number of nonzero subdiagonals of `A`.
    public let lowerBandwidth: Int
    /// `ku`: the number of nonzero superdiagonals of `A`.
    public let upperBandwidth: Int
    /// `‖A‖₁`, measured while copying the band.
    @usableFromInline let oneNorm: Double
    /// A certified lower bound of the true reciprocal 1-norm condition number
    /// from strict diagonal dominance by columns (Varah), or `0` when `A` is not
    /// strictly diagonally dominant by columns; computed from `A` before factoring
    /// (see ``reciprocalCondition(testedAgainst:)``).
    public let reciprocalConditionLowerBound: Double
    /// The condition estimate, computed on first access.
    @usableFromInline let conditionCache = CachedEstimate()

    /// The smallest bandwidths `(kl, ku)` of the square matrix `a`: every
    /// entry with `i − j > kl` or `j − i > ku` is exactly zero. One pass over `a`.
    ///
    /// - Parameter a: a square matrix.
    /// - Returns: `(lower: kl, upper: ku)`, each in `0..<max(1, n)`.
    public static func bandwidths(of a: Matrix) -> (lower: Int, upper: Int) {
        precondition(a.rows == a.columns, "BandLUFactorization.bandwidths: the matrix is \(a.rows)×\(a.columns)")
        return BandSolveKernels.bandwidths(a.elements, order: a.rows)
    }

    /// Factors the band of `a` with partial pivoting (`dgbtrf`).
    ///
    /// - Parameters:
    ///   - a: a square matrix whose entries outside the band are zero (they
    ///     are not read; see ``bandwidths(of:)``).
    ///   - kl: the number of subdiagonals, `0 ≤ kl < n` (or `0` when `n = 0`).
    ///   - ku: the number of superdiagonals, `0 ≤ ku < n` (or `0`).
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when `a` is not
    ///   square; ``LinearAlgebraError/invalidArgument(_:)`` for bandwidths
    ///   out of range; ``LinearAlgebraError/nonFiniteInput(_:)`` for a NaN or
    ///   ±∞ in the band; ``LinearAlgebraError/singular(pivot:)`` with the
    ///   zero-based column of the first exactly zero pivot.
    public init(_ a: Matrix, lowerBandwidth kl: Int, upperBandwidth ku: Int) throws(LinearAlgebraError) {
        guard a.rows == a.columns else {
            throw .dimensionMismatch("BandLUFactorization needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        let n = a.rows
        guard kl >= 0, ku >= 0, kl < Swift.max(n, 1), ku < Swift.max(n, 1) else {
            throw .invalidArgument("BandLUFactorization: bandwidths (\(kl), \(ku)) out of range for order \(n)")
        }
        var oneNorm = 0.0, firstNonFinite: Int? = nil
        let band = BandSolveKernels.bandCopy(a.elements, order: n, lower: kl, upper: ku,
                                             oneNorm: &oneNorm, firstNonFinite: &firstNonFinite)
        if let bad = firstNonFinite {
            throw .nonFiniteInput(entryDescription(bad, rows: n, of: "BandLUFactorization: the matrix"))
        }
        try self.init(factoring: consume band, order: n, lower: kl, upper: ku, oneNorm: oneNorm)
    }

    /// Factors a square sparse matrix in its band, filling LAPACK band
    /// storage straight from the compressed columns (no dense `n × n` array).
    ///
    /// - Parameters:
    ///   - a: a square sparse matrix (finite by its invariant).
    ///   - kl: the number of subdiagonals (default: the matrix's own, ``SparseMatrix/bandwidths``).
    ///   - ku: the number of superdiagonals (default: the matrix's own).
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when `a` is not
    ///   square; ``LinearAlgebraError/invalidArgument(_:)`` when a stored
    ///   entry lies outside the band; ``LinearAlgebraError/singular(pivot:)``.
    public init(_ a: SparseMatrix, lowerBandwidth kl: Int? = nil, upperBandwidth ku: Int? = nil) throws(LinearAlgebraError) {
        guard a.isSquare else {
            throw .dimensionMismatch("BandLUFactorization needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        let n = a.rows
        let own = kl == nil || ku == nil ? a.bandwidths : nil
        let kl = kl ?? own!.lower, ku = ku ?? own!.upper
        func outside() -> LinearAlgebraError {
            .invalidArgument("BandLUFactorization: bandwidths (\(kl), \(ku)) out of range for order \(n) "
                             + "or narrower than the matrix's band \(a.bandwidths)")
        }
        guard kl >= 0, ku >= 0, kl < Swift.max(n, 1), ku < Swift.max(n, 1) else { throw outside() }
        if kl == 1 && ku == 1 {
            try self.init(tridiagonal: a, outside: outside)
            return
        }
        let ldab = BandSolveKernels.bandLeadingDimension(lower: kl, upper: ku)
        var oneNorm = 0.0, bound = 1.0, inside = true
        let p = a.pattern
        let band = n == 0 ? [] : [Double](unsafeUninitializedCapacity: ldab * n) { out, initialized in
            p.columnPointers.withUnsafeBufferPointer { cp in
                p.rowIndices.withUnsafeBufferPointer { ri in
                    a.values.withUnsafeBufferPointer { v in
                        inside = BandSolveKernels.fillBand(columnPointers: cp.baseAddress!, rowIndices: ri.baseAddress!,
                                                           values: v.baseAddress!, order: n, lower: kl, upper: ku,
                                                           into: out.baseAddress!, oneNorm: &oneNorm,
                                                           dominanceBound: &bound)
                    }
                }
            }
            initialized = ldab * n
        }
        guard inside else { throw outside() }
        try self.init(factoring: consume band, order: n, lower: kl, upper: ku, oneNorm: oneNorm, bound: bound)
    }

    /// Fills and factors the band of a square sparse matrix with `kl = ku = 1` in one pass
    /// (``BandSolveKernels/fillAndFactorTridiagonal(columnPointers:rowIndices:values:order:into:pivots:oneNorm:dominanceBound:info:)``),
    /// the same factors as filling and then factoring; a stored entry outside the band throws `outside()`.
    private init(tridiagonal a: SparseMatrix, outside: () -> LinearAlgebraError) throws(LinearAlgebraError) {
        let n = a.rows, p = a.pattern
        var oneNorm = 0.0, bound = 1.0, inside = true, info: LAPACKInt = 0
        var pivots = [LAPACKInt](repeating: 0, count: n)
        let band = n == 0 ? [] : [Double](unsafeUninitializedCapacity: 4 * n) { out, initialized in
            p.columnPointers.withUnsafeBufferPointer { cp in
                p.rowIndices.withUnsafeBufferPointer { ri in
                    a.values.withUnsafeBufferPointer { v in
                        pivots.withUnsafeMutableBufferPointer { q in
                            inside = BandSolveKernels.fillAndFactorTridiagonal(
                                columnPointers: cp.baseAddress!, rowIndices: ri.baseAddress!, values: v.baseAddress!,
                                order: n, into: out.baseAddress!, pivots: q.baseAddress!, oneNorm: &oneNorm,
                                dominanceBound: &bound, info: &info)
                        }
                    }
                }
            }
            initialized = 4 * n
        }
        guard inside else { throw outside() }
        if info != 0 { throw lapackError(info, in: .gbtrf, order: n) }
        self.band = band
        self.pivots = pivots
        self.dimension = n
        self.lowerBandwidth = 1
        self.upperBandwidth = 1
        self.oneNorm = oneNorm
        self.reciprocalConditionLowerBound = bound
    }

    /// Factors `band` (LAPACK band storage with `kl` rows of room for pivoting, `dgbtrf`).
    /// `bound` is the certified lower bound of `rcond` when the caller computed it while filling
    /// `band`, else it is computed here.
    private init(factoring band: consuming [Double], order n: Int, lower kl: Int, upper ku: Int,
                 oneNorm: Double, bound: Double? = nil) throws(LinearAlgebraError) {
        var pivots = [LAPACKInt](repeating: 0, count: n)
        let bound = bound ?? (n == 0 ? 1 : band.withUnsafeBufferPointer { b in
            BandSolveKernels.diagonalDominanceBound(b.baseAddress!, order: n, lower: kl, upper: ku)
        })
        if n > 0 {
            let info = band.withUnsafeMutableBufferPointer { b in
                pivots.withUnsafeMutableBufferPointer { p in
                    kl + ku <= BandSolveKernels.narrowBand
                        ? BandSolveKernels.gbtf2Swift(n, lower: kl, upper: ku, b.baseAddress!, pivots: p.baseAddress!)
                        : LAPACKKernels.gbtrf(n, lower: kl, upper: ku, b.baseAddress!, pivots: p.baseAddress!)
                }
            }
            if info != 0 { throw lapackError(info, in: .gbtrf, order: n) }
        }
        self.band = band
        self.pivots = pivots
        self.dimension = n
        self.lowerBandwidth = kl
        self.upperBandwidth = ku
        self.oneNorm = oneNorm
        self.reciprocalConditionLowerBound = bound
    }

    /// The reciprocal of the 1-norm condition number, estimated from the
    /// factors by `dgbcon`'s algorithm, in `[0, 1]`; computed once, on first access.
    public var reciprocalCondition: Double {
        conditionCache.value(estimateReciprocalCondition)
    }

    @inline(never)
    func estimateReciprocalCondition() -> Double {
        let n = dimension
        guard n > 0 else { return 1 }
        return band.withUnsafeBufferPointer { b in
            pivots.withUnsafeBufferPointer { p in
                BandSolveKernels.gbconSwift(n, lower: lowerBandwidth, upper: upperBandwidth, b.baseAddress!,
                                            pivots: p.baseAddress!, anorm: oneNorm)
            }
        }
    }

    /// Solves `A x = b` or `Aᵀ x = b` with the stored factors (`dgbtrs`'s algorithm).
    ///
    /// - Parameters:
    ///   - b: the right-hand side, length ``dimension``, finite entries.
    ///   - transposed: solve with `Aᵀ` instead of `A` (same factors).
    /// - Returns: `x`, length ``dimension``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)``,
    ///   ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: [Double], transposed: Bool) throws(LinearAlgebraError) -> [Double] {
        guard b.count == dimension else {
            throw .dimensionMismatch("BandLUFactorization.solve: right-hand side has length \(b.count), "
                                     + "expected \(dimension)")
        }
        var x = b
        try solveInPlace(&x, rightHandSides: 1, transposed: transposed)
        return x
    }

    /// Solves `A X = B` or `Aᵀ X = B` for all columns of `B` on the same factors.
    ///
    /// - Parameters:
    ///   - b: the right-hand sides, `dimension × k`, finite entries.
    ///   - transposed: solve with `Aᵀ` instead of `A`.
    /// - Returns: `X`, `dimension × k`.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)``,
    ///   ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: Matrix, transposed: Bool) throws(LinearAlgebraError) -> Matrix {
        guard b.rows == dimension else {
            throw .dimensionMismatch("BandLUFactorization.solve: right-hand sides are \(b.rows)×\(b.columns), "
                                     + "expected \(dimension) rows")
        }
        var x = b.elements
        try solveInPlace(&x, rightHandSides: b.columns, transposed: transposed)
        return Matrix(rows: dimension, columns: b.columns, elements: x)
    }

    func solveInPlace(_ x: inout [Double], rightHandSides k: Int, transposed: Bool) throws(LinearAlgebraError) {
        if let bad = LAPACKKernels.firstNonFinite(x) {
            throw .nonFiniteInput(entryDescription(bad, rows: dimension,
                                                   of: "BandLUFactorization.solve: the right-hand side"))
        }
        let n = dimension
        guard n > 0 && k > 0 else { return }
        band.withUnsafeBufferPointer { b in
            pivots.withUnsafeBufferPointer { p in
                x.withUnsafeMutableBufferPointer { xb in
                    BandSolveKernels.gbtrsSwift(transpose: transposed, n, lower: lowerBandwidth, upper: upperBandwidth,
                                                rightHandSides: k, b.baseAddress!, pivots: p.baseAddress!, xb.baseAddress!)
                }
            }
        }
    }
}
