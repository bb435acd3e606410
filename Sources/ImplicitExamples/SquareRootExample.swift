import ImplicitDifferentiation
import Optimality

// Use case 1: the componentwise square root three ways. Each is a different
// forward solver with different conditions; all three have the Jacobian
//
//     J = diag(1 / (2√x)).

/// `y = √x` as the minimizer of `f(x, y) = Σ (yᵢ² − xᵢ)²`.
///
/// `ArgminConditions(objective: SquareRootObjective())` (Optimality) takes
/// `∇_y f` by `m` dual passes; the example uses the hand gradient
/// ``SquareRootGradient`` instead, one pass, as a user would at `m = 1000`.
public struct SquareRootObjective: Objective {
    /// Creates the objective.
    public init() {}
    /// `Σ (yᵢ² − xᵢ)²`.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> T {
        zip(x, y).reduce(T(0)) { $0 + ($1.1 * $1.1 - $1.0) * ($1.1 * $1.1 - $1.0) }
    }
}

/// The gradient of ``SquareRootObjective`` by hand: the argmin conditions.
///
/// ```
/// F(x, y)ᵢ = 4 yᵢ (yᵢ² − xᵢ)      A = diag(12y² − 4x) = diag(8x) (SPD)   B = −diag(4y)
/// ```
public struct SquareRootGradient: ObjectiveGradient {
    /// Creates the gradient.
    public init() {}
    /// `4 y (y² − x)` componentwise.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        zip(x, y).map { x, y in T(4) * y * (y * y - x) }
    }
}

/// `y = √x` as the root of `y∘y − x` (Newton's method).
///
/// ```
/// F(x, y)ᵢ = yᵢ² − xᵢ      A = diag(2y)   B = −I
/// ```
public struct SquareRootEquationConditions: ImplicitConditions {
    /// Creates the conditions.
    public init() {}
    /// `y² − x` componentwise.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        zip(x, y).map { x, y in y * y - x }
    }
}

/// `y = √x` as the fixed point of Heron's iteration `y ← (y + x/y)/2`.
///
/// ```
/// F(x, y)ᵢ = (yᵢ + xᵢ/yᵢ)/2 − yᵢ      A = diag(−1/2 − x/(2y²)) = −I   B = diag(1/(2y))
/// ```
public struct HeronConditions: ImplicitConditions {
    /// Creates the conditions.
    public init() {}
    /// `(y + x/y)/2 − y` componentwise.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        zip(x, y).map { x, y in (y + x / y) / T(2) - y }
    }
}

/// The forward solvers of use case 1, as a user would write them.
public enum SquareRootSolvers {
    /// Newton's method on `f(y) = (y² − x)²` (minimization), from `y = max(x, 1)`.
    ///
    /// - Parameter x: positive entries.
    /// - Returns: `√x` to machine precision.
    @Sendable public static func minimize(_ x: [Double]) -> [Double] {
        x.map { x in
            var y = Swift.max(x, 1)
            for _ in 0..<200 {
                let step = 4 * y * (y * y - x) / (12 * y * y - 4 * x)
                y -= step
                if Swift.abs(step) <= 1e-16 * y { break }
            }
            return y
        }
    }

    /// Newton's method on `y² − x = 0`, from `y = max(x, 1)`.
    ///
    /// - Parameter x: positive entries.
    /// - Returns: `√x` to machine precision.
    @Sendable public static func newton(_ x: [Double]) -> [Double] {
        x.map { x in
            var y = Swift.max(x, 1)
            for _ in 0..<100 {
                let step = (y * y - x) / (2 * y)
                y -= step
                if Swift.abs(step) <= 1e-16 * y { break }
            }
            return y
        }
    }

    /// Heron's iteration `y ← (y + x/y)/2` from `y = 1`, until it stops changing.
    ///
    /// - Parameter x: positive entries.
    /// - Returns: `√x` to machine precision.
    @Sendable public static func heron(_ x: [Double]) -> [Double] {
        x.map { x in
            var y = 1.0
            for _ in 0..<100 {
                let next = (y + x / y) / 2
                if next == y { break }
                y = next
            }
            return y
        }
    }
}

extension Examples {
    /// `xᵢ = 0.5 + 0.4 (i mod 10)`: ten distinct values in `[0.5, 4.1]`.
    static func squareRootInput(_ m: Int) -> [Double] { (0..<m).map { 0.5 + 0.4 * Double($0 % 10) } }

    /// The closed-form checks shared by the three square roots.
    static func squareRootChecks(_ x: [Double]) -> [DerivativeCheck<Void>] {
        let m = x.count
        let dx = Directions.tangent(m), ybar = Directions.cotangent(m)
        let d = x.map { 1 / (2 * $0.squareRoot()) }
        return [
            DerivativeCheck(mode: .jvp, quantity: "J ẋ, ẋᵢ = cos(0.7i + 0.1)", reference: .closedForm,
                            compute: { lin throws(ImplicitDifferentiationError) in try lin.jvp(dx) },
                            expected: { _ in zip(d, dx).map { $0 * $1 } }),
            DerivativeCheck(mode: .vjp, quantity: "Jᵀ ȳ, ȳᵢ = sin(1.3i + 0.4)", reference: .closedForm,
                            compute: { lin throws(ImplicitDifferentiationError) in try lin.vjp(ybar) },
                            expected: { _ in zip(d, ybar).map { $0 * $1 } }),
            DerivativeCheck(mode: .jacobian, quantity: "J = diag(1/(2√x))", reference: .closedForm,
                            skipReason: m > 2000 ? "m = \(m) > 2000: \(m)² entries" : nil,
                            compute: { lin throws(ImplicitDifferentiationError) in try lin.jacobian().elements },
                            expected: { _ in Matrix.diagonal(d).elements }),
        ]
    }

    static func squareRoot(_ name: String, _ how: String,
                           _ conditions: some ImplicitConditions, structure: OperatorStructure = [],
                           _ solve: @escaping @Sendable ([Double]) -> [Double]) -> Example {
        Example(name: name, group: "sqrt", title: "componentwise √x \(how)",
                sizeMeaning: "m = n = size entries", defaultSize: 1000, testSize: 20,
                benchmarkSizes: [1000, 10_000, 100_000]) { m in
            let x = squareRootInput(m)
            return ExampleProblem(input: x, unknowns: m, equations: m, structure: structure, conditions: conditions,
                                  solve: solve, checks: squareRootChecks(x))
        }
    }

    /// Use case 1a: √ as argmin of ‖y∘y − x‖² (Hessian declared SPD).
    public static let squareRootArgmin = squareRoot(
        "sqrt-argmin", "as argmin ‖y∘y − x‖² (Newton on the gradient)",
        GradientConditions(gradient: SquareRootGradient()), structure: [.symmetric, .positiveDefinite],
        SquareRootSolvers.minimize)
    /// Use case 1b: √ as the root of y∘y − x.
    public static let squareRootNewton = squareRoot(
        "sqrt-newton", "as the root of y∘y − x (Newton)", SquareRootEquationConditions(), SquareRootSolvers.newton)
    /// Use case 1c: √ as Heron's fixed point.
    public static let squareRootHeron = squareRoot(
        "sqrt-heron", "as Heron's fixed point y = (y + x/y)/2", HeronConditions(), SquareRootSolvers.heron)
}
