import LinearAlgebra

/// How ``AD`` takes second derivatives of a scalar function.
///
/// The tape stores its partials as `Double`, so a tape cannot be swept
/// forward by duals (no forward-over-reverse); "second order on the tape" is
/// a tape recording of a dual evaluation, reverse-over-forward.
public enum SecondOrderMode: Sendable, Hashable {
    /// `Dual<Dual<Double>>`: one evaluation per Hessian entry `eᵢᵀ H v`.
    /// No tape, no allocation per operation; best for small `n`.
    case forwardOverForward
    /// `Dual<TapeScalar>`: the directional derivative `∇f·v` is recorded on a
    /// tape, and one reverse sweep of it gives `H v` — one recording per
    /// Hessian-vector product, whatever `n`.
    case reverseOverForward
}

extension AD {
    /// The Hessian-vector product `H(x)·v` of a scalar function `f` (`m == 1`).
    ///
    /// ```
    /// forwardOverForward:  (H v)ᵢ = ∂²/∂s∂t f(x + s eᵢ + t v)      n evaluations on Dual<Dual<Double>>
    /// reverseOverForward:  H v = ∇ₓ (∇f(x)·v)                      1 recording on Dual<TapeScalar>, 1 sweep
    /// ```
    ///
    /// - Parameters:
    ///   - f: a scalar function, generic over the scalar (one output).
    ///   - x: the point, length `n`.
    ///   - v: the direction, length `n`.
    ///   - mode: see ``SecondOrderMode`` (default `.reverseOverForward`).
    /// - Returns: `H v`, length `n`.
    public static func hessianVectorProduct<F: DifferentiableFunction>(
        of f: F, at x: [Double], direction v: [Double], mode: SecondOrderMode = .reverseOverForward
    ) -> [Double] {
        precondition(v.count == x.count, "hessianVectorProduct: direction has length \(v.count), point has length \(x.count)")
        switch mode {
        case .forwardOverForward:
            return (0..<x.count).map { i in secondDirectional(f, x, i, v) }
        case .reverseOverForward:
            let tape = Tape(capacity: Swift.max(1 << 12, 32 * x.count))
            let xs = tape.inputs(x)
            let out = f((0..<x.count).map { Dual<TapeScalar>(xs[$0], tangent: TapeScalar(v[$0])) })
            precondition(out.count == 1, "hessianVectorProduct: f has \(out.count) outputs, expected 1")
            return Linearization(tape.finish(inputs: xs, outputs: [out[0].tangent])).vjp([1])
        }
    }

    /// The `n × n` Hessian of a scalar function `f` (`m == 1`), for small `n`.
    ///
    /// ```
    /// forwardOverForward:  Hᵢⱼ = ∂²/∂s∂t f(x + s eᵢ + t eⱼ), i ≤ j     n(n+1)/2 evaluations, mirrored
    /// reverseOverForward:  H eⱼ by one Hessian-vector product each      n recordings
    /// ```
    ///
    /// - Parameters:
    ///   - f: a scalar function, generic over the scalar (one output).
    ///   - x: the point, length `n`.
    ///   - mode: see ``SecondOrderMode`` (default `.forwardOverForward`).
    /// - Returns: `H`, symmetric for twice continuously differentiable `f`
    ///   (forward-over-forward mirrors the upper triangle; reverse-over-forward
    ///   returns the columns as computed).
    public static func hessian<F: DifferentiableFunction>(of f: F, at x: [Double],
                                                          mode: SecondOrderMode = .forwardOverForward) -> Matrix {
        let n = x.count
        var h = Matrix(rows: n, columns: n)
        var e = [Double](repeating: 0, count: n)
        switch mode {
        case .forwardOverForward:
            for j in 0..<n {
                e[j] = 1
                for i in 0...j {
                    let hij = secondDirectional(f, x, i, e)
                    h[i, j] = hij
                    h[j, i] = hij
                }
                e[j] = 0
            }
        case .reverseOverForward:
            for j in 0..<n {
                e[j] = 1
                h.setColumn(j, to: hessianVectorProduct(of: f, at: x, direction: e, mode: .reverseOverForward))
                e[j] = 0
            }
        }
        return h
    }

    /// `eᵢᵀ H v` by one evaluation on `Dual<Dual<Double>>` (inner ε along `eᵢ`, outer along `v`).
    static func secondDirectional<F: DifferentiableFunction>(_ f: F, _ x: [Double], _ i: Int, _ v: [Double]) -> Double {
        let xs = (0..<x.count).map { k in
            Dual<Dual<Double>>(Dual(x[k], tangent: k == i ? 1 : 0), tangent: Dual(v[k], tangent: 0))
        }
        let out = f(xs)
        precondition(out.count == 1, "hessian: f has \(out.count) outputs, expected 1")
        return out[0].tangent.tangent
    }
}
