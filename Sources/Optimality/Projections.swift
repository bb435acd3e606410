import AutoDiff

/// Euclidean projections `P_C(v) = argmin_{y ∈ C} ½‖y − v‖²` onto convex
/// sets, written once over the AD scalar so that they can sit inside
/// conditions (projected-gradient fixed points) or inside any generic model.
///
/// The set's parameters are `T` too, so a radius or an offset can be a
/// differentiated input. These static forms check their parameters with
/// `precondition` (a programmer error traps, NaN included); to have invalid
/// parameters reported as a typed ``OptimalityError`` instead, build the set
/// once with a throwing initializer (``BoxSet``, ``L2Ball``, …) and call its
/// `project(_:)`.
///
/// Every projection here is piecewise smooth. Branches are taken on primal
/// values, so the derivative returned is that of the piece the primal point
/// lies in; on a boundary between pieces (a tie, a point exactly on the
/// sphere, a coordinate exactly at a bound) it is one of the one-sided
/// derivatives, named in each function's documentation.
public enum Projections {
    /// The projection of `v` onto `[lower, upper]`.
    ///
    /// ```
    /// P(v) = min(max(v, lower), upper)     ∂P/∂v = 1 inside, 0 outside;  ∂P/∂lower, ∂P/∂upper = 1 when that bound is returned
    /// ```
    ///
    /// At `v = lower` or `v = upper` the derivative is that of the interior piece (1).
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - lower: the lower bound, `≤ upper`.
    ///   - upper: the upper bound.
    /// - Returns: the clamped value.
    @inlinable
    public static func box<T: DifferentiableScalar>(_ v: T, lower: T, upper: T) -> T {
        T.clamp(v, lower: lower, upper: upper)
    }

    /// The componentwise projection onto the box `[lower, upper]ⁿ`.
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - lower: the lower bound, `≤ upper`.
    ///   - upper: the upper bound.
    /// - Returns: `P(v)ᵢ = clamp(vᵢ, lower, upper)`.
    @inlinable
    public static func box<T: DifferentiableScalar>(_ v: [T], lower: T, upper: T) -> [T] {
        precondition(!(upper < lower), "Projections.box: lower bound above upper bound")
        return v.map { T.clamp($0, lower: lower, upper: upper) }
    }

    /// The projection onto the box `∏ [lowerᵢ, upperᵢ]`.
    ///
    /// - Parameters:
    ///   - v: the point, length `n`.
    ///   - lower: lower bounds, length `n`, `lowerᵢ ≤ upperᵢ`.
    ///   - upper: upper bounds, length `n`.
    /// - Returns: `P(v)ᵢ = clamp(vᵢ, lowerᵢ, upperᵢ)`.
    @inlinable
    public static func box<T: DifferentiableScalar>(_ v: [T], lower: [T], upper: [T]) -> [T] {
        precondition(lower.count == v.count && upper.count == v.count, "Projections.box: bounds and point differ in length")
        return v.indices.map { T.clamp(v[$0], lower: lower[$0], upper: upper[$0]) }
    }

    /// The projection onto the non-negative orthant `{ y ≥ 0 }`.
    ///
    /// ```
    /// P(v)ᵢ = max(vᵢ, 0)      ∂P/∂v = diag(vᵢ > 0)      (at vᵢ = 0: 1, the derivative of vᵢ)
    /// ```
    ///
    /// - Parameter v: the point.
    /// - Returns: `max(v, 0)` componentwise.
    @inlinable
    public static func nonNegative<T: DifferentiableScalar>(_ v: [T]) -> [T] {
        v.map { T.max($0, T(0)) }
    }

    /// The projection onto the simplex `{ y ≥ 0, Σ y = r }` — sparsemax when `r = 1`.
    ///
    /// ```
    /// P(v)ᵢ = max(vᵢ − τ, 0),   τ such that Σ max(vᵢ − τ, 0) = r
    /// τ = (Σ_{i∈S} vᵢ − r) / |S|,   S = { i : vᵢ > τ }  (the support)
    /// ∂P/∂v = diag(s) − s sᵀ / |S|,   ∂P/∂r = s / |S|,   s the indicator of S
    /// ```
    ///
    /// Sort-based (Held, Wolfe & Crowder 1974; Duchi et al. 2008): `O(n log n)`.
    /// The support is found on primal values; `τ` is then computed in `T`
    /// arithmetic from the support's entries, so the derivative is the one
    /// above. When some `vᵢ` equals `τ` exactly (an entry on the edge of the
    /// support) that entry is left out of `S`.
    ///
    /// - Parameters:
    ///   - v: the point, non-empty.
    ///   - radius: `r > 0` (default 1).
    /// - Returns: the projection, with the same length as `v`.
    @inlinable
    public static func simplex<T: DifferentiableScalar>(_ v: [T], radius: T = 1) -> [T] {
        precondition(!v.isEmpty, "Projections.simplex: empty vector")
        precondition(radius.primal > 0, "Projections.simplex: radius must be > 0")
        let r = radius.primal
        let order = v.indices.sorted { v[$0].primal > v[$1].primal }
        var sum = 0.0
        var rho = 1
        for (j, i) in order.enumerated() {
            sum += v[i].primal
            if v[i].primal - (sum - r) / Double(j + 1) > 0 { rho = j + 1 }
        }
        var total = T(0)
        for i in order.prefix(rho) { total = total + v[i] }
        let tau = (total - radius) / T(Double(rho))
        return v.map { T.max($0 - tau, T(0)) }
    }

