import AutoDiff

/// Proximal operators `prox_g(v) = argmin_y ½‖y − v‖² + g(y)` of common
/// penalties, written once over the AD scalar; the penalty weights are `T`
/// so that they can be differentiated hyperparameters.
///
/// Weights are checked with `precondition` on their primal value (a negative
/// or NaN weight traps: a programmer error). Branches are taken on primal
/// values: at a kink the derivative returned is the one named in each
/// function's documentation.
public enum ProximalOperators {
    /// The soft threshold: the proximal operator of `τ|·|`.
    ///
    /// ```
    /// S_τ(v) = sign(v) · max(|v| − τ, 0) = v − clamp(v, −τ, τ)
    /// ∂S/∂v = 1 if |v| > τ else 0,   ∂S/∂τ = −sign(v) if |v| > τ else 0
    /// ```
    ///
    /// At `|v| = τ` exactly the inner piece is returned (`∂S/∂v = 0`).
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - tau: the threshold, `τ ≥ 0`.
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
        precondition(tau.primal >= 0, "ProximalOperators.softThreshold: τ must be ≥ 0")
        return v.map { softThreshold($0, tau) }
    }

    /// Block soft threshold, the proximal operator of the group lasso `τ Σ_g ‖v_g‖₂`.
    ///
    /// ```
    /// prox(v)_g = max(1 − τ/‖v_g‖, 0) · v_g
    /// ∂prox_g/∂v_g = (1 − τ/‖v_g‖) I + τ v_g v_gᵀ/‖v_g‖³   if ‖v_g‖ > τ,  else 0
    /// ```
    ///
    /// At `‖v_g‖ = τ` (and at `v_g = 0`) the zero piece is returned.
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - tau: `τ ≥ 0`.
    ///   - groups: disjoint ranges of indices of `v`; entries in no group are returned unchanged.
    /// - Returns: the block-thresholded point.
    @inlinable
    public static func groupLasso<T: DifferentiableScalar>(_ v: [T], _ tau: T, groups: [Range<Int>]) -> [T] {
        precondition(tau.primal >= 0, "ProximalOperators.groupLasso: τ must be ≥ 0")
        var out = v
        for g in groups {
            precondition(g.lowerBound >= 0 && g.upperBound <= v.count, "ProximalOperators.groupLasso: group \(g) out of range")
            var squared = T(0)
            for i in g { squared = squared + v[i] * v[i] }
            if squared.primal > tau.primal * tau.primal {
                let scale = T(1) - tau / T.sqrt(squared)
                for i in g { out[i] = scale * v[i] }
            } else {
                for i in g { out[i] = T(0) }
            }
        }
        return out
    }

    /// The proximal operator of the elastic net `τ‖y‖₁ + (γ/2)‖y‖₂²`.
    ///
    /// ```
    /// prox(v)ᵢ = S_τ(vᵢ) / (1 + γ)
    /// ```
    ///
    /// Kinks at `|vᵢ| = τ` as for `softThreshold`.
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - tau: the ℓ1 weight `τ ≥ 0` (argument label `l1`).
    ///   - gamma: the squared-ℓ2 weight `γ ≥ 0` (argument label `l2`).
    /// - Returns: the proximal point.
    @inlinable
    public static func elasticNet<T: DifferentiableScalar>(_ v: [T], l1 tau: T, l2 gamma: T) -> [T] {
        precondition(tau.primal >= 0 && gamma.primal >= 0, "ProximalOperators.elasticNet: weights must be ≥ 0")
        let shrink = T(1) / (T(1) + gamma)
        return v.map { softThreshold($0, tau) * shrink }
    }

    /// The proximal operator of ridge `(γ/2)‖y‖₂²`: a shrinkage, smooth everywhere.
    ///
    /// ```
    /// prox(v) = v / (1 + γ)
    /// ```
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - gamma: `γ ≥ 0`.
    /// - Returns: `v / (1 + γ)`.
    @inlinable
    public static func ridge<T: DifferentiableScalar>(_ v: [T], _ gamma: T) -> [T] {
        precondition(gamma.primal >= 0, "ProximalOperators.ridge: γ must be ≥ 0")
        let shrink = T(1) / (T(1) + gamma)
        return v.map { $0 * shrink }
    }

    /// The proximal operator of the indicator of `{ y ≥ 0 }`: the projection
    /// ``Projections/nonNegative(_:)`` (`∂ = 1` at `vᵢ = 0`).
    ///
    /// - Parameter v: the point.
    /// - Returns: `max(v, 0)`.
    @inlinable
    public static func nonNegative<T: DifferentiableScalar>(_ v: [T]) -> [T] { Projections.nonNegative(v) }

    /// The proximal operator of the indicator of `[lower, upper]ⁿ`: the
    /// projection `Projections.box` componentwise.
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - lower: `≤ upper`.
    ///   - upper: the upper bound.
    /// - Returns: `clamp(v, lower, upper)`.
    @inlinable
    public static func boxIndicator<T: DifferentiableScalar>(_ v: [T], lower: T, upper: T) -> [T] {
        Projections.box(v, lower: lower, upper: upper)
    }
}
