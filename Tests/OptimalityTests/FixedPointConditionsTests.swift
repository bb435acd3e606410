import Testing
import Optimality
import TestSupport

/// Heron's map `T(x, y) = (y + x/y)/2`, whose fixed point is `√x`.
struct HeronMap: FixedPointMap {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        zip(x, y).map { x, y in (y + x / y) / T(2) }
    }
}

@Suite struct FixedPointConditionsTests {
    /// `(x, y) ↦ F(x, y)` for the scalar checks.
    struct Residual: DifferentiableFunction {
        let conditions: FixedPointConditions<HeronMap>
        func callAsFunction<T: DifferentiableScalar>(_ v: [T]) -> [T] {
            let n = v.count / 2
            return conditions(x: Array(v[0..<n]), y: Array(v[n...]))
        }
    }
    /// `x ↦ y(x)` through the implicit function, generic.
    struct Root: DifferentiableFunction {
        let root: ImplicitFunction<Void, Void>
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { root(x) }
    }

    static let x = [0.5, 2, 3.7]

    static func root(step: Double) throws -> ImplicitFunction<Void, Void> {
        try ImplicitFunction(fixedPointOf: HeronMap(), step: step, solver: { x in
            try FixedPointIteration.solve(HeronMap(), x: x, initial: [Double](repeating: 1, count: x.count))
        })
    }

    @Test(arguments: [1.0, 0.25])
    func conditionsArePreconditionedByTheStep(step: Double) throws {
        let conditions = try FixedPointConditions(map: HeronMap(), step: step)
        let x = Self.x, y = [0.9, 1.1, 2]
        // F = ((y + x/y)/2 − y)/η;  ∂F/∂x = 1/(2yη),  ∂F/∂y = (−1/2 − x/(2y²))/η.
        let value = (0..<3).map { ((y[$0] + x[$0] / y[$0]) / 2 - y[$0]) / step }
        let reference = Matrix(rows: 3, columns: 6) { i, j in
            if j < 3 { return i == j ? 1 / (2 * y[i] * step) : 0 }
            return i == j - 3 ? (-0.5 - x[i] / (2 * y[i] * y[i])) / step : 0
        }
        ScalarChecks.expect(Residual(conditions: conditions), at: x + y, value: value, jacobian: reference,
                            tolerance: 1e-15)
    }

    @Test(arguments: [1.0, 0.25])
    func fixedPointDerivativeIsTheClosedFormWhateverTheStep(step: Double) throws {
        let root = try Self.root(step: step)
        let x = Self.x
        let exact = Matrix.diagonal(x.map { 1 / (2 * $0.squareRoot()) })
        #expect(Approximate.relativeError(try root(x), x.map { $0.squareRoot() }) <= 1e-15)
        #expect(Approximate.relativeError(try root.jacobian(at: x), exact) <= 1e-13)
        let dx = [0.3, -1, 0.7]
        #expect(Approximate.relativeError(try root.jvp(at: x, tangent: dx), exact * dx) <= 1e-13)
        #expect(Approximate.relativeError(try root.vjp(at: x, cotangent: dx), exact * dx) <= 1e-13)
        ScalarChecks.expect(Root(root: root), at: x, jacobian: exact, tolerance: 1e-13)
    }

    @Test func badStepsAndNonConvergenceAreTypedErrors() {
        #expect(throws: OptimalityError.invalidParameter("fixed-point step = 0.0 must be > 0 and finite")) {
            try FixedPointConditions(map: HeronMap(), step: 0)
        }
        #expect(throws: OptimalityError.invalidParameter("fixed-point step = nan must be > 0 and finite")) {
            try Self.root(step: .nan)
        }
        struct Doubling: FixedPointMap {   // y ← 2y + 1 from 0: yₖ = 2ᵏ − 1, last change 2⁹
            func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { y.map { T(2) * $0 + T(1) } }
        }
        #expect(throws: OptimalityError.notConverged(iterations: 10, change: 512)) {
            try FixedPointIteration.solve(Doubling(), x: [], initial: [0], maxIterations: 10)
        }
    }
}
