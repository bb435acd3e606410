import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

/// `M v` and `Mᵀ u` written as scalar loops: the reference every product is checked against.
private func loopProduct<T: DifferentiableScalar>(_ a: Matrix, _ v: [T]) -> [T] {
    (0..<a.rows).map { i in
        var s = T.zero
        for j in 0..<a.columns { s = s + T(a[i, j]) * v[j] }
        return s
    }
}

private func loopTransposedProduct<T: DifferentiableScalar>(_ a: Matrix, _ u: [T]) -> [T] {
    (0..<a.columns).map { j in
        var s = T.zero
        for i in 0..<a.rows { s = s + T(a[i, j]) * u[i] }
        return s
    }
}

/// `f(x) = Mᵀ(sin(w)∘w) + x∘x` with `w = M·(−2x) + c`, `M` non-square (`k × p`):
/// both products, a scaled variable entering the product, nonlinear code
/// before and after. `loops` computes the same with scalar loops.
private struct ProductMap: DifferentiableFunction {
    let a: Matrix
    var loops = false

    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        let scaled = x.map { T(-2) * $0 }
        let mv = loops ? loopProduct(a, scaled) : a * scaled
        let w = mv.indices.map { mv[$0] + T(0.1 * Double($0)) }
        let s = w.map { T.sin($0) * $0 }
        let z = loops ? loopTransposedProduct(a, s) : a.transposedTimes(s)
        return z.indices.map { z[$0] + x[$0] * x[$0] }
    }
}

/// The scalar `Σᵢ tanh(wᵢ)·wᵢ + ⟨Mᵀ(w∘w), x⟩`, `w = M x`, for second derivatives.
private struct ProductScalar: DifferentiableFunction {
    let a: Matrix
    var loops = false

    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        let w = loops ? loopProduct(a, x) : a * x
        let sq = w.map { $0 * $0 }
        let z = loops ? loopTransposedProduct(a, sq) : a.transposedTimes(sq)
        var s = T.zero
        for i in w.indices { s = s + T.tanh(w[i]) * w[i] }
        for j in x.indices { s = s + z[j] * x[j] }
        return [s]
    }
}

/// `F(x, y) = M y − x` (square M): `A = ∂F/∂y = M`, `B = −I`.
private struct LinearConditions: DifferentiableBivariateFunction {
    let a: Matrix
    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
        let my = a * y
        return my.indices.map { my[$0] - x[$0] }
    }
}

@Suite("Matrix–vector products of differentiable scalars")
struct MatrixProductTests {
    let a: Matrix   // 7 × 5: non-square
    let x: [Double]

    init() {
        var rng = SeededRandom(seed: 41)
        a = Matrix(rows: 7, columns: 5, elements: rng.vector(35, -0.8, 0.8))
        x = rng.vector(5, -1, 1)
    }

    private func maxRelative(_ got: [Double], _ want: [Double]) -> Double {
        Approximate.relativeError(got, want)
    }

    @Test("Double: M v and Mᵀ u are the gemv products and equal the loops")
    func double() {
        let u = (0..<7).map { 0.3 * Double($0) - 1 }
        #expect(maxRelative(Double.matrixProduct(a, x, transposed: false), loopProduct(a, x)) < 1e-14)
        #expect(maxRelative(a.transposedTimes(u) as [Double], loopTransposedProduct(a, u)) < 1e-14)
        #expect(Double.matrixProduct(a, u, transposed: true).count == 5)
    }

    @Test("Dual<Double>: value and tangent equal the loops")
    func dual() {
        let v = x.indices.map { Dual(x[$0], tangent: Double.cos(Double($0))) }
        let u = (0..<7).map { Dual(0.2 * Double($0) - 0.5, tangent: Double.sin(Double($0))) }
        for (got, want) in [(a * v, loopProduct(a, v)), (a.transposedTimes(u), loopTransposedProduct(a, u))] {
            #expect(maxRelative(got.map(\.value), want.map(\.value)) < 1e-14)
            #expect(maxRelative(got.map(\.tangent), want.map(\.tangent)) < 1e-14)
        }
    }

    @Test("DualN<8>: value and all eight partials equal the loops (dense partials and sparse seeds)")
    func dualN() {
        func seeded(_ n: Int, _ offset: Double) -> [DualN<8>] {
            (0..<n).map { j in
                var p = InlineArray<8, Double>(repeating: 0)
                for k in 0..<8 { p[k] = Double.sin(Double(j * 8 + k) + offset) }
                return DualN<8>(Double.cos(Double(j) + offset), partials: p)
            }
        }
        // Dense partials (one gemm) and sparse seeds, as in a Jacobian pass (gemv + column updates).
        func sparse(_ n: Int) -> [DualN<8>] {
            (0..<n).map { j in
                var p = InlineArray<8, Double>(repeating: 0)
                if j % 2 == 0 { p[(3 * j) % 8] = j == 2 ? -1.5 : 1 }
                return DualN<8>(0.5 - 0.2 * Double(j), partials: p)
            }
        }
        let v = seeded(5, 0), u = seeded(7, 1), vs = sparse(5), us = sparse(7)
        for (got, want) in [(a * v, loopProduct(a, v)), (a.transposedTimes(u), loopTransposedProduct(a, u)),
                            (a * vs, loopProduct(a, vs)), (a.transposedTimes(us), loopTransposedProduct(a, us))] {
            #expect(got.count == want.count)
            #expect(maxRelative(got.map(\.value), want.map(\.value)) < 1e-14)
            for k in 0..<8 {
                #expect(maxRelative(got.map { $0.partials[k] }, want.map { $0.partials[k] }) < 1e-13)
            }
        }
    }

