import CSuiteSparse

/// One UMFPACK factorization `P R A Q = L U` (symbolic and numeric objects)
/// with a copy of the matrix, which UMFPACK's solves read for iterative
/// refinement; the objects are owned here and freed in `deinit`. Calls are
/// serialized by `lock`.
final class UmfpackFactor: @unchecked Sendable {
    let order: Int
    let pointers: [Int]
    let indices: [Int]
    let values: [Double]
    var symbolic: UnsafeMutableRawPointer? = nil
    var numeric: UnsafeMutableRawPointer? = nil
    var control = [Double](repeating: 0, count: Int(UMFPACK_CONTROL))
    let lock = Locked(())
    /// UMFPACK's peak-memory estimate in bytes, made after the symbolic analysis.
    var estimatedBytes = 0
    /// The fill-reducing ordering UMFPACK used.
    var ordering = "natural"
    /// UMFPACK's reciprocal condition estimate, `min |Uᵢᵢ| / max |Uᵢᵢ|`.
    var rcond = 1.0

    /// Analyses and factors the square `a`.
    init(_ a: SparseMatrix, memoryLimit: Int) throws(LinearAlgebraError) {
        order = a.rows
        pointers = a.pattern.columnPointers
        indices = a.pattern.rowIndices
        values = a.values
        umfpack_dl_defaults(&control)
        guard order > 0 else { return }
        var info = [Double](repeating: 0, count: Int(UMFPACK_INFO))
        var status = Int32(truncatingIfNeeded: umfpack_dl_symbolic(order, order, pointers, indices, values, &symbolic,
                                                                     control, &info))
        guard status == UMFPACK_OK else { throw Self.statusError(status, "umfpack_dl_symbolic") }
        estimatedBytes = Int(info[Int(UMFPACK_PEAK_MEMORY_ESTIMATE)] * info[Int(UMFPACK_SIZE_OF_UNIT)])
        ordering = Self.orderingName(info[Int(UMFPACK_ORDERING_USED)])
        guard estimatedBytes <= memoryLimit else {
            throw .memoryLimitExceeded(estimatedBytes: estimatedBytes, limitBytes: memoryLimit)
        }
        status = Int32(truncatingIfNeeded: umfpack_dl_numeric(pointers, indices, values, symbolic, &numeric, control, &info))
        rcond = info[Int(UMFPACK_RCOND)]
        if status == UMFPACK_WARNING_singular_matrix { throw .singular(pivot: firstZeroPivotColumn()) }
        guard status == UMFPACK_OK || status == UMFPACK_WARNING_determinant_underflow
            || status == UMFPACK_WARNING_determinant_overflow else {
            throw Self.statusError(status, "umfpack_dl_numeric")
        }
    }

    deinit {
        if numeric != nil { umfpack_dl_free_numeric(&numeric) }
        if symbolic != nil { umfpack_dl_free_symbolic(&symbolic) }
    }

    /// The column of `A` whose pivot `Uₖₖ` is exactly zero (the first in pivot order).
    private func firstZeroPivotColumn() -> Int {
        var diagonal = [Double](repeating: 0, count: order)
        var columnPermutation = [Int](repeating: 0, count: order)
        let status = umfpack_dl_get_numeric(nil, nil, nil, nil, nil, nil, nil, &columnPermutation,
                                            &diagonal, nil, nil, numeric)
        guard status == Int(UMFPACK_OK), let k = diagonal.firstIndex(of: 0) else { return 0 }
        return columnPermutation[k]
    }

    /// Solves `A x = b` (`transposed`: `Aᵀ x = b`) for each of the `k` columns of `b` into `x`.
    func solve(_ b: UnsafeBufferPointer<Double>, columns k: Int, transposed: Bool,
               into x: UnsafeMutableBufferPointer<Double>) throws(LinearAlgebraError) {
        guard order > 0, k > 0 else { return }
        try lock.withLock { (_: inout Void) throws(LinearAlgebraError) in
            var info = [Double](repeating: 0, count: Int(UMFPACK_INFO))
            for c in 0..<k {
                let status = Int32(truncatingIfNeeded: umfpack_dl_solve(
                    Int(transposed ? UMFPACK_At : UMFPACK_A), pointers, indices, values,
                    x.baseAddress! + c * order, b.baseAddress! + c * order, numeric, control, &info))
                guard status == UMFPACK_OK else { throw Self.statusError(status, "umfpack_dl_solve") }
            }
        }
    }

    static func statusError(_ status: Int32, _ call: String) -> LinearAlgebraError {
        switch status {
        case UMFPACK_ERROR_out_of_memory: return .outOfMemory("\(call) (UMFPACK)")
        case UMFPACK_WARNING_singular_matrix: return .singular(pivot: 0)
        default: return .invalidArgument("\(call) failed with UMFPACK status \(status)")
        }
    }

    static func orderingName(_ code: Double) -> String {
        switch Int32(code) {
        case UMFPACK_ORDERING_CHOLMOD: return "CHOLMOD (AMD/COLAMD, then METIS)"
        case UMFPACK_ORDERING_AMD: return "AMD/COLAMD"
        case UMFPACK_ORDERING_GIVEN: return "given"
        case UMFPACK_ORDERING_METIS: return "METIS"
        case UMFPACK_ORDERING_NONE: return "natural"
        default: return "ordering \(code)"
        }
    }
}
