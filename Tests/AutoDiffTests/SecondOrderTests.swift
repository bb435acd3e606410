import Testing
import AutoDiff
import LinearAlgebra

/// f(x) = x₀² x₁ + exp(x₁) + x₀ x₂³: a Hessian with every kind of entry.
struct CubicMix: DifferentiableFunction {
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        [x[0] * x[0] * x[1] + T.exp(x[1]) + x[0] * x[2] * x[2] * x[2]]
    }
}

@Suite struct SecondOrderTests {
    let x: [Double] = [0.7, -0.4, 1.3]

    var exact: Matrix {
        let (a, b, c) = (x[0], x[1], x[2])
        return Matrix(rows: [[2 * b, 2 * a, 3 * c * c],
                             [2 * a, Double.exp(b), 0],
                             [3 * c * c, 0, 6 * a * c]])
    }

    @Test(arguments: [SecondOrderMode.forwardOverForward, .reverseOverForward])
    func hessianMatchesClosedForm(mode: SecondOrderMode) {
        let h = AD.hessian(of: CubicMix(), at: x, mode: mode)
        for i in 0..<3 { for j in 0..<3 { #expect(abs(h[i, j] - exact[i, j]) <= 1e-13 * max(1, abs(exact[i, j]))) } }
    }

    @Test(arguments: [SecondOrderMode.forwardOverForward, .reverseOverForward])
    func hessianVectorProductMatchesClosedForm(mode: SecondOrderMode) {
        let v = [0.3, -1.2, 0.5]
        let hv = AD.hessianVectorProduct(of: CubicMix(), at: x, direction: v, mode: mode)
        let expected = exact * v
        for i in 0..<3 { #expect(abs(hv[i] - expected[i]) <= 1e-13 * max(1, abs(expected[i]))) }
    }
}
