import Foundation
import ImplicitDifferentiation

// Deterministic problems for the crossover, peer and unrolling suites.
// Everything is a closed-form formula of the index (no random numbers), so
// `scripts/bench-peers` rebuilds the very same problems in Python. Indices
// below are 0-based; `i1 = i + 1`.
//
//     reference solution   y*_i = 0.5·sin(0.37·i1)
//     input                x    = G(y*)   (so F(x, y*) = 0 exactly, up to rounding)
//
// The black-box "solver" of the crossover suite returns y* (the cost of a
// derivative is measured, not the cost of a forward solver); the peer suite
// runs a real Newton solve instead.

/// `y*_i = 0.5·sin(0.37·(i + 1))`.
func referenceSolution(_ m: Int) -> [Double] { (0..<m).map { 0.5 * sin(0.37 * Double($0 + 1)) } }

/// A deterministic cotangent / tangent: `v_i = cos(0.91·(i + 1))`.
func probeVector(_ m: Int) -> [Double] { (0..<m).map { cos(0.91 * Double($0 + 1)) } }

/// Dense family: every `F_i` depends on every `y_j`.
///
///     F(x, y) = M y + tanh(y) − x,
///     M_ij = 3·δ_ij + (0.5/√m)·sin(0.618·(i+1)·(j+1))
///
/// `A = M + diag(1 − tanh²y)`: dense, non-symmetric-free (M is symmetric but
/// nothing is declared), eigenvalues near 3–4, so GMRES needs a size-independent
/// number of iterations. One evaluation costs `m²` multiply-adds.
struct DenseTanhConditions: ImplicitConditions {
    let m: Int
    /// Row-major `M` (the plain-`Double` reference `input(for:)` and the peer suite's Newton use it).
    let matrix: [Double]
    /// The same `M` as a column-major ``Matrix``: the conditions multiply by it
    /// with `M * y`, one BLAS operation at every AD level (like JAX's `M @ y`).
    let columnMajor: Matrix

    init(m: Int) {
        self.m = m
        let s = 0.5 / Double(m).squareRoot()
        var a = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m {
                a[i * m + j] = (i == j ? 3 : 0) + s * sin(0.618 * Double((i + 1) * (j + 1)))
            }
        }
        matrix = a
        columnMajor = Matrix(rows: m, columns: m) { i, j in a[i * m + j] }
    }

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let my = columnMajor * y
        return (0..<m).map { i in T.tanh(y[i]) - x[i] + my[i] }
    }

    /// `G(y) = M y + tanh(y)` on `Double`.
    func input(for y: [Double]) -> [Double] {
        (0..<m).map { i in
            var acc = tanh(y[i])
            for j in 0..<m { acc += matrix[i * m + j] * y[j] }
            return acc
        }
    }
}

/// Banded family: a 1-D convection–diffusion stencil with a cubic reaction,
///
///     F_i(x, y) = y_i + y_i³/3 + κ(2y_i − y_{i−1} − y_{i+1}) + β(y_{i+1} − y_{i−1}) − x_i,
///     κ = 1, β = 0.25, y_{−1} = y_m = 0.
///
/// `A = I + diag(y²) + κ·tridiag(−1, 2, −1) + β·tridiag(−1, 0, 1)`: tridiagonal,
/// non-symmetric (GMRES), condition number bounded independently of `m`, so
/// the Krylov iteration count does not grow with `m`. One evaluation costs `O(m)`.
struct StencilReactionConditions: ImplicitConditions {
    static let kappa = 1.0
    static let beta = 0.25

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        let k = T(Self.kappa), b = T(Self.beta), third = T(1.0 / 3.0), two = T(2)
        return [T](unsafeUninitializedCapacity: m) { out, initialized in
            y.withUnsafeBufferPointer { y in
                x.withUnsafeBufferPointer { x in
                    for i in 0..<m {
                        let yi = y[i]
                        let left = i > 0 ? y[i - 1] : T.zero
                        let right = i < m - 1 ? y[i + 1] : T.zero
                        let v = yi + third * yi * yi * yi + k * (two * yi - left - right) + b * (right - left) - x[i]
                        (out.baseAddress! + i).initialize(to: v)
                    }
                }
            }
            initialized = m
        }
    }

    /// `G(y)` on `Double`.
    static func input(for y: [Double]) -> [Double] {
        let m = y.count
        return (0..<m).map { i in
            let yi = y[i]
            let left = i > 0 ? y[i - 1] : 0, right = i < m - 1 ? y[i + 1] : 0
            return yi + yi * yi * yi / 3 + kappa * (2 * yi - left - right) + beta * (right - left)
        }
    }
}

/// Adapts `ImplicitConditions` to the AutoDiff drivers' bivariate form.
struct Bivariate<C: ImplicitConditions>: DifferentiableBivariateFunction {
    let conditions: C
    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] { conditions(x: x, y: y) }
}

/// Krylov options used by every lazy-path measurement: `‖r‖ ≤ 1e-10·‖b‖`.
let benchKrylovOptions = try! KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 20_000)

/// Resets the kernel's peak-RSS mark (VmHWM) before a memory measurement.
func resetPeakResidentMark() {
    if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
        handle.write(Data("5".utf8))
        try? handle.close()
    }
}