    @Test("TapeScalar: one custom node per product; forward and reverse sweeps equal the traced loops")
    func tape() {
        let f = ProductMap(a: a), g = ProductMap(a: a, loops: true)
        let lin = AD.linearize(f, at: x), ref = AD.linearize(g, at: x)
        #expect(maxRelative(lin.value, ref.value) < 1e-14)
        let v = [0.3, -1.2, 0.8, 0.1, 2.0], u = [1.0, -0.5, 0.25, 0.7, -1.1]
        #expect(maxRelative(lin.jvp(v), ref.jvp(v)) < 1e-13)
        #expect(maxRelative(lin.vjp(u), ref.vjp(u)) < 1e-13)
        #expect(maxRelative(lin.jvp(v), AD.jvp(of: g, at: x, tangent: v).tangent) < 1e-13)
        // The loops record one add node per term after the first (the first is
        // folded into a scale): 7·4 for M v and 5·6 for Mᵀ u. The products
        // record one placeholder node per output (7 + 5) and nothing else.
        #expect(lin.recording.nodeCount == ref.recording.nodeCount - (7 * 4 + 5 * 6) + (7 + 5))
        // A product of constants records nothing and is a constant.
        let c = a * x.map { TapeScalar($0) }
        #expect(c.allSatisfy { $0.isConstant })
        #expect(maxRelative(c.map(\.value), a * x) < 1e-15)
    }

    @Test("adjointness ⟨ȳ, J ẋ⟩ = ⟨Jᵀ ȳ, ẋ⟩ on the tape, and forward duals agree")
    func adjointness() {
        let f = ProductMap(a: a)
        let lin = AD.linearize(f, at: x)
        var rng = SeededRandom(seed: 3)
        for _ in 0..<5 {
            let v = rng.vector(5), u = rng.vector(5)
            let jv = lin.jvp(v), jtu = lin.vjp(u)
            let lhs = BLAS.dot(u, jv), rhs = BLAS.dot(jtu, v)
            #expect(Approximate.relativeError(lhs, rhs) < 1e-13)
            #expect(maxRelative(AD.jvp(of: f, at: x, tangent: v).tangent, jv) < 1e-13)
        }
    }

    @Test("Jacobians: forward (DualN<8>) and reverse equal the loops; the bivariate A is M")
    func jacobians() {
        let f = ProductMap(a: a), g = ProductMap(a: a, loops: true)
        let reference = AD.jacobian(of: g, at: x, mode: .forward)
        #expect(Approximate.relativeError(AD.jacobian(of: f, at: x, mode: .forward), reference) < 1e-13)
        #expect(Approximate.relativeError(AD.jacobian(of: f, at: x, mode: .reverse), reference) < 1e-13)
        #expect(Approximate.relativeError(FiniteDifferences.jacobian(of: plain(f), at: x), reference) < 1e-7)

        // 20 × 20 (three DualN<8> passes, the last one partial): A = M exactly, B = −I.
        var rng = SeededRandom(seed: 5)
        let m = Matrix(rows: 20, columns: 20, elements: rng.vector(400))
        let xs = rng.vector(20), ys = rng.vector(20)
        let j = AD.jacobians(of: LinearConditions(a: m), x: xs, y: ys, withRespectTo: .both)
        #expect(j.y! == m)
        #expect(j.x! == -1 * Matrix.identity(20))
        let lin = AD.linearize(LinearConditions(a: m), x: xs, y: ys)
        #expect(Approximate.relativeError(lin.jacobianY(), m) < 1e-15)
    }

    @Test("second order: Dual<Dual<Double>> and Dual<TapeScalar> Hessians equal the loops'")
    func secondOrder() {
        let f = ProductScalar(a: a), g = ProductScalar(a: a, loops: true)
        let reference = AD.hessian(of: g, at: x, mode: .forwardOverForward)
        #expect(Approximate.relativeError(AD.hessian(of: f, at: x, mode: .forwardOverForward), reference) < 1e-13)
        #expect(Approximate.relativeError(AD.hessian(of: f, at: x, mode: .reverseOverForward), reference) < 1e-13)
        let v = [0.5, -0.25, 1.0, 0.75, -1.5]
        #expect(maxRelative(AD.hessianVectorProduct(of: f, at: x, direction: v, mode: .reverseOverForward),
                            AD.hessianVectorProduct(of: g, at: x, direction: v, mode: .forwardOverForward)) < 1e-13)
    }
}
