import LinearAlgebra

// The symbolic analyses of the sparse factorizations (CHOLMOD's Cholesky, UMFPACK's LU) one
// implicit function has made, kept beside its structure cache and reused at every later point:
//
//   first factorization of a pattern   analyse (fill-reducing ordering, symbolic factor), store, factor
//   later ones with the same pattern   numeric factorization on the stored analysis only
//   a different pattern                analyse it anew; the few most recent patterns are kept
//
// An analysis depends on the pattern alone and is looked up by comparing patterns, so a
// pattern that changed with the point (control flow on values) can never meet a stale analysis.

/// The sparse Cholesky and LU analyses of one ``ImplicitFunction`` (and its
/// copies), matched by pattern; safe to use from any thread.
final class SparseAnalyses: Sendable {
    /// The number of patterns kept per factorization kind (the most recently used first).
    static let capacity = 4

    private let cholesky = RecentAnalyses<SparseCholeskyAnalysis>()
    private let lu = RecentAnalyses<SparseLUAnalysis>()

    init() {}

    /// The number of Cholesky analyses made so far (for tests: a reused analysis does not count).
    var analysisCount: Int { cholesky.made }

    /// The number of LU analyses made so far (for tests: a reused analysis does not count).
    var luAnalysisCount: Int { lu.made }

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
        let analysis = try cholesky.analysis(of: a.pattern) { p throws(LinearAlgebraError) in try SparseCholeskyAnalysis(p) }
        return try analysis.factor(a, symmetryTolerance: symmetryTolerance, memoryLimit: memoryLimit)
    }

    /// The sparse LU factorization of `a` on the stored analysis of its pattern,
    /// or on a new analysis (stored for the next point) when there is none.
    ///
    /// - Parameters:
    ///   - a: a square sparse matrix.
    ///   - memoryLimit: the largest peak memory, in bytes; checked before the numeric factorization.
    /// - Returns: the factorization, equal to ``SparseLUFactorization/init(_:memoryLimit:)``'s.
    /// - Throws: as ``SparseLUFactorization/init(_:memoryLimit:)``.
    func luFactorization(_ a: SparseMatrix, memoryLimit: Int) throws(LinearAlgebraError) -> SparseLUFactorization {
        let analysis = try lu.analysis(of: a.pattern) { p throws(LinearAlgebraError) in try SparseLUAnalysis(p) }
        return try analysis.factor(a, memoryLimit: memoryLimit)
    }
}

/// A symbolic analysis that knows the pattern it was made for.
protocol PatternAnalysis: Sendable {
    var pattern: SparsityPattern { get }
}

extension SparseCholeskyAnalysis: PatternAnalysis {}
extension SparseLUAnalysis: PatternAnalysis {}

/// The ``SparseAnalyses/capacity`` most recently used analyses of one kind, matched by pattern.
final class RecentAnalyses<Analysis: PatternAnalysis>: Sendable {
    private let list = Locked<[Analysis]>([])
    private let count = Locked(0)

    /// The number of analyses made so far.
    var made: Int { count.withLock { $0 } }

    /// The stored analysis of `pattern` (moved to the front), or `analyse(pattern)`, stored.
    func analysis(of pattern: SparsityPattern,
                  _ analyse: (SparsityPattern) throws(LinearAlgebraError) -> Analysis) throws(LinearAlgebraError) -> Analysis {
        let known: Analysis? = list.withLock { list in
            guard let i = list.firstIndex(where: { $0.pattern == pattern }) else { return nil }
            let hit = list.remove(at: i)
            list.insert(hit, at: 0)
            return hit
        }
        if let known { return known }
        let fresh = try analyse(pattern)
        count.withLock { $0 += 1 }
        list.withLock { list in
            list.removeAll { $0.pattern == pattern }
            list.insert(fresh, at: 0)
            if list.count > SparseAnalyses.capacity { list.removeLast(list.count - SparseAnalyses.capacity) }
        }
        return fresh
    }
}
