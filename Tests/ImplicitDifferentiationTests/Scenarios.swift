import ImplicitDifferentiation

// Conditions and forward solvers shared by the implicit-layer tests. Each
// scenario has a closed-form derivative written out in its test.

/// The reference scenario of ImplicitDifferentiation.jl: non-symmetric A and B.
///
/// y = reverse([√(x + z); −√x]) ∈ R⁶, F(x, y, z) = reverse(y∘y / a²) − [x + z; x],
/// where the solver returns a·y and z = 2, a = the extra argument (1 when absent).
struct ReferenceConditions: ImplicitConditionsWithByproduct {
    struct Byproduct: Sendable { var z: Double; var a: Double }
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T], byproduct: Byproduct) -> [T] {
        let a = T(byproduct.a)
        let squares = y.reversed().map { ($0 / a) * ($0 / a) }
        let target = x.map { $0 + T(byproduct.z) } + x
        return zip(squares, target).map { $0 - $1 }
    }
}

enum Reference {
    static let x: [Double] = [0.7, 1.3, 2.1]
    static let z = 2.0

    /// The forward solver, as a user would write it (no AD inside).
    @Sendable static func solve(_ x: [Double], _ a: Double) -> (y: [Double], byproduct: ReferenceConditions.Byproduct) {
        let stacked = x.map { ($0 + z).squareRoot() } + x.map { -$0.squareRoot() }
        return (stacked.reversed().map { a * $0 }, .init(z: z, a: a))
    }

    /// The analytic Jacobian ∂y/∂x (6 × 3) for the extra argument `a`.
    static func jacobian(_ x: [Double], a: Double) -> Matrix {
        var j = Matrix(rows: 6, columns: 3)
        for i in 0..<3 {
            // stacked[i] = √(x_i + z) sits at y[5 − i]; stacked[3 + i] = −√x_i at y[2 − i].
            j[5 - i, i] = a * 0.5 / (x[i] + z).squareRoot()
            j[2 - i, i] = -a * 0.5 / x[i].squareRoot()
        }
        return j
    }
}

/// √ as argmin of ‖y∘y − x‖²: the conditions are the gradient 4y(y² − x).
struct SquareRootGradient: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        zip(x, y).map { x, y in T(4) * y * (y * y - x) }
    }
}

/// √ as the root of y∘y − x (Newton).
struct SquareRootEquation: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        zip(x, y).map { x, y in y * y - x }
    }
}

/// √ as the Heron fixed point y = (y + x/y)/2.
struct HeronConditions: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        zip(x, y).map { x, y in (y + x / y) / T(2) - y }
    }
}

enum SquareRoot {
    /// Gradient descent with Newton steps on f(y) = Σ (y² − x)², from y = x.
    @Sendable static func minimize(_ x: [Double]) -> [Double] {
        x.map { x in
            var y = max(x, 1)
            for _ in 0..<100 {
                let g = 4 * y * (y * y - x), h = 12 * y * y - 4 * x
                y -= g / h
            }
            return y
        }
    }

    /// Newton on y² − x = 0.
    @Sendable static func newton(_ x: [Double]) -> [Double] {
        x.map { x in
            var y = max(x, 1)
            for _ in 0..<60 { y -= (y * y - x) / (2 * y) }
            return y
        }
    }

    /// Heron's iteration, stopped after `iterations` steps.
    static func heron(_ x: [Double], iterations: Int) -> [Double] {
        x.map { x in
            var y = 1.0
            for _ in 0..<iterations { y = (y + x / y) / 2 }
            return y
        }
    }
}

/// Box-constrained min Σ (y² − x)² on [0, 1]ⁿ as the projected-gradient
/// fixed point y = clamp(y − η ∇f(y)) — zero derivative on the active bound.
struct ProjectedGradientConditions: ImplicitConditions {
    let step: Double
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        zip(x, y).map { x, y in
            let moved = y - T(step) * T(4) * y * (y * y - x)
            return min(max(moved, T(0)), T(1)) - y
        }
    }
}

enum BoxConstrained {
    static let step = 0.1
    /// Projected gradient descent, run to convergence.
    @Sendable static func solve(_ x: [Double]) -> [Double] {
        x.map { x in
            var y = 0.5
            for _ in 0..<2000 {
                y = min(max(y - step * 4 * y * (y * y - x), 0), 1)
            }
            return y
        }
    }
}