    /// The projection onto the ℓ1 ball `{ ‖y‖₁ ≤ r }`.
    ///
    /// ```
    /// P(v) = v                                   if ‖v‖₁ ≤ r
    /// P(v)ᵢ = sign(vᵢ) max(|vᵢ| − τ, 0)           otherwise, τ from the simplex projection of |v| with radius r
    /// ∂P/∂v = I inside;  outside  diag(s) − (σ∘s)(σ∘s)ᵀ/|S|,  σ = sign(v), s the support
    /// ```
    ///
    /// On the sphere `‖v‖₁ = r` exactly the interior piece (`I`) is returned.
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - radius: `r > 0`.
    /// - Returns: the projection.
    @inlinable
    public static func l1Ball<T: DifferentiableScalar>(_ v: [T], radius: T) -> [T] {
        precondition(radius.primal > 0, "Projections.l1Ball: radius must be > 0")
        guard !v.isEmpty, v.reduce(0.0, { $0 + Swift.abs($1.primal) }) > radius.primal else { return v }
        let w = simplex(v.map { T.abs($0) }, radius: radius)
        return v.indices.map { v[$0].primal < 0 ? T(0) - w[$0] : w[$0] }
    }

    /// The projection onto the ℓ2 ball `{ ‖y‖₂ ≤ r }`.
    ///
    /// ```
    /// P(v) = v                 if ‖v‖₂ ≤ r
    /// P(v) = r v / ‖v‖₂        otherwise
    /// ∂P/∂v = (r/‖v‖)(I − v vᵀ/‖v‖²),   ∂P/∂r = v/‖v‖   outside
    /// ```
    ///
    /// On the sphere exactly the interior piece (`I`) is returned.
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - radius: `r > 0`.
    /// - Returns: the projection.
    @inlinable
    public static func l2Ball<T: DifferentiableScalar>(_ v: [T], radius: T) -> [T] {
        precondition(radius.primal > 0, "Projections.l2Ball: radius must be > 0")
        var squared = T(0)
        for vi in v { squared = squared + vi * vi }
        guard squared.primal > radius.primal * radius.primal else { return v }
        let scale = radius / T.sqrt(squared)
        return v.map { scale * $0 }
    }

    /// The projection onto the ℓ∞ ball `{ ‖y‖∞ ≤ r }`, the box `[−r, r]ⁿ`.
    ///
    /// ```
    /// P(v)ᵢ = clamp(vᵢ, −r, r)     ∂P/∂v = diag(|vᵢ| < r),  ∂P/∂r = sign(vᵢ) where |vᵢ| > r
    /// ```
    ///
    /// - Parameters:
    ///   - v: the point.
    ///   - radius: `r > 0`.
    /// - Returns: the projection.
    @inlinable
    public static func lInfinityBall<T: DifferentiableScalar>(_ v: [T], radius: T) -> [T] {
        precondition(radius.primal > 0, "Projections.lInfinityBall: radius must be > 0")
        return v.map { T.clamp($0, lower: T(0) - radius, upper: radius) }
    }

    /// The projection onto the hyperplane `{ y : aᵀy = b }`.
    ///
    /// ```
    /// P(v) = v − ((aᵀv − b)/‖a‖²) a        smooth in v, a ≠ 0 and b
    /// ```
    ///
    /// - Parameters:
    ///   - v: the point, length `n`.
    ///   - a: the normal, length `n`, non-zero.
    ///   - b: the offset.
    /// - Returns: the projection.
    @inlinable
    public static func hyperplane<T: DifferentiableScalar>(_ v: [T], normal a: [T], offset b: T) -> [T] {
        precondition(a.count == v.count, "Projections.hyperplane: normal and point differ in length")
        var av = T(0), aa = T(0)
        for i in v.indices {
            av = av + a[i] * v[i]
            aa = aa + a[i] * a[i]
        }
        precondition(aa.primal > 0, "Projections.hyperplane: zero normal")
        let t = (av - b) / aa
        return v.indices.map { v[$0] - t * a[$0] }
    }

    /// The projection onto the half-space `{ y : aᵀy ≤ b }`.
    ///
    /// ```
    /// P(v) = v                                 if aᵀv ≤ b
    /// P(v) = v − ((aᵀv − b)/‖a‖²) a            otherwise
    /// ∂P/∂v = I inside,  I − a aᵀ/‖a‖² outside
    /// ```
    ///
    /// On the boundary `aᵀv = b` exactly the interior piece (`I`) is returned.
    ///
    /// - Parameters:
    ///   - v: the point, length `n`.
    ///   - a: the normal, length `n`, non-zero.
    ///   - b: the offset.
    /// - Returns: the projection.
    @inlinable
    public static func halfSpace<T: DifferentiableScalar>(_ v: [T], normal a: [T], offset b: T) -> [T] {
        precondition(a.count == v.count, "Projections.halfSpace: normal and point differ in length")
        var av = 0.0
        for i in v.indices { av += a[i].primal * v[i].primal }
        return av <= b.primal ? v : hyperplane(v, normal: a, offset: b)
    }
}
