import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

@Suite("Finite differences")
struct FiniteDifferencesTests {
    @Test("the step is ∛ε·max(1, |x|) and exactly representable around x")
    func step() {
        for x in [0.0, 1e-8, 0.3, -2.5, 1e6, -7.25e11] {
            let h = FiniteDifferences.step(at: x)
            #expect(h > 0 && (x + h) - x == h)
            #expect(Swift.abs(h / (FiniteDifferences.cubeRootOfEpsilon * Swift.max(1, Swift.abs(x))) - 1) < 1e-6)
        }
    }

    @Test("Jacobian and JVP of a closed-form map to 1e-8")
    func closedForm() {
        // f(x) = (x0² x1, sin x0 + e^{x1}, x0/x1): J = [[2x0x1, x0²], [cos x0, e^{x1}], [1/x1, −x0/x1²]]
        let f: ([Double]) -> [Double] = { x in [x[0] * x[0] * x[1], Double.sin(x[0]) + Double.exp(x[1]), x[0] / x[1]] }
        let x = [1.3, -0.7]
        let exact = Matrix(rows: [[2 * x[0] * x[1], x[0] * x[0]],
                                  [Double.cos(x[0]), Double.exp(x[1])],
                                  [1 / x[1], -x[0] / (x[1] * x[1])]])
        #expect(Approximate.relativeError(FiniteDifferences.jacobian(of: f, at: x), exact) < 1e-8)
        let v = [0.4, 2.0]
        #expect(Approximate.relativeError(FiniteDifferences.jvp(of: f, at: x, tangent: v), times(exact, v)) < 1e-8)
        #expect(FiniteDifferences.jvp(of: f, at: x, tangent: [0, 0]) == [0, 0, 0])
    }

    @Test("large arguments: the step scales with |x|")
    func scaled() {
        let f: ([Double]) -> [Double] = { x in [Double.log(x[0]) * x[0]] }   // f′ = log x + 1
        for x0 in [1e4, 3e7] {
            let d = FiniteDifferences.jacobian(of: f, at: [x0])[0, 0]
            #expect(Approximate.relativeError(d, Double.log(x0) + 1) < 1e-8)
        }
    }
}
