import LinearAlgebra

// The Jacobi-scaled Gershgorin bound computed on its own, straight from its definition: the
// independent reference for SparseValueFacts.conditionBound, which the library reads from its
// one diagonal-dominance pass.

extension SparseMatrix {
    /// The Gershgorin bound on the condition number of the Jacobi-scaled
    /// `D^{-1/2} A D^{-1/2}`, or `nil` when it gives none (a diagonal entry
    /// that is not positive, or `r ≥ 1 − 10⁻⁸`):
    ///
    /// ```
    /// r = max_i Σ_{j≠i} |a_ij| / √(a_ii a_jj),    κ ≤ (1 + r) / (1 − r)
    /// ```
    var jacobiScaledConditionBound: Double? {
        guard isSquare, rows > 0 else { return nil }
        let start = pattern.columnPointers, row = pattern.rowIndices, value = values
        // The diagonal, checked, then turned in place into the scale 1/√a_jj (a loop of its own,
        // with no exit, so that it vectorizes).
        var scale = [Double](repeating: 0, count: rows)
        for j in 0..<columns {
            for k in start[j]..<start[j + 1] where row[k] == j { scale[j] = value[k] }
        }
        guard scale.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }   // NaN fails
        for j in 0..<rows { scale[j] = 1 / scale[j].squareRoot() }
        var rowSums = [Double](repeating: 0, count: rows)
        for j in 0..<columns {
            let sj = scale[j]
            for k in start[j]..<start[j + 1] where row[k] != j {
                let i = row[k]
                rowSums[i] += abs(value[k]) * scale[i] * sj
            }
        }
        let r = rowSums.max() ?? 0
        // r within rounding of 1 (a Laplacian) gives a bound above 10⁸, which says nothing the size rule does not.
        guard r < 1 - 1e-8 else { return nil }   // NaN fails
        return (1 + r) / (1 - r)
    }
}
