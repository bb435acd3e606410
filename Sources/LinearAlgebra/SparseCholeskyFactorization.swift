#if canImport(Glibc)
import Glibc
#endif

/// The sparse Cholesky factorization of a symmetric positive definite
/// matrix by CHOLMOD (SuiteSparse), computed once and reused for many solves.
///
/// The invariant is `P A Pᵀ = L Lᵀ` with `P` a fill-reducing permutation
/// chosen by CHOLMOD (AMD, or METIS / nested dissection when they fill less):
///
/// ```
/// A x = b    ⇔   x = Pᵀ L⁻ᵀ L⁻¹ P b
/// Aᵀ x = b   ⇔   the same solve (A is symmetric)
/// ```
///
/// Reference: Y. Chen, T. A. Davis, W. W. Hager & S. Rajamanickam,
/// "Algorithm 887: CHOLMOD, supernodal sparse Cholesky factorization and
/// update/downdate", ACM TOMS 35 (2008).
///
/// Deviations from calling CHOLMOD directly:
///  1. Only the upper triangle is passed; a matrix that is not symmetric
///     (to `symmetryTolerance`) is refused rather than silently read as
///     its upper half.
///  2. The factor's size is estimated after the symbolic analysis and the
///     numeric factorization is refused above `memoryLimit`.
///  3. The supernodal `L Lᵀ` method is used at every size: CHOLMOD's
///     simplicial default for small problems is `L D Lᵀ`, which would accept
///     an indefinite matrix.
///  4. Each factorization owns its `cholmod_common`, freed with it; solves
///     on one factorization are serialized, different factorizations run in
///     parallel.
public struct SparseCholeskyFactorization: Sendable {
    let storage: CholmodFactor
    /// The order `n` of the matrix.
    public let dimension: Int

    /// Factors `a` (analysis, memory check, numeric factorization).
    ///
    /// - Parameters:
    ///   - a: a square, symmetric positive definite sparse matrix.
    ///   - symmetryTolerance: the relative tolerance of the symmetry check
    ///     (``SparseMatrix/isSymmetric(tolerance:)``), default `1e-12`; `.infinity`
    ///     skips the check (for a caller that has made it: only the upper triangle is read).
    ///   - memoryLimit: the largest factor, in bytes, that may be allocated
    ///     (default: half of the physical memory).
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when `a` is not
    ///   square; ``LinearAlgebraError/invalidArgument(_:)`` when it is not
    ///   symmetric; ``LinearAlgebraError/notPositiveDefinite(minor:)`` (one-based
    ///   order of the failing leading minor, in the permuted order);
    ///   ``LinearAlgebraError/memoryLimitExceeded(estimatedBytes:limitBytes:)``
    ///   before allocating a factor above the limit;
    ///   ``LinearAlgebraError/outOfMemory(_:)`` when CHOLMOD runs out.
    public init(_ a: SparseMatrix, symmetryTolerance: Double = 1e-12,
                memoryLimit: Int = sparseFactorMemoryLimit) throws(LinearAlgebraError) {
        guard a.isSquare else {
            throw .dimensionMismatch("SparseCholeskyFactorization needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        guard symmetryTolerance == .infinity || a.isSymmetric(tolerance: symmetryTolerance) else {
            throw .invalidArgument("SparseCholeskyFactorization: the matrix is not symmetric (relative tolerance "
                                   + "\(symmetryTolerance)); use SparseLUFactorization")
        }
        storage = try CholmodFactor(a, memoryLimit: memoryLimit)
        dimension = a.rows
    }

    /// Factors `a` on the symbolic analysis of its pattern (``SparseCholeskyAnalysis/factor(_:symmetryTolerance:memoryLimit:)``).
    init(_ a: SparseMatrix, analysis: SparseCholeskyAnalysis, symmetryTolerance: Double,
         memoryLimit: Int) throws(LinearAlgebraError) {
        guard symmetryTolerance == .infinity || a.isSymmetric(tolerance: symmetryTolerance) else {
            throw .invalidArgument("SparseCholeskyFactorization: the matrix is not symmetric (relative tolerance "
                                   + "\(symmetryTolerance)); use SparseLUFactorization")
        }
        storage = try CholmodFactor(a, analysis: analysis.storage, memoryLimit: memoryLimit)
        dimension = a.rows
    }

    /// The bytes CHOLMOD's analysis estimated for the factor (what the memory limit was checked against).
    public var estimatedFactorBytes: Int { storage.estimatedBytes }

    /// The fill-reducing ordering CHOLMOD chose ("AMD", "METIS", …).
    public var ordering: String { storage.ordering }

    /// CHOLMOD's cheap reciprocal condition estimate `(min Lᵢᵢ / max Lᵢᵢ)²`
    /// in `[0, 1]`: an upper bound on the true reciprocal condition, exact
    /// for diagonal matrices; a small value flags ill-conditioning, a large
    /// one does not prove the opposite.
    public var reciprocalCondition: Double { storage.reciprocalCondition() }

    /// Solves `A x = b`.
    ///
    /// - Parameter b: length ``dimension``, finite entries.
    /// - Returns: `x`, length ``dimension``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)``, ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        try solve(Matrix(rows: b.count, columns: 1, elements: b)).elements
    }

    /// Solves `Aᵀ x = c`: the same as the vector `solve(_:)` since `A` is symmetric.
    ///
    /// - Parameter c: length ``dimension``, finite entries.
    /// - Returns: `x`, length ``dimension``.
    /// - Throws: as the vector `solve(_:)`.
    public func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] { try solve(c) }

    /// Solves `A X = B` for every column of `B`, in one CHOLMOD call.
    ///
    /// - Parameter b: `dimension × k`, finite entries.
    /// - Returns: `X`, `dimension × k`.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)``, ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        try checkRightHandSides(b, order: dimension, in: "SparseCholeskyFactorization.solve")
        var x = Matrix(rows: dimension, columns: b.columns)
        try b.elements.withUnsafeBufferPointer { (bp: UnsafeBufferPointer<Double>) throws(LinearAlgebraError) in
            try x.elements.withUnsafeMutableBufferPointer { (xp: inout UnsafeMutableBufferPointer<Double>) throws(LinearAlgebraError) in
                try storage.solve(bp, columns: b.columns, into: xp)
            }
        }
        return x
    }

    /// Solves `Aᵀ X = C`: the same as the matrix `solve(_:)`.
    ///
    /// - Parameter c: `dimension × k`, finite entries.
    /// - Returns: `X`, `dimension × k`.
    /// - Throws: as the matrix `solve(_:)`.
    public func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix { try solve(c) }
}

/// The default memory limit of the sparse factorizations: half of the physical memory.
public let sparseFactorMemoryLimit: Int = {
    #if canImport(Glibc)
    let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
    if pages > 0 && size > 0 { return pages * size / 2 }
    #endif
    return 1 << 34
}()

/// Throws unless `b` has `order` rows and finite entries.
func checkRightHandSides(_ b: Matrix, order: Int, in caller: String) throws(LinearAlgebraError) {
    guard b.rows == order else {
        throw .dimensionMismatch("\(caller): right-hand sides are \(b.rows)×\(b.columns), expected \(order) rows")
    }
    if let bad = b.elements.firstIndex(where: { !$0.isFinite }) {
        throw .nonFiniteInput("\(caller): right-hand side entry (\(bad % Swift.max(order, 1)), "
                              + "\(bad / Swift.max(order, 1))) is \(b.elements[bad])")
    }
}
