import AutoDiff

extension Projections {
    /// The projection onto a box section `{ y : l ≤ y ≤ u, aᵀy = b }` with positive weights `a`
    /// (the simplex is the case `l = 0`, `u = ∞`, `a = 1`).
    ///
    /// ```
    /// P(v)ᵢ = clamp(vᵢ − τ aᵢ, lᵢ, uᵢ),   τ such that aᵀP(v) = b
    /// τ = (Σ_{i∈F} aᵢvᵢ + Σ_{i∉F} aᵢ P(v)ᵢ − b) / Σ_{i∈F} aᵢ²,   F = { i : lᵢ < vᵢ − τaᵢ < uᵢ }
    /// ∂P_F/∂v_F = I − a_F a_Fᵀ/‖a_F‖²,   rows outside F are zero in v
    /// ```
    ///
    /// `τ` is located by bisection on primal values (`aᵀP` decreases in `τ`),
    /// then recomputed in `T` arithmetic from the free set `F`, so the
    /// derivative (in `v`, the bounds, the weights and `b`) is that of the
    /// piece `F` selects. Where some `vᵢ − τaᵢ` sits exactly on a bound the
    /// derivative is one-sided (that `i` counts as clamped); when no
    /// coordinate is free (`b` equal to `aᵀ` of a vertex) `τ` enters as a
    /// constant and the derivative is that of the clamped values.
    ///
    /// - Parameters:
    ///   - v: the point, length `n`.
    ///   - lower: `l`, length `n`, finite.
    ///   - upper: `u`, length `n`, finite, `l ≤ u`.
    ///   - weights: `a`, length `n`, every `aᵢ > 0`.
    ///   - total: `b` with `aᵀl ≤ b ≤ aᵀu` (the set is not empty).
    /// - Returns: the projection.
    @inlinable
    public static func boxSection<T: DifferentiableScalar>(_ v: [T], lower: [T], upper: [T], weights a: [T],
                                                           total b: T) -> [T] {
        let n = v.count
        precondition(lower.count == n && upper.count == n && a.count == n, "Projections.boxSection: lengths differ")
        precondition(a.allSatisfy { $0.primal > 0 }, "Projections.boxSection: weights must be > 0")
        let vp = v.map(\.primal), lp = lower.map(\.primal), up = upper.map(\.primal), ap = a.map(\.primal)
        func mass(_ tau: Double) -> Double {
            (0..<n).reduce(0) { $0 + ap[$1] * Swift.min(Swift.max(vp[$1] - tau * ap[$1], lp[$1]), up[$1]) }
        }
        // One unit beyond the extreme breakpoints: every coordinate at its upper (lo) or lower (hi) bound.
        var lo = ((0..<n).map { (vp[$0] - up[$0]) / ap[$0] }.min() ?? 0) - 1
        var hi = ((0..<n).map { (vp[$0] - lp[$0]) / ap[$0] }.max() ?? 0) + 1
        precondition(mass(hi) <= b.primal && b.primal <= mass(lo), "Projections.boxSection: the set is empty")
        var steps = 0
        while steps < 200 && hi - lo > 4 * Double.ulpOfOne * Swift.max(Swift.abs(lo), Swift.abs(hi), 1) {
            let mid = (lo + hi) / 2
            if mass(mid) > b.primal { lo = mid } else { hi = mid }
            steps += 1
        }
        let tauPrimal = (lo + hi) / 2
        var free = [Bool](repeating: false, count: n)
        var numerator = T(0) - b, denominator = T(0)
        var clamped = [T](repeating: T(0), count: n)
        for i in 0..<n {
            let t = vp[i] - tauPrimal * ap[i]
            if t <= lp[i] {
                clamped[i] = lower[i]
            } else if t >= up[i] {
                clamped[i] = upper[i]
            } else {
                free[i] = true
                numerator = numerator + a[i] * v[i]
                denominator = denominator + a[i] * a[i]
                continue
            }
            numerator = numerator + a[i] * clamped[i]
        }
        let tau = denominator.primal > 0 ? numerator / denominator : T(tauPrimal)
        return (0..<n).map { free[$0] ? v[$0] - tau * a[$0] : clamped[$0] }
    }
}

/// The box section `{ y : l ≤ y ≤ u, aᵀy = b }` with positive weights
/// (see `Projections.boxSection`).
public struct BoxSection: ConvexSet {
    /// `l`.
    public let lower: [Double]
    /// `u`.
    public let upper: [Double]
    /// `a`, positive.
    public let weights: [Double]
    /// `b`.
    public let total: Double

    /// - Parameters:
    ///   - lower: `l`, finite.
    ///   - upper: `u`, finite, `l ≤ u`, same length.
    ///   - weights: `a`, finite, `> 0`, same length.
    ///   - total: `b`, with `aᵀl ≤ b ≤ aᵀu`.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` when a parameter is NaN or infinite,
    ///   the lengths differ or are zero, some `lᵢ > uᵢ` or `aᵢ ≤ 0`, or `b` is outside `[aᵀl, aᵀu]` (empty set).
    public init(lower: [Double], upper: [Double], weights: [Double], total: Double) throws(OptimalityError) {
        let n = lower.count
        guard n > 0, upper.count == n, weights.count == n else {
            throw .invalidParameter("box section: lengths \(lower.count), \(upper.count), \(weights.count)")
        }
        try requireFinite(total, "box section total")
        for i in 0..<n {
            guard lower[i].isFinite, upper[i].isFinite, lower[i] <= upper[i] else {
                throw .invalidParameter("box section bound \(i): lower = \(lower[i]), upper = \(upper[i])")
            }
            try requirePositive(weights[i], "box section weight \(i)")
        }
        let low = zip(weights, lower).reduce(0) { $0 + $1.0 * $1.1 }
        let high = zip(weights, upper).reduce(0) { $0 + $1.0 * $1.1 }
        guard low <= total, total <= high else {
            throw .invalidParameter("box section is empty: total = \(total) outside [aᵀl, aᵀu] = [\(low), \(high)]")
        }
        self.lower = lower
        self.upper = upper
        self.weights = weights
        self.total = total
    }

    /// The projection; `v` has the section's dimension.
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T]) -> [T] {
        Projections.boxSection(v, lower: lower.map { T($0) }, upper: upper.map { T($0) },
                               weights: weights.map { T($0) }, total: T(total))
    }
}
