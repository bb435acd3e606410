import CSuiteSparse

/// One CHOLMOD factorization `P A Pᵀ = L Lᵀ` and the `cholmod_common` it
/// was made with; both are owned here and freed in `deinit`. Every call into
/// CHOLMOD is serialized by `lock`: the common holds the library's workspace.
final class CholmodFactor: @unchecked Sendable {
    let common: UnsafeMutablePointer<cholmod_common>
    var factor: UnsafeMutablePointer<cholmod_factor>? = nil
    let order: Int
    let lock = Locked(())
    /// The estimate of the factor's bytes, made after the symbolic analysis.
    var estimatedBytes = 0
    /// The fill-reducing ordering CHOLMOD chose.
    var ordering = "natural"

    /// Analyses and factors the symmetric `a` (its upper triangle is read).
    init(_ a: SparseMatrix, memoryLimit: Int) throws(LinearAlgebraError) {
        order = a.rows
        common = Self.startCommon()
        guard order > 0 else { return }
        let s = try upperTriangle(a)
        defer { var s: UnsafeMutablePointer<cholmod_sparse>? = s; cholmod_l_free_sparse(&s, common) }
        guard let l = cholmod_l_analyze(s, common) else { throw statusError("cholmod_l_analyze") }
        factor = l
        ordering = Self.orderingName(l.pointee.ordering)
        estimatedBytes = Self.estimatedBytes(l, common: common)
        guard estimatedBytes <= memoryLimit else {
            throw .memoryLimitExceeded(estimatedBytes: estimatedBytes, limitBytes: memoryLimit)
        }
        try factorize(s, l)
    }

    /// Factors the symmetric `a`, whose pattern `analysis` was made for, on a copy of
    /// the analysis' symbolic factor (the analysis itself is left unchanged for the next use).
    init(_ a: SparseMatrix, analysis: CholmodSymbolic, memoryLimit: Int) throws(LinearAlgebraError) {
        order = a.rows
        common = Self.startCommon()
        guard order > 0 else { return }
        ordering = analysis.ordering
        estimatedBytes = analysis.estimatedBytes
        // Checked before the copy: the copy's numeric part is what the estimate counts.
        guard estimatedBytes <= memoryLimit else {
            throw .memoryLimitExceeded(estimatedBytes: estimatedBytes, limitBytes: memoryLimit)
        }
        let s = try upperTriangle(a)
        defer { var s: UnsafeMutablePointer<cholmod_sparse>? = s; cholmod_l_free_sparse(&s, common) }
        guard let l = analysis.copy(into: common) else { throw statusError("cholmod_l_copy_factor") }
        factor = l
        try factorize(s, l)
    }

    /// A `cholmod_common` with the settings of every factorization here.
    static func startCommon() -> UnsafeMutablePointer<cholmod_common> {
        let common = UnsafeMutablePointer<cholmod_common>.allocate(capacity: 1)
        cholmod_l_start(common)
        common.pointee.print = 0
        common.pointee.quick_return_if_not_posdef = 1
        // Supernodal is always L Lᵀ and stops at a non-positive pivot; the simplicial
        // default of small problems is L D Lᵀ, which factors indefinite matrices.
        common.pointee.supernodal = CHOLMOD_SUPERNODAL
        return common
    }

    /// The bytes of the numeric factor of the symbolic `l`. Supernodal analysis sizes the
    /// factor exactly: xsize values and ssize row indices (8 bytes each), plus per-column
    /// and per-supernode arrays.
    static func estimatedBytes(_ l: UnsafeMutablePointer<cholmod_factor>, common: UnsafeMutablePointer<cholmod_common>) -> Int {
        let order = Int(l.pointee.n)
        return l.pointee.is_super != 0
            ? 8 * (l.pointee.xsize + l.pointee.ssize) + 48 * order
            : Int(common.pointee.lnz) * 16 + 48 * order
    }

    /// The numeric factorization of `s` into the symbolic `l`.
    private func factorize(_ s: UnsafeMutablePointer<cholmod_sparse>,
                           _ l: UnsafeMutablePointer<cholmod_factor>) throws(LinearAlgebraError) {
        cholmod_l_factorize(s, l, common)
        let status = common.pointee.status
        if status == CHOLMOD_NOT_POSDEF || l.pointee.minor < order {
            throw .notPositiveDefinite(minor: Int(l.pointee.minor) + 1)
        }
        if status < CHOLMOD_OK { throw statusError("cholmod_l_factorize") }
    }

    deinit {
        if factor != nil { cholmod_l_free_factor(&factor, common) }
        cholmod_l_finish(common)
        common.deallocate()
    }

