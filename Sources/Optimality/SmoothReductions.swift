import AutoDiff

/// Smooth reductions used by entropic conditions.
public enum SmoothReductions {
    /// `log Σ exp(tᵢ)`, shifted by the largest entry so that it never overflows.
    ///
    /// ```
    /// lse(t) = m + log Σ exp(tᵢ − m),  m = maxᵢ tᵢ
    /// ∂lse/∂tᵢ = exp(tᵢ − lse(t))      (the softmax)
    /// ```
    ///
    /// Smooth everywhere: the shift `m` cancels in the derivative, ties included.
    ///
    /// - Parameter t: non-empty.
    /// - Returns: `lse(t)`.
    @inlinable
    public static func logSumExp<T: DifferentiableScalar>(_ t: [T]) -> T {
        precondition(!t.isEmpty, "SmoothReductions.logSumExp: empty vector")
        var m = t[0]
        for v in t.dropFirst() where v > m { m = v }
        var s = T(0)
        for v in t { s = s + T.exp(v - m) }
        return m + T.log(s)
    }
}
