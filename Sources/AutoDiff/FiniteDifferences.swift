import LinearAlgebra

/// Central finite differences for black-box functions given only on
/// `Double`, and the oracle the tests compare AD against.
///
/// ```
/// ∂f/∂xⱼ ≈ (f(x + hⱼeⱼ) − f(x − hⱼeⱼ)) / (2hⱼ),   hⱼ = ∛ε · max(1, |xⱼ|)
/// ```
///
/// The step balances truncation (`O(h²)`) against rounding (`O(ε/h)`), for
/// about 10 correct digits on well-scaled smooth functions. `hⱼ` is rounded
/// so that `xⱼ ± hⱼ` is exact. Nothing in the library falls back to finite
/// differences silently: they are used only when called by name.
public enum FiniteDifferences {
    /// `∛ε ≈ 6.06e-6` for `Double`.
    public static let cubeRootOfEpsilon: Double = 6.055454452393343e-06

    /// `∛ε · max(1, |x|)`, rounded so that `x + h` and `x − h` are exact.
    @inlinable
    public static func step(at x: Double) -> Double {
        let h = cubeRootOfEpsilon * Swift.max(1, Swift.abs(x))
        return (x + h) - x
    }

    /// The `m × n` Jacobian of `f` at `x` by `2n` evaluations.
    public static func jacobian(of f: ([Double]) -> [Double], at x: [Double]) -> Matrix {
        let n = x.count
        var columns: [[Double]] = []
        columns.reserveCapacity(n)
        var xp = x
        for j in 0..<n {
            let h = step(at: x[j])
            xp[j] = x[j] + h
            let fp = f(xp)
            xp[j] = x[j] - h
            let fm = f(xp)
            xp[j] = x[j]
            columns.append(zip(fp, fm).map { ($0 - $1) / (2 * h) })
        }
        if n == 0 { return Matrix(rows: f(x).count, columns: 0) }
        return Matrix(columns: columns)
    }

    /// `J(x)·v` by two evaluations, with the step scaled along `v`:
    /// `h = ∛ε · max(1, ‖x‖∞) / ‖v‖∞`.
    public static func jvp(of f: ([Double]) -> [Double], at x: [Double], tangent v: [Double]) -> [Double] {
        precondition(v.count == x.count, "jvp: tangent has length \(v.count), point has length \(x.count)")
        let vmax = v.reduce(0) { Swift.max($0, Swift.abs($1)) }
        if vmax == 0 { return [Double](repeating: 0, count: f(x).count) }
        let xmax = x.reduce(0) { Swift.max($0, Swift.abs($1)) }
        let h = cubeRootOfEpsilon * Swift.max(1, xmax) / vmax
        let fp = f(zip(x, v).map { $0 + h * $1 })
        let fm = f(zip(x, v).map { $0 - h * $1 })
        return zip(fp, fm).map { ($0 - $1) / (2 * h) }
    }

    /// `F(x, y)` and the requested blocks `B = ∂F/∂x`, `A = ∂F/∂y` by central
    /// differences (`2n` and/or `2m` evaluations).
    public static func jacobians(of f: ([Double], [Double]) -> [Double], x: [Double], y: [Double],
                                 withRespectTo which: ArgumentSelection) -> (value: [Double], x: Matrix?, y: Matrix?) {
        let value = f(x, y)
        let B = which.includesX ? jacobian(of: { f($0, y) }, at: x) : nil
        let A = which.includesY ? jacobian(of: { f(x, $0) }, at: y) : nil
        return (value, B, A)
    }

    /// `B·dx + A·dy` by central differences along the joint direction `(dx, dy)`;
    /// `nil` means a zero direction.
    public static func jvp(of f: ([Double], [Double]) -> [Double], x: [Double], y: [Double],
                           dx: [Double]?, dy: [Double]?) -> [Double] {
        let n = x.count
        let v = (dx ?? [Double](repeating: 0, count: n)) + (dy ?? [Double](repeating: 0, count: y.count))
        return jvp(of: { z in f(Array(z[..<n]), Array(z[n...])) }, at: x + y, tangent: v)
    }
}
