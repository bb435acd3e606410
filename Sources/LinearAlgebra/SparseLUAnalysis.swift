/// The symbolic analysis of a sparse LU factorization by UMFPACK, made once
/// for a square sparsity pattern and reused to factor every matrix with that
/// pattern.
///
/// The analysis fixes the strategy, the fill-reducing column ordering `Q` and
/// the frontal-matrix structure; each ``factor(_:memoryLimit:)`` then runs only
/// UMFPACK's numeric phase, which picks the row pivots `P` from the values
/// (threshold partial pivoting, so they may differ from the ones the analysis
/// assumed; UMFPACK allows this and grows its workspace when it must):
///
/// ```
/// analysis:   Q, the strategy, the fronts, size estimates   (depends on the pattern of A only)
/// factor(A):  P R A Q = L U                                (for every A with that pattern)
/// ```
///
/// The analysis reads the pattern only, never the values, so a factorization
/// through it equals, bit for bit, the one made from scratch by
/// ``SparseLUFactorization/init(_:memoryLimit:)``. The analysis is immutable
/// and may be shared between threads: UMFPACK's numeric phase only reads it.
public struct SparseLUAnalysis: Sendable {
    let storage: UmfpackSymbolic
    /// The pattern the analysis was made for.
    public let pattern: SparsityPattern

    /// Analyses `pattern`: strategy, fill-reducing column ordering, symbolic factorization.
    ///
    /// - Parameter pattern: a square pattern.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when `pattern`
    ///   is not square; ``LinearAlgebraError/outOfMemory(_:)`` when UMFPACK
    ///   runs out; ``LinearAlgebraError/invalidArgument(_:)`` for UMFPACK's
    ///   other failures (the message names the status).
    public init(_ pattern: SparsityPattern) throws(LinearAlgebraError) {
        guard pattern.rows == pattern.columns else {
            throw .dimensionMismatch("SparseLUAnalysis needs a square pattern, got \(pattern.rows)×\(pattern.columns)")
        }
        storage = try UmfpackSymbolic(pattern)
        self.pattern = pattern
    }

    /// UMFPACK's estimate of a factorization's peak memory, in bytes (checked
    /// against the memory limit before each numeric factorization).
    public var estimatedFactorBytes: Int { storage.estimatedBytes }

    /// The fill-reducing ordering UMFPACK chose.
    public var ordering: String { storage.ordering }

    /// Factors `a`, whose pattern must be ``pattern``, without a new analysis.
    ///
    /// ```
    /// P R A Q = L U      (Q and the structure from the analysis, P from a's values)
    /// ```
    ///
    /// - Parameters:
    ///   - a: a square sparse matrix with pattern ``pattern``.
    ///   - memoryLimit: the largest peak memory, in bytes, the factorization may use
    ///     (default: half of the physical memory).
    /// - Returns: the factorization, equal to ``SparseLUFactorization/init(_:memoryLimit:)``'s.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` when the pattern of
    ///   `a` is not ``pattern``; ``LinearAlgebraError/singular(pivot:)`` for an
    ///   exactly singular matrix;
    ///   ``LinearAlgebraError/memoryLimitExceeded(estimatedBytes:limitBytes:)``
    ///   before the numeric factorization; ``LinearAlgebraError/outOfMemory(_:)``
    ///   when UMFPACK runs out.
    public func factor(_ a: SparseMatrix, memoryLimit: Int = sparseFactorMemoryLimit) throws(LinearAlgebraError)
        -> SparseLUFactorization
    {
        guard a.pattern == pattern else {
            throw .invalidArgument("SparseLUAnalysis.factor: the matrix's pattern (\(a.rows)×\(a.columns), "
                                   + "\(a.nonZeroCount) non-zeros) is not the analysed one (\(pattern.rows)×\(pattern.columns), "
                                   + "\(pattern.nonZeroCount) non-zeros); analyse it anew")
        }
        return try SparseLUFactorization(a, analysis: self, memoryLimit: memoryLimit)
    }
}
