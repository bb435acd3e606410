import ImplicitDifferentiation

/// Dense conditions written as a new user would write them: plain `for`
/// loops over a row-major cost matrix, one `exp` per entry, no hints. The
/// unknown `y` is the fixed point of a soft-min (log-sum-exp) map over an
/// `m × m` cost matrix `C`, the input `x` a potential inside every sum:
///
/// ```
/// F_i(x, y) = y_i − ½·log Σ_j exp(x_j − C_ij − ½ y_j),   i = 0 … m−1
/// C_ij     = 1 + sin(0.618·(i+1)·(j+1))
/// P_ij     = exp(x_j − C_ij − ½ y_j) / Σ_k exp(x_k − C_ik − ½ y_k)   (rows sum to 1)
/// A = ∂F/∂y = I + ¼ P        B = ∂F/∂x = −½ P
/// ```
///
/// `A` is dense and non-symmetric, its eigenvalues lie in the disc of radius
/// ¼ around 1 (‖¼P‖_∞ = ¼), so it is well conditioned at every size and a
/// Krylov method needs a size-independent number of iterations. One
/// evaluation of `F` costs `m²` exponentials: materializing `A` by dual
/// passes costs about `m/N` evaluations, a lazy product about one.
///
/// The map `y ↦ ½·log Σ_j exp(x_j − C_ij − ½ y_j)` is a contraction with
/// factor ¼ in the max norm, so ``solve(_:)`` (its fixed-point iteration)
/// converges from any start.
public struct LogSumExpConditions: ImplicitConditions {
    /// The number of unknowns (and of inputs).
    public let m: Int
    /// `C`, row-major: `C_ij = cost[i·m + j]`.
    public let cost: [Double]

    /// Creates the conditions of size `m` with the deterministic cost matrix above.
    ///
    /// - Parameter m: `≥ 1`.
    public init(m: Int) {
        precondition(m >= 1, "LogSumExpConditions: m must be at least 1")
        self.m = m
        var c = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m {
                c[i * m + j] = 1 + Double.sin(0.618 * Double((i + 1) * (j + 1)))
            }
        }
        cost = c
    }

    /// The deterministic input `x_j = 0.5·sin(0.37·(j+1))` used by the benchmarks and tests.
    ///
    /// - Parameter m: the size.
    /// - Returns: `x`, length `m`.
    public static func input(_ m: Int) -> [Double] { (0..<m).map { 0.5 * Double.sin(0.37 * Double($0 + 1)) } }

    /// `F(x, y)`, one loop per row, as written by hand; inlinable so that
    /// callers in other modules specialize it for their scalar, as they do
    /// conditions of their own.
    @inlinable
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        var f: [T] = []
        for i in 0..<m {
            var sum = T(0)
            for j in 0..<m {
                sum = sum + T.exp(x[j] - T(cost[i * m + j]) - y[j] / T(2))
            }
            f.append(y[i] - T.log(sum) / T(2))
        }
        return f
    }

    /// The fixed-point iteration `y ← ½·log Σ_j exp(x_j − C_ij − ½ y_j)` from
    /// `y = 0`, until the largest change is below `10⁻¹⁵·max(1, ‖y‖_∞)`
    /// (at most 200 sweeps; the contraction factor ¼ needs about 30).
    ///
    /// - Parameter x: the input, length `m`, finite.
    /// - Returns: `y` with `F(x, y) ≈ 0`.
    public func solve(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: m), next = y
        for _ in 0..<200 {
            var change = 0.0, size = 1.0
            for i in 0..<m {
                var sum = 0.0
                for j in 0..<m { sum += Double.exp(x[j] - cost[i * m + j] - 0.5 * y[j]) }
                next[i] = 0.5 * Double.log(sum)
                change = Swift.max(change, Swift.abs(next[i] - y[i]))
                size = Swift.max(size, Swift.abs(next[i]))
            }
            swap(&y, &next)
            if change <= 1e-15 * size { break }
        }
        return y
    }
}
