import ImplicitDifferentiation

/// Euclidean projections onto convex sets, generic over the AD scalar so that
/// they can appear inside conditions (projected-gradient fixed points).
///
/// Each is piecewise linear in its argument; its derivative is the
/// derivative of the piece selected by the primal values (the library's
/// comparisons look at primal values only). At a kink the derivative is one
/// of the one-sided ones, which is why implicit derivatives through them
/// assume strict complementarity.
public enum Projections {
    /// The projection of `v` onto the interval `[lower, upper]`.
    ///
    /// ```
    /// P(v) = min(max(v, lower), upper)        P'(v) = 1 inside, 0 outside
    /// ```
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - lower: the lower bound, `≤ upper`.
    ///   - upper: the upper bound.
    /// - Returns: the clamped value.
    @inlinable
    public static func box<T: DifferentiableScalar>(_ v: T, lower: Double, upper: Double) -> T {
        T.clamp(v, lower: T(lower), upper: T(upper))
    }

    /// The componentwise projection onto the box `[lower, upper]ⁿ`.
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - lower: the lower bound, `≤ upper`.
    ///   - upper: the upper bound.
    /// - Returns: `P(v)` with `P(v)ᵢ = clamp(vᵢ, lower, upper)`.
    @inlinable
    public static func box<T: DifferentiableScalar>(_ v: [T], lower: Double, upper: Double) -> [T] {
        v.map { box($0, lower: lower, upper: upper) }
    }

    /// The projection onto the probability simplex `{ y ≥ 0, Σ y = r }` —
    /// sparsemax when `r = 1`.
    ///
    /// ```
    /// P(v)ᵢ = max(vᵢ − τ, 0),   τ such that Σ max(vᵢ − τ, 0) = r
    /// τ = (Σ_{i∈S} vᵢ − r) / |S|,   S = { i : vᵢ > τ }  (the support)
    /// ∂P/∂v = diag(s) − s sᵀ / |S|,  s the indicator of S
    /// ```
    ///
    /// Sort-based (Held, Wolfe & Crowder 1974; Duchi et al. 2008): `O(n log n)`.
    /// `τ` is computed in `T` arithmetic from the support's entries, so the
    /// derivative is the Jacobian above.
    ///
    /// - Parameters:
    ///   - v: the point, non-empty.
    ///   - radius: `r > 0` (default 1).
    /// - Returns: the projection, with the same length as `v`.
    public static func simplex<T: DifferentiableScalar>(_ v: [T], radius: Double = 1) -> [T] {
        precondition(!v.isEmpty, "Projections.simplex: empty vector")
        precondition(radius > 0, "Projections.simplex: radius must be > 0")
        let order = v.indices.sorted { v[$0].primal > v[$1].primal }
        var sum = 0.0
        var rho = 1
        for (j, i) in order.enumerated() {
            sum += v[i].primal
            if v[i].primal - (sum - radius) / Double(j + 1) > 0 { rho = j + 1 }
        }
        var total = T(0)
        for i in order.prefix(rho) { total = total + v[i] }
        let tau = (total - T(radius)) / T(Double(rho))
        return v.map { T.max($0 - tau, T(0)) }
    }
}

/// Proximal operators of common penalties, generic over the AD scalar.
public enum ProximalOperators {
    /// The soft threshold: the proximal operator of `τ|·|`.
    ///
    /// ```
    /// S_τ(v) = sign(v) · max(|v| − τ, 0) = v − clamp(v, −τ, τ)
    /// ∂S/∂v = 1 if |v| > τ else 0,   ∂S/∂τ = −sign(v) if |v| > τ else 0
    /// ```
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - tau: the threshold, `τ ≥ 0`; may carry a derivative (a penalty
    ///     being differentiated).
    /// - Returns: `S_τ(v)`.
    @inlinable
    public static func softThreshold<T: DifferentiableScalar>(_ v: T, _ tau: T) -> T {
        v - T.clamp(v, lower: T(0) - tau, upper: tau)
    }

    /// The componentwise soft threshold, the proximal operator of `τ‖·‖₁`.
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - tau: the threshold, `τ ≥ 0`.
    /// - Returns: `S_τ(v)` componentwise.
    @inlinable
    public static func softThreshold<T: DifferentiableScalar>(_ v: [T], _ tau: T) -> [T] {
        v.map { softThreshold($0, tau) }
    }
}

/// Smooth reductions used by entropic conditions.
public enum SmoothReductions {
    /// `log Σ exp(tᵢ)`, shifted by the largest entry so that it never overflows.
    ///
    /// ```
    /// lse(t) = m + log Σ exp(tᵢ − m),  m = maxᵢ tᵢ
    /// ∂lse/∂tᵢ = exp(tᵢ − lse(t))      (the softmax)
    /// ```
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