    /// A CHOLMOD copy of the upper triangle of `a` (stype = 1: symmetric, upper part stored).
    private func upperTriangle(_ a: SparseMatrix) throws(LinearAlgebraError) -> UnsafeMutablePointer<cholmod_sparse> {
        try Self.upperTriangle(a.pattern, values: a.values, common: common)
    }

    /// The upper triangle of a square `pattern` as a CHOLMOD matrix (stype = 1), with the
    /// matching entries of `values` (`CHOLMOD_REAL`), or the pattern alone when `values` is
    /// `nil` (`CHOLMOD_PATTERN`, for an analysis). The caller frees it with `cholmod_l_free_sparse`.
    static func upperTriangle(_ p: SparsityPattern, values: [Double]?, common: UnsafeMutablePointer<cholmod_common>)
        throws(LinearAlgebraError) -> UnsafeMutablePointer<cholmod_sparse>
    {
        let order = p.rows
        var count = 0
        for j in 0..<order { for k in p.columnPointers[j]..<p.columnPointers[j + 1] where p.rowIndices[k] <= j { count += 1 } }
        let xtype = values == nil ? CHOLMOD_PATTERN : CHOLMOD_REAL
        guard let s = cholmod_l_allocate_sparse(order, order, Swift.max(count, 1), 1, 1, 1, xtype, common) else {
            throw statusError("cholmod_l_allocate_sparse", common: common)
        }
        let ap = s.pointee.p.assumingMemoryBound(to: Int.self)
        let ai = s.pointee.i.assumingMemoryBound(to: Int.self)
        let ax = values == nil ? nil : s.pointee.x.assumingMemoryBound(to: Double.self)
        var next = 0
        for j in 0..<order {
            ap[j] = next
            for k in p.columnPointers[j]..<p.columnPointers[j + 1] where p.rowIndices[k] <= j {
                ai[next] = p.rowIndices[k]
                if let ax, let values { ax[next] = values[k] }
                next += 1
            }
        }
        ap[order] = next
        return s
    }

    /// Solves `A X = B` for the `k` columns of `b` (column-major, `order × k`) into `x`.
    func solve(_ b: UnsafeBufferPointer<Double>, columns k: Int,
               into x: UnsafeMutableBufferPointer<Double>) throws(LinearAlgebraError) {
        guard order > 0, k > 0, let l = factor else { return }
        try lock.withLock { (_: inout Void) throws(LinearAlgebraError) in
            guard let rhs = cholmod_l_allocate_dense(order, k, order, CHOLMOD_REAL, common) else {
                throw statusError("cholmod_l_allocate_dense")
            }
            defer { var r: UnsafeMutablePointer<cholmod_dense>? = rhs; cholmod_l_free_dense(&r, common) }
            rhs.pointee.x.assumingMemoryBound(to: Double.self).update(from: b.baseAddress!, count: order * k)
            guard let solution = cholmod_l_solve(CHOLMOD_A, l, rhs, common) else { throw statusError("cholmod_l_solve") }
            defer { var s: UnsafeMutablePointer<cholmod_dense>? = solution; cholmod_l_free_dense(&s, common) }
            x.baseAddress!.update(from: solution.pointee.x.assumingMemoryBound(to: Double.self), count: order * k)
        }
    }

    /// CHOLMOD's reciprocal condition estimate: `(min Lᵢᵢ / max Lᵢᵢ)²`.
    func reciprocalCondition() -> Double {
        guard order > 0, let l = factor else { return 1 }
        return lock.withLock { _ in cholmod_l_rcond(l, common) }
    }

    /// The typed error for CHOLMOD's current status after `call` failed.
    private func statusError(_ call: String) -> LinearAlgebraError { Self.statusError(call, common: common) }

    /// The typed error for the status in `common` after `call` failed.
    static func statusError(_ call: String, common: UnsafeMutablePointer<cholmod_common>) -> LinearAlgebraError {
        let status = common.pointee.status
        switch status {
        case CHOLMOD_OUT_OF_MEMORY: return .outOfMemory("\(call) (CHOLMOD)")
        case CHOLMOD_TOO_LARGE: return .outOfMemory("\(call): the problem is too large for CHOLMOD's integers")
        default: return .invalidArgument("\(call) failed with CHOLMOD status \(status)")
        }
    }

    static func orderingName(_ code: Int32) -> String {
        switch code {
        case CHOLMOD_NATURAL: return "natural"
        case CHOLMOD_GIVEN: return "given"
        case CHOLMOD_AMD: return "AMD"
        case CHOLMOD_METIS: return "METIS"
        case CHOLMOD_NESDIS: return "nested dissection"
        case CHOLMOD_COLAMD: return "COLAMD"
        case CHOLMOD_POSTORDERED: return "natural, postordered"
        default: return "ordering \(code)"
        }
    }
}
