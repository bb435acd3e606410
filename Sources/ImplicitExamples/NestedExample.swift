import ImplicitDifferentiation

// Use case 8: a nested implicit function and a second derivative through one.
//
//     inner:  z(s) = √s                 an ImplicitFunction (Newton on z² − s)
//     outer:  y(x) solves y + z(y) = x  componentwise: F(x, y) = y + z(y) − x
//
// With r = √y = (−1 + √(1 + 4x))/2:
//
//     dy/dx   = 1 / (1 + z'(y)) = 2r/(2r + 1)
//     d²y/dx² = 2/(2r + 1)³
//
// The outer conditions call the inner implicit function generically: on
// duals it applies the implicit-function rule to the tangents, on the tape it
// is one node whose adjoint is its implicit VJP. For L(x) = Σ wᵢ yᵢ(x), the
// Hessian-vector product is reverse-over-forward (Dual<TapeScalar>) and the
// full Hessian forward-over-forward (Dual<Dual<Double>>), through the outer
// implicit function whose conditions go through the inner one.

/// The outer conditions of use case 8, `F(x, y) = y + z(y) − x`, with `z = √·`
/// an inner implicit function evaluated in the AD scalar.
public struct NestedSquareRootConditions: ImplicitConditions {
    /// The inner implicit function `z(s) = √s` (Newton on `z² − s`).
    public let inner = ImplicitFunction(solver: SquareRootSolvers.newton, conditions: SquareRootEquationConditions())

    /// Creates the conditions.
    public init() {}

    /// `y + z(y) − x`, with `z` differentiated by its own conditions.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let z = inner(y)
        return (0..<y.count).map { y[$0] + z[$0] - x[$0] }
    }

    /// The outer forward solver, as a user would write it: safeguarded
    /// Newton on `y + √y − x = 0` from `y = x` (plain square roots).
    ///
    /// - Parameter x: positive entries.
    /// - Returns: `y(x)`.
    @Sendable public static func solve(_ x: [Double]) -> [Double] {
        x.map { x in
            var y = x
            for _ in 0..<100 {
                let r = y.squareRoot()
                let next = Swift.max(y - (y + r - x) / (1 + 1 / (2 * r)), y / 10)
                if next == y { break }
                y = next
            }
            return y
        }
    }

    /// `r = √y = (−1 + √(1 + 4x))/2`.
    static func root(_ x: Double) -> Double { (-1 + (1 + 4 * x).squareRoot()) / 2 }
}

/// `L(x) = Σ wᵢ yᵢ(x)` through the outer implicit function, written once generically.
struct NestedLoss: DifferentiableFunction {
    let outer: ImplicitFunction<Void, Void>
    let weights: [Double]
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        let y = outer(x)
        var s = T(0)
        for i in 0..<y.count { s = s + T(weights[i]) * y[i] }
        return [s]
    }
}

extension Examples {
    /// Use case 8: a nested implicit function and a Hessian through one.
    public static let nested = Example(
        name: "nested",
        title: "nested implicit function y + √y = x (√ itself implicit) and the Hessian of Σwᵢyᵢ",
        sizeMeaning: "m = n = size", defaultSize: 10, testSize: 6, benchmarkSizes: [10, 100, 1000]
    ) { (m: Int) -> ExampleProblem<Void> in
        let conditions = NestedSquareRootConditions()
        let x = (0..<m).map { 0.5 + 3 * Double(($0 * 3) % 7) / 7 }
        let w = (0..<m).map { 1 + 0.5 * Inputs.wave($0, 1.0, 0) }
        let dx = Directions.tangent(m), ybar = Directions.cotangent(m)
        let slope = x.map { x -> Double in let r = NestedSquareRootConditions.root(x); return 2 * r / (2 * r + 1) }
        let curvature = x.map { x -> Double in
            let r = NestedSquareRootConditions.root(x)
            return 2 / Double.pow(2 * r + 1, 3)
        }
        return ExampleProblem(
            input: x, unknowns: m, equations: m, conditions: conditions, solve: NestedSquareRootConditions.solve,
            checks: [
                DerivativeCheck(mode: .jvp, quantity: "J ẋ through the inner implicit function", reference: .closedForm,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jvp(dx) },
                                expected: { _ in zip(slope, dx).map { $0 * $1 } }),
                DerivativeCheck(mode: .vjp, quantity: "Jᵀ ȳ through the inner implicit function", reference: .closedForm,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.vjp(ybar) },
                                expected: { _ in zip(slope, ybar).map { $0 * $1 } }),
                DerivativeCheck(mode: .vjp,
                                quantity: "Hessian-vector product H ẋ of Σwᵢyᵢ, reverse-over-forward",
                                reference: .closedForm,
                                compute: { _ throws(ImplicitDifferentiationError) in
                                    let outer = ImplicitFunction(solver: NestedSquareRootConditions.solve,
                                                                 conditions: conditions)
                                    return AD.hessianVectorProduct(of: NestedLoss(outer: outer, weights: w), at: x,
                                                                   direction: dx, mode: .reverseOverForward)
                                },
                                expected: { _ in (0..<m).map { w[$0] * curvature[$0] * dx[$0] } }),
                DerivativeCheck(mode: .jacobian, quantity: "J = diag(2r/(2r + 1)), r = √y", reference: .closedForm,
                                skipReason: m > 2000 ? "m = \(m) > 2000" : nil,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jacobian().elements },
                                expected: { _ in Matrix.diagonal(slope).elements }),
                DerivativeCheck(mode: .jacobian,
                                quantity: "Hessian of Σwᵢyᵢ = diag(wᵢ·2/(2rᵢ + 1)³), forward-over-forward",
                                reference: .closedForm,
                                skipReason: m > 12 ? "m = \(m) > 12 (m(m+1)/2 second-order evaluations)" : nil,
                                compute: { _ throws(ImplicitDifferentiationError) in
                                    let outer = ImplicitFunction(solver: NestedSquareRootConditions.solve,
                                                                 conditions: conditions)
                                    return AD.hessian(of: NestedLoss(outer: outer, weights: w), at: x).elements
                                },
                                expected: { _ in Matrix.diagonal(zip(w, curvature).map { $0 * $1 }).elements }),
            ])
    }
}
