import LinearAlgebra

extension ImplicitLinearization {
    /// Checks, before ``jacobian()`` allocates anything, that its arrays fit
    /// in ``maxMatrixBytes``:
    ///
    /// ```
    /// forward (n ≤ m)   B (k × n), the multi-right-hand-side solve's work copy (k × n), J (m × n)
    /// reverse (n > m)   I (m × m), A⁻ᵀ I (k × m), Jᵀ (n × m), J and its negation (m × n, twice)
    /// ```
    ///
    /// - Throws: ``ImplicitDifferentiationError/allocationTooLarge(what:bytes:limit:)``.
    func requireJacobianMemory() throws(ImplicitDifferentiationError) {
        let m = local.m, n = local.n, k = local.k
        let shapes: [(rows: Int, columns: Int)] = n <= m
            ? [(k, n), (k, n), (m, n)]
            : [(m, m), (k, m), (n, m), (m, n), (m, n)]
        try MemoryBudget.require("the Jacobian J (\(m) × \(n)) with its work arrays", shapes, limit: maxMatrixBytes)
    }

    /// Checks, before the first transposed product with a finite-difference
    /// `B` (a VJP, or a reverse-mode Jacobian), that `∂F/∂x` (`k × n`, built
    /// once and kept) fits in ``maxMatrixBytes``; nothing for other conditions,
    /// whose `Bᵀ u` needs no array of that size.
    ///
    /// - Throws: ``ImplicitDifferentiationError/allocationTooLarge(what:bytes:limit:)``.
    func requireTransposedProductMemory() throws(ImplicitDifferentiationError) {
        guard local.differentiation == finiteDifferenceLabel else { return }
        try MemoryBudget.require("∂F/∂x by finite differences (\(local.k) × \(local.n)), built for transposed products",
                                 [(local.k, local.n)], limit: maxMatrixBytes)
    }
}
