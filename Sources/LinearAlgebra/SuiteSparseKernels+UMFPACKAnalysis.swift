import CSuiteSparse

/// One UMFPACK symbolic analysis (the fill-reducing column ordering, the
/// strategy, the frontal-matrix chains and the size estimates) of a square
/// pattern, owned here and freed in `deinit`.
///
/// The analysis reads the pattern only (`Ax` is `NULL`: UMFPACK's symbolic
/// phase uses values only for statistics), so it is the same object for
/// every matrix of that pattern. `umfpack_dl_numeric` takes the Symbolic
/// object as an input it does not modify, so one analysis serves any number
/// of numeric factorizations, from any thread.
final class UmfpackSymbolic: @unchecked Sendable {
    let order: Int
    let pointers: [Int]
    let indices: [Int]
    let control: [Double]
    private(set) var symbolic: UnsafeMutableRawPointer? = nil
    /// UMFPACK's estimate of the peak memory of a numeric factorization on this analysis, in bytes.
    private(set) var estimatedBytes = 0
    /// The fill-reducing ordering UMFPACK used.
    private(set) var ordering = "natural"

    /// Analyses the square `pattern`.
    init(_ pattern: SparsityPattern) throws(LinearAlgebraError) {
        order = pattern.rows
        pointers = pattern.columnPointers
        indices = pattern.rowIndices
        var control = [Double](repeating: 0, count: Int(UMFPACK_CONTROL))
        umfpack_dl_defaults(&control)
        self.control = control
        guard order > 0 else { return }
        var info = [Double](repeating: 0, count: Int(UMFPACK_INFO))
        let status = Int32(truncatingIfNeeded: umfpack_dl_symbolic(order, order, pointers, indices, nil, &symbolic,
                                                                     control, &info))
        guard status == UMFPACK_OK else { throw UmfpackFactor.statusError(status, "umfpack_dl_symbolic") }
        let bytes = info[Int(UMFPACK_PEAK_MEMORY_ESTIMATE)] * info[Int(UMFPACK_SIZE_OF_UNIT)]
        estimatedBytes = bytes >= 0 && bytes < Double(Int.max) ? Int(bytes) : .max   // NaN → .max
        ordering = UmfpackFactor.orderingName(info[Int(UMFPACK_ORDERING_USED)])
    }

    deinit {
        if symbolic != nil { umfpack_dl_free_symbolic(&symbolic) }
    }
}
