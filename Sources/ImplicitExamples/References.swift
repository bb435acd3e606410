import ImplicitDifferentiation

/// Independent reference derivatives: finite differences through the whole
/// forward solver (never through the conditions), fourth-order accurate.
///
/// Each derivative is the Richardson extrapolation of two central differences,
///
/// ```
/// D(h) = (y(x + h v) − y(x − h v)) / 2h
/// y′ ≈ (4 D(h) − D(2h)) / 3 = (8 (y₊₁ − y₋₁) − (y₊₂ − y₋₂)) / 12h,   h = ε^(1/5) · max(1, ‖x‖∞) / ‖v‖∞
/// ```
///
/// with error `O(h⁴) + O(δ/h)` for a solver converged to `δ`: about 1e-11
/// relative for `δ ≈ 1e-14`, against `O(h²) + O(δ/h)` ≈ 1e-9 for one central
/// difference at `h = ∛ε`, whose rounding term hides whether an implicit
/// derivative is accurate to 1e-10.
public enum SolverFiniteDifferences {
    /// `ε^(1/5) ≈ 7.4e-4` for `Double`.
    static let fifthRootOfEpsilon = 7.40095979741405e-04

    /// The directional derivative of `y` along `v`, by four solves.
    ///
    /// - Parameters:
    ///   - solve: the forward solver `x ↦ y`, converged to about machine precision.
    ///   - x: the point.
    ///   - v: the direction, same length as `x`.
    /// - Returns: `y′(x) v`.
    public static func jvp(_ solve: ([Double]) -> [Double], at x: [Double], along v: [Double]) -> [Double] {
        precondition(v.count == x.count, "jvp: direction has length \(v.count), point has length \(x.count)")
        let vmax = v.reduce(0) { Swift.max($0, Swift.abs($1)) }
        if vmax == 0 { return [Double](repeating: 0, count: solve(x).count) }
        let xmax = x.reduce(0) { Swift.max($0, Swift.abs($1)) }
        let h = fifthRootOfEpsilon * Swift.max(1, xmax) / vmax
        func at(_ t: Double) -> [Double] { solve(zip(x, v).map { $0 + t * $1 }) }
        return extrapolated(at(h), at(-h), at(2 * h), at(-2 * h), h: h)
    }

    /// The `k × n` Jacobian of `f` at `x`, one column per coordinate by four evaluations
    /// (`hⱼ = ε^(1/5) · max(1, |xⱼ|)`, rounded so that `xⱼ ± hⱼ` and `xⱼ ± 2hⱼ` are exact).
    ///
    /// - Parameters:
    ///   - f: `x ↦ f(x)`, running the forward solver inside.
    ///   - x: the point.
    /// - Returns: `∂f/∂x`.
    public static func jacobian(of f: ([Double]) -> [Double], at x: [Double]) -> Matrix {
        var columns: [[Double]] = []
        columns.reserveCapacity(x.count)
        var xp = x
        for j in 0..<x.count {
            let h = (x[j] + fifthRootOfEpsilon * Swift.max(1, Swift.abs(x[j]))) - x[j]
            func at(_ t: Double) -> [Double] { xp[j] = x[j] + t; defer { xp[j] = x[j] }; return f(xp) }
            columns.append(extrapolated(at(h), at(-h), at(2 * h), at(-2 * h), h: h))
        }
        if x.isEmpty { return Matrix(rows: f(x).count, columns: 0) }
        return Matrix(columns: columns)
    }

    /// The gradient of a scalar `L(x) = ℓ(x, y(x))`, four evaluations per coordinate.
    ///
    /// - Parameters:
    ///   - loss: `x ↦ L(x)`, running the forward solver inside.
    ///   - x: the point.
    /// - Returns: `∇L(x)` (`4n` forward solves).
    public static func gradient(_ loss: ([Double]) -> Double, at x: [Double]) -> [Double] {
        jacobian(of: { [loss($0)] }, at: x).elements
    }

    /// `(8 (f₊₁ − f₋₁) − (f₊₂ − f₋₂)) / 12h`.
    static func extrapolated(_ p1: [Double], _ m1: [Double], _ p2: [Double], _ m2: [Double], h: Double) -> [Double] {
        (0..<p1.count).map { i in (8 * (p1[i] - m1[i]) - (p2[i] - m2[i])) / (12 * h) }
    }
}

/// Deterministic inputs: closed-form formulas of the index, the same in every
/// run and every language (no random generator).
enum Inputs {
    /// `sin(a·i + b)`.
    static func wave(_ i: Int, _ a: Double, _ b: Double) -> Double { Double.sin(a * Double(i) + b) }
}

/// Deterministic directions for the JVP and VJP checks.
enum Directions {
    /// `ẋᵢ = cos(0.7 i + 0.1)`.
    static func tangent(_ n: Int) -> [Double] { (0..<n).map { Double.cos(0.7 * Double($0) + 0.1) } }
    /// `ȳᵢ = sin(1.3 i + 0.4)`.
    static func cotangent(_ m: Int) -> [Double] { (0..<m).map { Double.sin(1.3 * Double($0) + 0.4) } }
}
