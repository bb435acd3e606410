import CSuiteSparse

/// One UMFPACK numeric factorization `P R A Q = L U` on a symbolic
/// analysis (``UmfpackSymbolic``, shared and kept alive here) with the
/// matrix's values, which UMFPACK's solves read for iterative refinement;
/// the Numeric object is owned here and freed in `deinit`. Calls are
/// serialized by `lock`.
final class UmfpackFactor: @unchecked Sendable {
    let analysis: UmfpackSymbolic
    var order: Int { analysis.order }
    let values: [Double]
    var numeric: UnsafeMutableRawPointer? = nil
    let lock = Locked(())
    /// UMFPACK's reciprocal condition estimate, `min |Uᵢᵢ| / max |Uᵢᵢ|`.
    var rcond = 1.0

    /// Factors `a`, whose pattern is the analysed one, after checking the analysis's
    /// peak-memory estimate against `memoryLimit`.
    ///
    /// The numeric phase may choose other pivot rows than the analysis assumed
    /// (threshold partial pivoting); UMFPACK then grows its workspace itself, and a
    /// failure to do so is `UMFPACK_ERROR_out_of_memory`.
    init(_ a: SparseMatrix, analysis: UmfpackSymbolic, memoryLimit: Int) throws(LinearAlgebraError) {
        self.analysis = analysis
        values = a.values
        guard analysis.order > 0 else { return }
        guard analysis.estimatedBytes <= memoryLimit else {
            throw .memoryLimitExceeded(estimatedBytes: analysis.estimatedBytes, limitBytes: memoryLimit)
        }
        var info = [Double](repeating: 0, count: Int(UMFPACK_INFO))
        let status = Int32(truncatingIfNeeded: umfpack_dl_numeric(analysis.pointers, analysis.indices, values,
                                                                    analysis.symbolic, &numeric, analysis.control, &info))
        rcond = info[Int(UMFPACK_RCOND)]
        if status == UMFPACK_WARNING_singular_matrix { throw .singular(pivot: firstZeroPivotColumn()) }
        guard status == UMFPACK_OK || status == UMFPACK_WARNING_determinant_underflow
            || status == UMFPACK_WARNING_determinant_overflow else {
            throw Self.statusError(status, "umfpack_dl_numeric")
        }
    }

    /// The analysis's peak-memory estimate, in bytes.
    var estimatedBytes: Int { analysis.estimatedBytes }
    /// The fill-reducing ordering of the analysis.
    var ordering: String { analysis.ordering }

    deinit {
        if numeric != nil { umfpack_dl_free_numeric(&numeric) }
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
                    Int(transposed ? UMFPACK_At : UMFPACK_A), analysis.pointers, analysis.indices, values,
                    x.baseAddress! + c * order, b.baseAddress! + c * order, numeric, analysis.control, &info))
                guard status == UMFPACK_OK else { throw Self.statusError(status, "umfpack_dl_solve") }
            }
        }
    }

    /// The typed error of an UMFPACK status that is not success, naming the call.
    static func statusError(_ status: Int32, _ call: String) -> LinearAlgebraError {
        let what = "\(call) (UMFPACK status \(status))"
        switch status {
        case UMFPACK_ERROR_out_of_memory: return .outOfMemory(what)
        case UMFPACK_WARNING_singular_matrix: return .singular(pivot: 0)
        case UMFPACK_ERROR_n_nonpositive:
            return .dimensionMismatch("\(what): the order must be positive")
        case UMFPACK_ERROR_different_pattern:
            return .invalidArgument("\(what): the matrix's pattern is not the analysed one; analyse it anew")
        case UMFPACK_ERROR_invalid_matrix:
            return .invalidArgument("\(what): column pointers or row indices are not a valid compressed-column pattern")
        case UMFPACK_ERROR_invalid_Symbolic_object:
            return .invalidArgument("\(what): the symbolic analysis is invalid")
        case UMFPACK_ERROR_invalid_Numeric_object:
            return .invalidArgument("\(what): the numeric factorization is invalid")
        case UMFPACK_ERROR_argument_missing:
            return .invalidArgument("\(what): a required argument is missing")
        case UMFPACK_ERROR_invalid_system:
            return .invalidArgument("\(what): the system to solve is not defined for this matrix")
        case UMFPACK_ERROR_invalid_permutation:
            return .invalidArgument("\(what): the given permutation is invalid")
        case UMFPACK_ERROR_ordering_failed:
            return .invalidArgument("\(what): the fill-reducing ordering failed")
        case UMFPACK_ERROR_file_IO:
            return .invalidArgument("\(what): file input/output failed")
        case UMFPACK_ERROR_internal_error:
            return .invalidArgument("\(what): internal error in UMFPACK")
        default:
            return .invalidArgument("\(what): unknown status")
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
