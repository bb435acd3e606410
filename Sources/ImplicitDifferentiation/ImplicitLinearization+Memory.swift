import LinearAlgebra

extension ImplicitLinearization {
    /// Checks, before ``jacobian()`` allocates anything, that its arrays fit
    /// in ``maxMatrixBytes``:
    ///
    /// ```
    /// forward (n ≤ m)   B (k × n), J (m × n) [and A J − B (k × n) for least squares]
    /// reverse (n > m)   Jᵀ (n × m), J (m × n) [and I, A⁻ᵀ I (m × m, k × m) on the dense path]
    /// ```
    ///
    /// - Throws: ``ImplicitDifferentiationError/allocationTooLarge(what:bytes:limit:)``.
    func requireJacobianMemory() throws(ImplicitDifferentiationError) {
        let m = local.m, n = local.n, k = local.k
        var shapes: [(rows: Int, columns: Int)] = [(m, n)]
        let dense: Bool
        if case .dense = engine { dense = true } else { dense = false }
        if n <= m {
            shapes.append((k, n))
            if dense && isLeastSquares { shapes.append((k, n)) }
        } else {
            shapes.append((n, m))
            if dense { shapes += [(m, m), (k, m)] }
        }
        try MemoryBudget.require("the Jacobian J (\(m) × \(n)) with its work arrays", shapes, limit: maxMatrixBytes)
    }
}
