import Testing
import _Differentiation
import ImplicitDifferentiation
import TestSupport

// The code around the implicit function, written at the vector level so that
// Swift's AD stays linear (no element-wise subscripts under differentiation).

@differentiable(reverse, wrt: y)
func halfSquaredDistance(_ y: [Double], _ t: [Double]) -> Double {
    zip(y, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 2
}

@derivative(of: halfSquaredDistance, wrt: y)
func vjpHalfSquaredDistance(_ y: [Double], _ t: [Double])
    -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    let r = zip(y, t).map { $0 - $1 }
    return (r.reduce(0) { $0 + $1 * $1 } / 2, { s in .init(r.map { s * $0 }) })
}

@differentiable(reverse)
func total(_ x: [Double]) -> Double { x.reduce(0, +) }

@derivative(of: total)
func vjpTotal(_ x: [Double]) -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    (x.reduce(0, +), { s in .init([Double](repeating: s, count: x.count)) })
}

@differentiable(reverse)
func ridgeLoss(_ x: [Double]) -> Double {
    halfSquaredDistance(Ridge.function.solution(at: x), Ridge.target) + Ridge.c * total(x)
}

@Suite struct SwiftDifferentiationBridgeTests {
    @Test func gradientOfTheRidgeLossEqualsClosedForm() throws {
        let g = gradient(at: Ridge.x, of: ridgeLoss)
        #expect(Approximate.relativeError(Array(g.base), try Ridge.lossGradient(Ridge.x)) <= 1e-10)
        // And equals our own reverse mode on the same model.
        let ours = AD.gradient(of: RidgeLoss(), at: Ridge.x).gradient
        #expect(Approximate.relativeError(Array(g.base), ours) <= 1e-12)
    }

    @Test func valueWithPullbackGivesTheIFTVectorJacobianProduct() throws {
        let (y, pullback) = valueWithPullback(at: Ridge.x) { x in Ridge.function.solution(at: x) }
        #expect(y == (try Ridge.solve(Ridge.x)))
        let ybar = [0.5, -1, 0.25, 2]
        let xbar = Array(pullback(.init(ybar)).base)
        #expect(Approximate.relativeError(xbar, try Ridge.jacobian(Ridge.x).transposedTimes(ybar)) <= 1e-10)
        // Swift AD's zero cotangent (an empty array) gives a zero gradient of full length.
        #expect(Array(pullback(.zero).base) == [0, 0, 0, 0])
    }

    @Test func scalarInput() {
        let root = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation())
        let d = gradient(at: 9.0) { x in total(root.solution(at: x)) }
        #expect(abs(d - 1.0 / 6) <= 1e-12)
    }

    @Test func failureGivesNaNGradientAndADiagnostic() {
        let f = makeUnconvergedHeron()
        let g = gradient(at: [4.0, 9]) { x in total(f.solution(at: x)) }
        #expect(g.base.count == 2 && g.base.allSatisfy { $0.isNaN })
        guard case .residualTooLarge? = f.diagnostics.last?.error else {
            Issue.record("expected residualTooLarge, got \(String(describing: f.diagnostics.last))"); return
        }
        #expect(f.diagnostics.totalCount == 1)   // the pullback linearized once
        // A failed forward solve gives a NaN value, recorded too.
        let y = f.solution(at: [Double.nan])
        #expect(y.allSatisfy { $0.isNaN } && f.diagnostics.last?.path == "forward solve")
    }
}
