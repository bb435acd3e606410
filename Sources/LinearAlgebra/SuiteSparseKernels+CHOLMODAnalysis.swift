import CSuiteSparse

/// One CHOLMOD symbolic analysis (the fill-reducing ordering and the
/// supernodal structure of `L`) of a symmetric pattern, and the
/// `cholmod_common` it was made with; both owned here and freed in `deinit`.
/// The symbolic factor is never factored in place: each numeric
/// factorization works on a copy (``copy(into:)``), so one analysis serves
/// any number of factorizations, from any thread.
final class CholmodSymbolic: @unchecked Sendable {
    let common: UnsafeMutablePointer<cholmod_common>
    var symbolic: UnsafeMutablePointer<cholmod_factor>? = nil
    let order: Int
    /// The estimate of the numeric factor's bytes.
    var estimatedBytes = 0
    /// The fill-reducing ordering CHOLMOD chose.
    var ordering = "natural"

    /// Analyses the upper triangle of the square `pattern`.
    init(_ pattern: SparsityPattern) throws(LinearAlgebraError) {
        order = pattern.rows
        common = CholmodFactor.startCommon()
        guard order > 0 else { return }
        let s = try CholmodFactor.upperTriangle(pattern, values: nil, common: common)
        defer { var s: UnsafeMutablePointer<cholmod_sparse>? = s; cholmod_l_free_sparse(&s, common) }
        guard let l = cholmod_l_analyze(s, common) else {
            throw CholmodFactor.statusError("cholmod_l_analyze", common: common)
        }
        symbolic = l
        ordering = CholmodFactor.orderingName(l.pointee.ordering)
        estimatedBytes = CholmodFactor.estimatedBytes(l, common: common)
    }

    deinit {
        if symbolic != nil { cholmod_l_free_factor(&symbolic, common) }
        cholmod_l_finish(common)
        common.deallocate()
    }

    /// A copy of the symbolic factor, allocated with (and owned by) `target`;
    /// `nil` when CHOLMOD runs out of memory (the status is in `target`).
    /// The analysis is only read, so copies may be made concurrently.
    func copy(into target: UnsafeMutablePointer<cholmod_common>) -> UnsafeMutablePointer<cholmod_factor>? {
        guard let l = symbolic else { return nil }
        return cholmod_l_copy_factor(l, target)
    }
}
