/// Bytes of `Double` arrays of given shapes, checked against a limit before
/// they are allocated.
///
/// ```
/// bytes = 8 · Σ rows·columns          refused when bytes > limit (or overflows Int)
/// ```
enum MemoryBudget {
    /// `8 · Σ rows·columns`, or `nil` when it overflows `Int`.
    static func bytes(_ shapes: [(rows: Int, columns: Int)]) -> Int? {
        var total = 0
        for s in shapes {
            let (elements, o1) = Swift.max(s.rows, 0).multipliedReportingOverflow(by: Swift.max(s.columns, 0))
            let (b, o2) = elements.multipliedReportingOverflow(by: 8)
            let (t, o3) = total.addingReportingOverflow(b)
            if o1 || o2 || o3 { return nil }
            total = t
        }
        return total
    }

    /// Throws unless the arrays of `shapes` fit in `limit` bytes.
    ///
    /// - Parameters:
    ///   - what: the arrays' name for the message (e.g. "the Jacobian J (m × n) and B (k × n)").
    ///   - shapes: their shapes.
    ///   - limit: ``ImplicitFunctionOptions/maxMatrixBytes``.
    /// - Throws: ``ImplicitDifferentiationError/allocationTooLarge(what:bytes:limit:)``
    ///   (bytes `Int.max` when the count overflows).
    static func require(_ what: String, _ shapes: [(rows: Int, columns: Int)], limit: Int)
        throws(ImplicitDifferentiationError)
    {
        let b = bytes(shapes) ?? Int.max
        if !(b <= limit) { throw .allocationTooLarge(what: what, bytes: b, limit: limit) }
    }
}

extension MemoryBudget {
    /// `A` (`k × m`) and the arrays its dense factorization allocates:
    ///
    /// ```
    /// LU, Cholesky           A and a copy of A (k × m)
    /// SVD                    A, a copy of A, U (k × k), Vᵀ (m × m)
    /// ```
    ///
    /// QR and `.automatic` LU or Cholesky may fall back to the SVD (Cholesky
    /// through LU), so they are budgeted as SVD.
    static func factorizationShapes(_ solver: LinearSolver, automatic: Bool, rows k: Int, columns m: Int)
        -> [(rows: Int, columns: Int)]
    {
        switch solver {
        case .svd, .qr: return [(k, m), (k, m), (k, k), (m, m)]
        case .lu where automatic, .bandLU where automatic, .cholesky where automatic:
            return [(k, m), (k, m), (k, k), (m, m)]
        case .lu, .bandLU, .cholesky: return [(k, m), (k, m)]
        default: return [(k, m)]
        }
    }
}
