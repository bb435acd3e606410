import LinearAlgebra

// The symbolic analyses of the sparse Cholesky factorizations one implicit function has
// made, kept beside its structure cache and reused at every later point:
//
//   first factorization of a pattern   analyse (fill-reducing ordering, symbolic factor), store, factor
//   later ones with the same pattern   factor on a copy of the stored analysis (numeric work only)
//   a different pattern                analyse it anew; the few most recent patterns are kept
//
// An analysis depends on the pattern alone and is looked up by comparing patterns, so a
// pattern that changed with the point (control flow on values) can never meet a stale analysis.

/// The sparse Cholesky analyses of one ``ImplicitFunction`` (and its
/// copies), matched by pattern; safe to use from any thread.
final class SparseAnalyses: Sendable {
    /// The number of patterns kept (the most recently used first).
    static let capacity = 4

    private let cholesky = Locked<[SparseCholeskyAnalysis]>([])
    private let analysesMade = Locked(0)

    init() {}

    /// The number of analyses made so far (for tests: a reused analysis does not count).
    var analysisCount: Int { analysesMade.withLock { $0 } }

    /// The sparse Cholesky factorization of `a` on the stored analysis of its
    /// pattern, or on a new analysis (stored for the next point) when there is none.
    ///
    /// - Parameters:
    ///   - a: a square sparse matrix, symmetric positive definite.
    ///   - symmetryTolerance: the relative tolerance of the symmetry check.
    ///   - memoryLimit: the largest factor, in bytes; checked before the factor is allocated.
    /// - Returns: the factorization, equal to ``SparseCholeskyFactorization/init(_:symmetryTolerance:memoryLimit:)``'s.
    /// - Throws: as ``SparseCholeskyFactorization/init(_:symmetryTolerance:memoryLimit:)``.
    func choleskyFactorization(_ a: SparseMatrix, symmetryTolerance: Double,
                               memoryLimit: Int) throws(LinearAlgebraError) -> SparseCholeskyFactorization {
        let pattern = a.pattern
        let known: SparseCholeskyAnalysis? = cholesky.withLock { list in
            guard let i = list.firstIndex(where: { $0.pattern == pattern }) else { return nil }
            let hit = list.remove(at: i)
            list.insert(hit, at: 0)
            return hit
        }
        if let known {
            return try known.factor(a, symmetryTolerance: symmetryTolerance, memoryLimit: memoryLimit)
        }
        let fresh = try SparseCholeskyAnalysis(pattern)
        analysesMade.withLock { $0 += 1 }
        cholesky.withLock { list in
            list.removeAll { $0.pattern == pattern }
            list.insert(fresh, at: 0)
            if list.count > Self.capacity { list.removeLast(list.count - Self.capacity) }
        }
        return try fresh.factor(a, symmetryTolerance: symmetryTolerance, memoryLimit: memoryLimit)
    }
}
