import Testing
import ImplicitDifferentiation
import ImplicitExamples

/// The public optimality-condition helpers, differentiated by the AD layer
/// in both modes against their closed-form Jacobians.
@Suite struct HelpersTests {
    struct Simplex: DifferentiableFunction {
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { Projections.simplex(x) }
    }
    struct SoftThreshold: DifferentiableFunction {   // x = (v…, τ)
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            ProximalOperators.softThreshold(Array(x.dropLast()), x.last!)
        }
    }
    struct LogSumExp: DifferentiableFunction {
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { [SmoothReductions.logSumExp(x)] }
    }

    @Test(arguments: [JacobianMode.forward, .reverse])
    func simplexProjectionAndItsJacobian(mode: JacobianMode) {
        let v: [Double] = [0.9, -0.3, 0.5, 0.45, -1, 0.2]
        let p = Projections.simplex(v)
        #expect(abs(p.reduce(0, +) - 1) <= 1e-15)
        #expect(p.allSatisfy { $0 >= 0 })
        #expect(zip(p, SparsemaxConditions.solve(v)).allSatisfy { abs($0 - $1) <= 1e-15 })
        let s = p.map { $0 > 0 ? 1.0 : 0 }, k = s.reduce(0, +)
        let j = AD.jacobian(of: Simplex(), at: v, mode: mode)
        for a in 0..<6 { for b in 0..<6 {
            #expect(abs(j[a, b] - ((a == b ? s[a] : 0) - s[a] * s[b] / k)) <= 1e-15)
        } }
    }

    @Test(arguments: [JacobianMode.forward, .reverse])
    func softThresholdAndItsDerivativeInTheThreshold(mode: JacobianMode) {
        let x: [Double] = [1.5, -0.2, -2, 0.7, 0.5]   // τ = 0.5
        let s = ProximalOperators.softThreshold(Array(x.dropLast()), 0.5)
        #expect(zip(s, [1.0, 0, -1.5, 0.2]).allSatisfy { abs($0 - $1) <= 1e-15 })
        let j = AD.jacobian(of: SoftThreshold(), at: x, mode: mode)
        #expect(j.column(4) == [-1, 0, 1, -1])          // ∂S/∂τ = −sign(v) outside, 0 inside
        #expect(j[0, 0] == 1 && j[1, 1] == 0 && j[2, 2] == 1 && j[3, 3] == 1)
    }

    @Test func logSumExpDoesNotOverflowAndItsGradientIsTheSoftmax() {
        let t: [Double] = [1000, 1001, 999]
        let lse = SmoothReductions.logSumExp(t)
        #expect(lse.isFinite)
        let g = AD.jacobian(of: LogSumExp(), at: t, mode: .reverse).row(0)
        let softmax = t.map { Double.exp($0 - lse) }
        // lse ≈ 1001.4 carries an absolute rounding error of about 1e-13.
        #expect(zip(g, softmax).allSatisfy { abs($0 - $1) <= 1e-12 })
    }

    @Test func boxProjectionClamps() {
        #expect(Projections.box([-2.0, 0.3, 4], lower: -1, upper: 1) == [-1, 0.3, 1])
    }
}
