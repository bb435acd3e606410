/// The sparse LU factorization of a square matrix by UMFPACK (SuiteSparse),
/// computed once and reused for plain and transposed solves.
///
/// The invariant is `P R A Q = L U` with `R` a diagonal row scaling, `P`
/// the row pivoting and `Q` a fill-reducing column ordering (AMD / COLAMD):
///
/// ```
/// A x = b    ⇔   umfpack_dl_solve(UMFPACK_A, …)
/// Aᵀ x = b   ⇔   umfpack_dl_solve(UMFPACK_At, …)     (same factors)
/// ```
///
/// Reference: T. A. Davis, "Algorithm 832: UMFPACK V4.3 — an
/// unsymmetric-pattern multifrontal method", ACM TOMS 30 (2004).
///
/// Deviations from calling UMFPACK directly:
///  1. An exactly singular matrix (UMFPACK's `singular_matrix` warning)
///     throws ``LinearAlgebraError/singular(pivot:)`` with the column of
///     the first zero pivot, instead of returning factors whose solves
///     would divide by zero.
///  2. UMFPACK's peak-memory estimate is checked against `memoryLimit`
///     between the symbolic and the numeric factorization.
///  3. The symbolic analysis reads the pattern only (a ``SparseLUAnalysis``),
///     so a factorization on a reused analysis equals a fresh one.
///  4. Each factorization owns its Numeric object, freed with it, and shares
///     its analysis; solves on one factorization are serialized.
public struct SparseLUFactorization: Sendable {
    let storage: UmfpackFactor
    /// The order `n` of the matrix.
    public let dimension: Int

    /// Factors `a` (symbolic analysis of its pattern with a fill-reducing ordering, memory check,
    /// numeric factorization); the same as `SparseLUAnalysis(a.pattern).factor(a)`.
    ///
    /// - Parameters:
    ///   - a: a square sparse matrix.
    ///   - memoryLimit: the largest peak memory, in bytes, the factorization may use
    ///     (default: half of the physical memory).
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when `a` is not
    ///   square; ``LinearAlgebraError/singular(pivot:)`` for an exactly
    ///   singular matrix; ``LinearAlgebraError/memoryLimitExceeded(estimatedBytes:limitBytes:)``
    ///   before the numeric factorization when the estimate is above the limit;
    ///   ``LinearAlgebraError/outOfMemory(_:)`` when UMFPACK runs out.
    public init(_ a: SparseMatrix, memoryLimit: Int = sparseFactorMemoryLimit) throws(LinearAlgebraError) {
        guard a.isSquare else {
            throw .dimensionMismatch("SparseLUFactorization needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        storage = try UmfpackFactor(a, analysis: UmfpackSymbolic(a.pattern), memoryLimit: memoryLimit)
        dimension = a.rows
    }

    /// Factors `a` on the symbolic analysis of its pattern (``SparseLUAnalysis/factor(_:memoryLimit:)``).
    init(_ a: SparseMatrix, analysis: SparseLUAnalysis, memoryLimit: Int) throws(LinearAlgebraError) {
        storage = try UmfpackFactor(a, analysis: analysis.storage, memoryLimit: memoryLimit)
        dimension = a.rows
    }

    /// UMFPACK's peak-memory estimate for the factorization, in bytes.
    public var estimatedFactorBytes: Int { storage.estimatedBytes }

    /// The fill-reducing ordering UMFPACK used.
    public var ordering: String { storage.ordering }

    /// UMFPACK's cheap reciprocal condition estimate `min |Uᵢᵢ| / max |Uᵢᵢ|`
    /// in `[0, 1]`; a small value flags ill-conditioning, a large one does
    /// not prove the opposite.
    public var reciprocalCondition: Double { storage.rcond }

    /// Solves `A x = b`.
    ///
    /// - Parameter b: length ``dimension``, finite entries.
    /// - Returns: `x`, length ``dimension``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)``, ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        try solve(Matrix(rows: b.count, columns: 1, elements: b), transposed: false).elements
    }

    /// Solves `Aᵀ x = c` on the same factors.
    ///
    /// - Parameter c: length ``dimension``, finite entries.
    /// - Returns: `x`, length ``dimension``.
    /// - Throws: as the vector `solve(_:)`.
    public func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] {
        try solve(Matrix(rows: c.count, columns: 1, elements: c), transposed: true).elements
    }

    /// Solves `A X = B` for every column of `B`.
    ///
    /// - Parameter b: `dimension × k`, finite entries.
    /// - Returns: `X`, `dimension × k`.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)``, ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix { try solve(b, transposed: false) }

    /// Solves `Aᵀ X = C` for every column of `C`, on the same factors.
    ///
    /// - Parameter c: `dimension × k`, finite entries.
    /// - Returns: `X`, `dimension × k`.
    /// - Throws: as the matrix `solve(_:)`.
    public func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix { try solve(c, transposed: true) }

    func solve(_ b: Matrix, transposed: Bool) throws(LinearAlgebraError) -> Matrix {
        try checkRightHandSides(b, order: dimension,
                                in: transposed ? "SparseLUFactorization.solveTransposed" : "SparseLUFactorization.solve")
        var x = Matrix(rows: dimension, columns: b.columns)
        try b.elements.withUnsafeBufferPointer { (bp: UnsafeBufferPointer<Double>) throws(LinearAlgebraError) in
            try x.elements.withUnsafeMutableBufferPointer { (xp: inout UnsafeMutableBufferPointer<Double>) throws(LinearAlgebraError) in
                try storage.solve(bp, columns: b.columns, transposed: transposed, into: xp)
            }
        }
        return x
    }
}
