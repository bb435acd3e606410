import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

@Suite("Drivers: Jacobians, JVP, VJP, gradients")
struct ADTests {
    static func point(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SeededRandom(seed: seed)
        return rng.vector(n, -0.8, 0.8)
    }

    @Test("dense 30→20: forward duals, reverse tape and finite differences agree")
    func denseJacobian() {
        let f = DenseMap(), x = Self.point(30, seed: 1)
        let forward = AD.jacobian(of: f, at: x, mode: .forward)
        let reverse = AD.jacobian(of: f, at: x, mode: .reverse)
        let fd = FiniteDifferences.jacobian(of: plain(f), at: x)
        #expect(forward.rows == 20 && forward.columns == 30)
        #expect(Approximate.relativeError(reverse, forward) < 1e-13)
        #expect(Approximate.relativeError(fd, forward) < 1e-8)
        #expect(AD.jacobian(of: f, at: x) == forward)   // automatic: ⌈30/8⌉ = 4 ≤ 20 → forward
        #expect(AD.linearize(f, at: x).jacobian() == reverse)
    }

    @Test("banded 1000→1000: forward duals, reverse tape and finite differences agree")
    func bandedJacobian() {
        let f = BandedMap(), x = Self.point(1000, seed: 2)
        let forward = AD.jacobian(of: f, at: x, mode: .forward)
        let reverse = AD.jacobian(of: f, at: x, mode: .reverse)
        let fd = FiniteDifferences.jacobian(of: plain(f), at: x)
        #expect(Approximate.relativeError(reverse, forward) < 1e-13)
        #expect(Approximate.relativeError(fd, forward) < 1e-8)
        // The band structure: nothing outside |i − j| ≤ 2.
        var outside = 0.0
        for j in 0..<1000 { for i in 0..<1000 where Swift.abs(i - j) > 2 { outside = Swift.max(outside, Swift.abs(forward[i, j])) } }
        #expect(outside == 0)
    }

    @Test("Rosenbrock's gradient: closed form, tape, forward Jacobian and differences agree")
    func rosenbrockGradient() {
        let f = Rosenbrock(), x = Self.point(12, seed: 3).map { $0 + 0.5 }
        let exact = Rosenbrock.gradient(x)
        let (value, tape) = AD.gradient(of: f, at: x)
        #expect(value == f(x)[0])
        #expect(Approximate.relativeError(tape, exact) < 1e-14)
        let forward = AD.jacobian(of: f, at: x, mode: .forward)
        #expect(Approximate.relativeError(forward.elements, exact) < 1e-14)
        #expect(AD.jacobian(of: f, at: x).rows == 1)   // automatic: 1 row < ⌈12/8⌉ → reverse
        let fd = FiniteDifferences.jacobian(of: plain(f), at: x)
        #expect(Approximate.relativeError(fd.elements, exact) < 1e-8)
        let vjp = AD.vjp(of: f, at: x, cotangent: [2])
        #expect(Approximate.relativeError(vjp.gradient, exact.map { 2 * $0 }) < 1e-14)
    }

    @Test("N-direction duals equal N one-direction passes exactly")
    func multiDirectionExact() {
        let f = DenseMap(), x = Self.point(30, seed: 4)
        var rng = SeededRandom(seed: 5)
        let directions = (0..<8).map { _ in rng.vector(30) }
        let xs = (0..<30).map { i in
            var p = InlineArray<8, Double>(repeating: 0)
            for k in 0..<8 { p[k] = directions[k][i] }
            return DualN<8>(x[i], partials: p)
        }
        let many = f(xs)
        for k in 0..<8 {
            let one = AD.jvp(of: f, at: x, tangent: directions[k]).tangent
            for i in 0..<20 { #expect(many[i].partials[k] == one[i], "direction \(k), row \(i)") }
        }
        #expect(many.map(\.value) == f(x))
    }

    @Test("adjointness ⟨u, Jv⟩ = ⟨Jᵀu, v⟩ to 1e-12", arguments: [0, 1, 2])
    func adjointness(_ which: Int) {
        var rng = SeededRandom(seed: UInt64(10 + which))
        func check<F: DifferentiableFunction>(_ f: F, _ n: Int, _ m: Int) {
            let x = rng.vector(n, -0.8, 0.8), v = rng.vector(n), u = rng.vector(m)
            let jv = AD.jvp(of: f, at: x, tangent: v).tangent         // duals
            let jtu = AD.vjp(of: f, at: x, cotangent: u).gradient     // tape, reverse
            let lin = AD.linearize(f, at: x)
            let lhs = dot(u, jv), rhs = dot(jtu, v)
            #expect(Swift.abs(lhs - rhs) <= 1e-12 * Swift.abs(lhs), "\(lhs) vs \(rhs)")
            #expect(Swift.abs(dot(u, lin.jvp(v)) - rhs) <= 1e-12 * Swift.abs(rhs))   // tape, forward
        }
        switch which {
        case 0: check(DenseMap(), 30, 20)
        case 1: check(BandedMap(), 1000, 1000)
        default: check(Rosenbrock(), 12, 1)
        }
    }

    @Test("linearization sweeps equal the dual JVP and the into: variants")
    func linearizationSweeps() {
        let f = BandedMap(), x = Self.point(200, seed: 6)
        var rng = SeededRandom(seed: 7)
        let v = rng.vector(200), u = rng.vector(200)
        let lin = AD.linearize(f, at: x)
        #expect(lin.value == f(x) && lin.inputCount == 200 && lin.outputCount == 200)
        let jv = lin.jvp(v)
        #expect(Approximate.relativeError(jv, AD.jvp(of: f, at: x, tangent: v).tangent) < 1e-14)
        var out = [Double](repeating: .nan, count: 200)
        lin.jvp(v, into: &out)
        #expect(out == jv)
        let g = lin.vjp(u)
        lin.vjp(u, into: &out)
        #expect(out == g)
        for _ in 0..<3 { #expect(lin.jvp(v) == jv && lin.vjp(u) == g) }   // reusable, deterministic
    }

    @Test("value and gradient of a function with constant and passthrough outputs")
    func constantOutputs() {
        struct Odd: DifferentiableFunction {
            func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
                [T(4), x[1], -x[0] * T(3) + T(1), x[0] / T(2), T(2) - x[1], T.max(x[0], x[1])]
            }
        }
        let x = [1.5, -2.0]
        let J = AD.jacobian(of: Odd(), at: x, mode: .reverse)
        let expected = Matrix(rows: [[0, 0], [0, 1], [-3, 0], [0.5, 0], [0, -1], [1, 0]])
        #expect(J == expected)
        #expect(AD.jacobian(of: Odd(), at: x, mode: .forward) == expected)
        #expect(AD.linearize(Odd(), at: x).jvp([1, 1]) == [0, 1, -3, 0.5, -1, 1])
        #expect(AD.value(of: Odd(), at: x) == [4, -2, -3.5, 0.75, 4, 1.5])
    }
}
