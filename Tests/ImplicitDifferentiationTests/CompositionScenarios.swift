import ImplicitDifferentiation
import TestSupport

// Scenarios for the composition tests: ridge regression as an implicit
// function of per-feature penalties inside a scalar loss, and a nested
// implicit function (a fixed point whose conditions call √ by Heron).

/// y = argmin ‖Xy − b‖² + Σ xᵢ yᵢ²; conditions ∇ = 2Xᵀ(Xy − b) + 2 x∘y.
struct RidgeConditions: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let data = Ridge.data, p = data.rows, m = data.columns
        let r = (0..<p).map { i in
            (0..<m).reduce(T(-Ridge.b[i])) { s, j in s + T(data[i, j]) * y[j] }
        }
        return (0..<m).map { j in
            T(2) * (0..<p).reduce(T(0)) { s, i in s + T(data[i, j]) * r[i] } + T(2) * x[j] * y[j]
        }
    }
}

enum Ridge {
    static let data: Matrix = { var rng = SeededRandom(seed: 21); return rng.matrix(10, 4) }()
    static let b: [Double] = { var rng = SeededRandom(seed: 22); return rng.vector(10) }()
    static let x: [Double] = [0.3, 0.7, 1.1, 0.5]
    static let target: [Double] = [0.2, -0.1, 0.4, 0.0]
    static let c = 0.05

    /// XᵀX + diag x.
    static func normalMatrix(_ x: [Double]) -> Matrix {
        var a = Matrix(rows: x.count, columns: x.count)
        BLAS.gemm(transposeA: true, 1, data, data, 0, &a)
        for i in 0..<x.count { a[i, i] += x[i] }
        return a
    }

    /// The black box: (XᵀX + diag x) y = Xᵀb by LU.
    @Sendable static func solve(_ x: [Double]) throws -> [Double] {
        try LUFactorization(normalMatrix(x)).solve(data.transposedTimes(b))
    }

    /// dy/dx = −(XᵀX + diag x)⁻¹ diag(y).
    static func jacobian(_ x: [Double]) throws -> Matrix {
        let y = try solve(x)
        return -1 * (try LUFactorization(normalMatrix(x)).solve(Matrix.diagonal(y)))
    }

    /// ∇loss = Jᵀ(y − t) + c·1 for loss = ½‖y − t‖² + c·Σx.
    static func lossGradient(_ x: [Double]) throws -> [Double] {
        let y = try solve(x)
        let r = zip(y, target).map { $0 - $1 }
        return try jacobian(x).transposedTimes(r).map { $0 + c }
    }

    static let function = ImplicitFunction(solver: Ridge.solve, conditions: RidgeConditions())
}

/// loss(x) = ½‖y(x) − t‖² + c·Σx with y the ridge solution, written once, generically.
struct RidgeLoss: DifferentiableFunction {
    var ridge = Ridge.function
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        let y = ridge(x)
        var s = T(0)
        for i in 0..<y.count {
            let d = y[i] - T(Ridge.target[i])
            s += d * d
        }
        return [s / T(2) + T(Ridge.c) * x.reduce(T(0), +)]
    }
}

/// The outer fixed point y = √(x + y)/2, with √ an inner implicit function
/// (Heron): F(x, y) = inner(x + y)/2 − y. Closed form y = (1 + √(1 + 16x))/8,
/// dy/dx = 1/√(1 + 16x), d²y/dx² = −8 (1 + 16x)^(−3/2).
struct NestedConditions: ImplicitConditions {
    let inner = ImplicitFunction(solver: { SquareRoot.heron($0, iterations: 40) }, conditions: HeronConditions())
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let s = inner(zip(x, y).map { $0 + $1 })
        return zip(s, y).map { $0 / T(2) - $1 }
    }
}

enum Nested {
    static let x: [Double] = [0.5, 2, 3]

    /// The outer black box: the fixed-point iteration (plain square roots).
    @Sendable static func solve(_ x: [Double]) -> [Double] {
        x.map { x in
            var y = 1.0
            for _ in 0..<200 { y = (x + y).squareRoot() / 2 }
            return y
        }
    }

    /// The whole nest unrolled: fixed-point iterations around Heron's iterations.
    static func unrolled(_ x: [Double]) -> [Double] {
        x.map { x in
            var y = 1.0
            for _ in 0..<200 { y = SquareRoot.heron([x + y], iterations: 40)[0] / 2 }
            return y
        }
    }

    static func derivative(_ x: Double) -> Double { 1 / (1 + 16 * x).squareRoot() }
    static func secondDerivative(_ x: Double) -> Double { -8 / Double.pow(1 + 16 * x, 1.5) }

    static let function = ImplicitFunction(solver: Nested.solve, conditions: NestedConditions())
}
