import ImplicitDifferentiation

/// Independent reference derivatives: central finite differences through the
/// whole forward solver (never through the conditions).
public enum SolverFiniteDifferences {
    /// `(y(x + h v) − y(x − h v)) / 2h`, `h = ∛ε · max(1, ‖x‖∞) / ‖v‖∞`.
    ///
    /// - Parameters:
    ///   - solve: the forward solver `x ↦ y`, converged to about machine precision.
    ///   - x: the point.
    ///   - v: the direction, same length as `x`.
    /// - Returns: the directional derivative of `y`.
    public static func jvp(_ solve: ([Double]) -> [Double], at x: [Double], along v: [Double]) -> [Double] {
        FiniteDifferences.jvp(of: solve, at: x, tangent: v)
    }

    /// The gradient of a scalar `L(x) = ℓ(x, y(x))` by one central difference per coordinate.
    ///
    /// - Parameters:
    ///   - loss: `x ↦ L(x)`, running the forward solver inside.
    ///   - x: the point.
    /// - Returns: `∇L(x)` (`2n` forward solves).
    public static func gradient(_ loss: ([Double]) -> Double, at x: [Double]) -> [Double] {
        FiniteDifferences.jacobian(of: { [loss($0)] }, at: x).elements
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
