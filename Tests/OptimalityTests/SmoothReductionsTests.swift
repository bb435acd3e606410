import Testing
import Optimality
import TestSupport

@Suite struct SmoothReductionsTests {
    struct LogSumExp: DifferentiableFunction {
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { [SmoothReductions.logSumExp(x)] }
    }

    @Test func logSumExpDoesNotOverflowAndItsGradientIsTheSoftmax() {
        let t: [Double] = [1000, 1001, 999]
        let lse = SmoothReductions.logSumExp(t)
        #expect(lse.isFinite)
        let softmax = Matrix(rows: 1, columns: 3) { _, j in Double.exp(t[j] - lse) }
        // lse ≈ 1001.4 carries an absolute rounding error of about 1e-13.
        ScalarChecks.expect(LogSumExp(), at: t, jacobian: softmax, tolerance: 1e-12)
    }
}
