/// The symbolic analysis of a sparse Cholesky factorization by CHOLMOD,
/// made once for a symmetric sparsity pattern and reused to factor every
/// matrix with that pattern.
///
/// The analysis fixes the fill-reducing permutation `P` and the structure
/// of the factor `L`; each ``factor(_:symmetryTolerance:memoryLimit:)``
/// then computes only the numeric values:
///
/// ```
/// analysis:   P, the pattern of L               (depends on the pattern of A only)
/// factor(A):  P A Pᵀ = L Lᵀ                     (for every A with that pattern)
/// ```
///
/// A factorization through an analysis equals the one made from scratch by
/// ``SparseCholeskyFactorization/init(_:symmetryTolerance:memoryLimit:)``:
/// both run the same ordering and the same numeric factorization.
/// The analysis is immutable and may be shared between threads; each
/// factorization works on its own copy of the symbolic factor.
public struct SparseCholeskyAnalysis: Sendable {
    let storage: CholmodSymbolic
    /// The pattern the analysis was made for (both triangles, as in the matrices it factors).
    public let pattern: SparsityPattern

    /// Analyses `pattern` (its upper triangle is read): fill-reducing ordering and symbolic factorization.
    ///
    /// - Parameter pattern: a square pattern (of a symmetric matrix).
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when `pattern`
    ///   is not square; ``LinearAlgebraError/outOfMemory(_:)`` when CHOLMOD runs out.
    public init(_ pattern: SparsityPattern) throws(LinearAlgebraError) {
        guard pattern.rows == pattern.columns else {
            throw .dimensionMismatch("SparseCholeskyAnalysis needs a square pattern, got \(pattern.rows)×\(pattern.columns)")
        }
        storage = try CholmodSymbolic(pattern)
        self.pattern = pattern
    }

    /// The bytes the numeric factor will take (checked against the memory limit before each factorization).
    public var estimatedFactorBytes: Int { storage.estimatedBytes }

    /// The fill-reducing ordering CHOLMOD chose ("AMD", "METIS", …).
    public var ordering: String { storage.ordering }

    /// Factors `a`, whose pattern must be ``pattern``, without a new analysis.
    ///
    /// - Parameters:
    ///   - a: a symmetric positive definite sparse matrix with pattern ``pattern``.
    ///   - symmetryTolerance: the relative tolerance of the symmetry check, default `1e-12`;
    ///     `.infinity` skips it (for a caller that has made it).
    ///   - memoryLimit: the largest factor, in bytes, that may be allocated
    ///     (default: half of the physical memory).
    /// - Returns: the factorization `P A Pᵀ = L Lᵀ`.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` when the pattern
    ///   of `a` is not ``pattern`` or `a` is not symmetric;
    ///   ``LinearAlgebraError/notPositiveDefinite(minor:)``;
    ///   ``LinearAlgebraError/memoryLimitExceeded(estimatedBytes:limitBytes:)``
    ///   before the factor is allocated; ``LinearAlgebraError/outOfMemory(_:)``.
    public func factor(_ a: SparseMatrix, symmetryTolerance: Double = 1e-12,
                       memoryLimit: Int = sparseFactorMemoryLimit) throws(LinearAlgebraError) -> SparseCholeskyFactorization {
        guard a.pattern == pattern else {
            throw .invalidArgument("SparseCholeskyAnalysis.factor: the matrix's pattern (\(a.rows)×\(a.columns), "
                                   + "\(a.nonZeroCount) non-zeros) is not the analysed one (\(pattern.rows)×\(pattern.columns), "
                                   + "\(pattern.nonZeroCount) non-zeros); analyse it anew")
        }
        return try SparseCholeskyFactorization(a, analysis: self, symmetryTolerance: symmetryTolerance,
                                               memoryLimit: memoryLimit)
    }
}
