import AutoDiff
import LinearAlgebra
import TestSupport

/// A dense nonlinear map R³⁰ → R²⁰ with every elementary kind in it.
struct DenseMap: DifferentiableFunction {
    let a: Matrix   // 20 × 30
    init() {
        var rng = SeededRandom(seed: 7)
        a = Matrix(rows: 20, columns: 30, elements: rng.vector(600, -0.3, 0.3))
    }
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        (0..<20).map { i in
            var s = T.zero
            for j in 0..<30 { s += T(a[i, j]) * x[j] }
            let p: T = x[i] * x[i + 10] / (T(1) + x[i + 5] * x[i + 5])
            let q: T = T.log(onePlus: x[i] * x[i])
            let r: T = T.exp(T(0.5) * x[29 - i]) * T.sin(x[i + 3])
            return T.tanh(s) + p + q + r
        }
    }
}

/// A banded nonlinear map Rⁿ → Rⁿ (bandwidth 2 on each side).
struct BandedMap: DifferentiableFunction {
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        let n = x.count
        return (0..<n).map { i in
            let l2 = i >= 2 ? x[i - 2] : T.zero, l1 = i >= 1 ? x[i - 1] : T.zero
            let r1 = i + 1 < n ? x[i + 1] : T.zero, r2 = i + 2 < n ? x[i + 2] : T.zero
            let a: T = T(3) * x[i] + x[i] * x[i] * x[i] - T.sin(l2)
            let b: T = T(0.5) * l1 * r1 - T.sqrt(T(2) + r2 * r2)
            return a + b + T.exp(T(-0.3) * x[i]) * l1
        }
    }
}

/// Rosenbrock's function, f: Rⁿ → R¹.
struct Rosenbrock: DifferentiableFunction {
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        var s = T.zero
        for i in 0..<(x.count - 1) {
            let a = x[i + 1] - x[i] * x[i], b = T(1) - x[i]
            s += T(100) * a * a + b * b
        }
        return [s]
    }

    /// The closed-form gradient.
    static func gradient(_ x: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: x.count)
        for i in 0..<(x.count - 1) {
            let a = x[i + 1] - x[i] * x[i]
            g[i] += -400 * x[i] * a - 2 * (1 - x[i])
            g[i + 1] += 200 * a
        }
        return g
    }
}

/// F: R⁷ × R⁵ → R⁶, coupling both arguments nonlinearly.
struct Coupled: DifferentiableBivariateFunction {
    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
        (0..<6).map { i in
            let yi = y[i % 5], yj = y[(i + 1) % 5]
            let a: T = yi * yi * yi + x[i] * yj - T.sin(x[i + 1]) * T.exp(T(0.2) * yi)
            let b: T = T.pow(T(1.5) + x[6] * x[6], 0.5) * yj - T.atan(x[(i + 3) % 7] * yi)
            return a + b
        }
    }
}

/// A generic function as a Double closure, for the finite-difference oracle.
func plain<F: DifferentiableFunction>(_ f: F) -> ([Double]) -> [Double] { { f($0) } }

/// A generic two-argument function as a Double closure.
func plain<F: DifferentiableBivariateFunction>(_ f: F) -> ([Double], [Double]) -> [Double] { { f($0, $1) } }

/// ⟨a, b⟩.
func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

/// `J·v` for a dense matrix.
func times(_ J: Matrix, _ v: [Double]) -> [Double] {
    (0..<J.rows).map { i in (0..<J.columns).reduce(0) { $0 + J[i, $1] * v[$1] } }
}

/// `Jᵀ·u` for a dense matrix.
func timesTransposed(_ J: Matrix, _ u: [Double]) -> [Double] {
    (0..<J.columns).map { j in (0..<J.rows).reduce(0) { $0 + J[$1, j] * u[$1] } }
}
