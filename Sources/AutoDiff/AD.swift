import LinearAlgebra

/// Drivers that differentiate a ``DifferentiableFunction`` `f: Rⁿ → Rᵐ`
/// (this file) or a ``DifferentiableBivariateFunction`` `F(x, y)`
/// (`AD+Bivariate.swift`):
///
/// | capability        | how                                     | cost                    |
/// |-------------------|-----------------------------------------|-------------------------|
/// | ``value(of:at:)`` | `Double`                                | 1 evaluation            |
/// | ``jvp(of:at:tangent:)`` | ``Dual``, one direction           | ≈ 1–3 evaluations       |
/// | ``vjp(of:at:cotangent:)`` | ``Tape`` + one reverse sweep    | 1 recording + 1 sweep   |
/// | ``jacobian(of:at:mode:)`` | ``DualN```<8>` or reverse sweeps | ⌈n/8⌉ passes or m sweeps |
/// | ``linearize(_:at:)`` | ``Tape``, kept                        | 1 recording, then sweeps |
///
/// The generic entry points are `@inlinable`, so a function defined in
/// another module is specialized for each scalar type at the call site.
public enum AD {
    /// `f(x)` on `Double`.
    @inlinable
    public static func value<F: DifferentiableFunction>(of f: F, at x: [Double]) -> [Double] { f(x) }

    /// `(f(x), J(x)·v)` by one evaluation on one-direction duals.
    ///
    /// - Parameters:
    ///   - x: the point, length `n`.
    ///   - v: the direction, length `n`.
    @inlinable
    public static func jvp<F: DifferentiableFunction>(of f: F, at x: [Double], tangent v: [Double])
        -> (value: [Double], tangent: [Double]) {
        precondition(v.count == x.count, "jvp: tangent has length \(v.count), point has length \(x.count)")
        let xs = [Dual<Double>](uninitializedCount: x.count) { out in
            for i in 0..<x.count { (out.baseAddress! + i).initialize(to: Dual(x[i], tangent: v[i])) }
        }
        return split(f(xs))
    }

    /// `(f(x), J(x)ᵀ·u)` by one tape recording and one reverse sweep.
    ///
    /// - Parameters:
    ///   - x: the point, length `n`.
    ///   - u: the cotangent, length `m` (the output length).
    @inlinable
    public static func vjp<F: DifferentiableFunction>(of f: F, at x: [Double], cotangent u: [Double])
        -> (value: [Double], gradient: [Double]) {
        let lin = linearize(f, at: x)
        precondition(u.count == lin.outputCount, "vjp: cotangent has length \(u.count), output has length \(lin.outputCount)")
        return (lin.value, lin.vjp(u))
    }

    /// `(f(x), ∇f(x))` for a scalar function (`m == 1`), by the tape.
    @inlinable
    public static func gradient<F: DifferentiableFunction>(of f: F, at x: [Double]) -> (value: Double, gradient: [Double]) {
        let lin = linearize(f, at: x)
        precondition(lin.outputCount == 1, "gradient: f has \(lin.outputCount) outputs, expected 1")
        return (lin.value[0], lin.vjp([1]))
    }

    /// Records `f` once at `x` on a fresh ``Tape``; the result offers JVPs
    /// (forward sweeps) and VJPs (reverse sweeps) without re-evaluating `f`.
    @inlinable
    public static func linearize<F: DifferentiableFunction>(_ f: F, at x: [Double]) -> Linearization {
        let tape = Tape(capacity: Swift.max(1 << 12, 16 * x.count))
        let xs = tape.inputs(x)
        let ys = f(xs)
        return Linearization(tape.finish(inputs: xs, outputs: ys))
    }

    /// The `m × n` Jacobian `∂f/∂x` (column-major).
    ///
    /// - `.forward`: `⌈n/8⌉` evaluations on ``DualN```<8>`, eight columns each.
    /// - `.reverse`: one recording, then `m` reverse sweeps, one row each.
    /// - `.automatic`: one `Double` evaluation to learn `m`, then forward
    ///   when `⌈n/8⌉ ≤ m`, reverse otherwise (fewer passes wins).
    @inlinable
    public static func jacobian<F: DifferentiableFunction>(of f: F, at x: [Double],
                                                         mode: JacobianMode = .automatic) -> Matrix {
        switch mode {
        case .forward:
            return forwardJacobian(of: f, at: x)
        case .reverse:
            return linearize(f, at: x).jacobian()
        case .automatic:
            let m = f(x).count
            return (x.count + 7) / 8 <= m ? forwardJacobian(of: f, at: x)
                                           : linearize(f, at: x).jacobian()
        }
    }

    /// Values and tangents of one-direction duals, in one pass.
    @inlinable
    static func split(_ ys: [Dual<Double>]) -> (value: [Double], tangent: [Double]) {
        let m = ys.count
        var tangent = [Double]()
        let value = [Double](uninitializedCount: m) { vb in
            tangent = [Double](uninitializedCount: m) { tb in
                for i in 0..<m {
                    (vb.baseAddress! + i).initialize(to: ys[i].value)
                    (tb.baseAddress! + i).initialize(to: ys[i].tangent)
                }
            }
        }
        return (value, tangent)
    }

    /// The Jacobian by `⌈n/8⌉` passes of ``DualN```<8>`.
    @inlinable
    static func forwardJacobian<F: DifferentiableFunction>(of f: F, at x: [Double]) -> Matrix {
        let n = x.count
        var xs = x.map { DualN<8>($0) }
        // Plain arrays, not an Optional<Matrix>: mutating through `J!.elements`
        // copied the whole matrix on every pass (quadratic in n).
        var store: [Double] = []
        var m = -1
        for j0 in stride(from: 0, to: n, by: 8) {
            let w = Swift.min(8, n - j0)
            for k in 0..<w { xs[j0 + k] = DualN<8>(x[j0 + k], seed: k) }
            let ys = f(xs)
            if m < 0 { m = ys.count; store = [Double](repeating: 0, count: m * n) }
            precondition(ys.count == m, "jacobian: output length changed between passes")
            store.withUnsafeMutableBufferPointer { e in
                for k in 0..<w {
                    for i in 0..<m { e[i + (j0 + k) * m] = ys[i].partials[k] }
                }
            }
            for k in 0..<w { xs[j0 + k] = DualN<8>(x[j0 + k]) }
        }
        if m >= 0 { return Matrix(rows: m, columns: n, elements: store) }
        return Matrix(rows: f(x).count, columns: 0)
    }
}
