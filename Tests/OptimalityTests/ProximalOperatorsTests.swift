import Testing
import Optimality
import TestSupport

/// Each proximal operator: value against its closed form, Jacobian (in the
/// point and the weights) against a closed form or central finite differences
/// away from the kinks, on Dual, DualN and the tape.
@Suite struct ProximalOperatorsTests {
    struct SoftThreshold: DifferentiableFunction {   // x = (v…, τ)
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            ProximalOperators.softThreshold(Array(x.dropLast()), x.last!)
        }
    }
    struct GroupLasso: DifferentiableFunction {      // x = (v (5), τ), groups [0, 2), [2, 4), [4, 5)
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            ProximalOperators.groupLasso(Array(x.dropLast()), x.last!, groups: [0..<2, 2..<4, 4..<5])
        }
    }
    struct ElasticNet: DifferentiableFunction {      // x = (v…, τ, γ)
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            let n = x.count - 2
            return ProximalOperators.elasticNet(Array(x[0..<n]), l1: x[n], l2: x[n + 1])
        }
    }
    struct Ridge: DifferentiableFunction {           // x = (v…, γ)
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            ProximalOperators.ridge(Array(x.dropLast()), x.last!)
        }
    }
    struct Indicators: DifferentiableFunction {      // (max(v, 0), clamp(v, −1, 1))
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            ProximalOperators.nonNegative(x) + ProximalOperators.boxIndicator(x, lower: -1, upper: 1)
        }
    }

    @Test func softThresholdAndItsDerivativeInTheThreshold() {
        let x: [Double] = [1.5, -0.2, -2, 0.7, 0.5]   // τ = 0.5
        let reference = Matrix(rows: 4, columns: 5) { i, j in
            let v = x[i], outside = abs(v) > 0.5
            if j == 4 { return outside ? (v > 0 ? -1 : 1) : 0 }
            return i == j && outside ? 1 : 0
        }
        ScalarChecks.expect(SoftThreshold(), at: x, value: [1, 0, -1.5, 0.2], jacobian: reference, tolerance: 1e-15)
    }

    @Test func groupLassoShrinksBlocksAndZeroesSmallOnes() {
        let v = [3.0, 4, 0.1, -0.2, -2], tau = 1.0
        // ‖(3, 4)‖ = 5 → scale 0.8; ‖(0.1, −0.2)‖ < 1 → 0; |−2| = 2 → scale 0.5.
        let x = v + [tau]
        ScalarChecks.expect(GroupLasso(), at: x, value: [2.4, 3.2, 0, 0, -1],
                            jacobian: ScalarChecks.finiteDifferences(GroupLasso(), at: x), tolerance: 1e-8)
        // Closed form on the first block: (1 − τ/‖v‖) I + τ v vᵀ/‖v‖³, and ∂/∂τ = −v/‖v‖.
        let j = AD.jacobian(of: GroupLasso(), at: x, mode: .reverse)
        let block = [[0.8 + 9.0 / 125, 12.0 / 125], [12.0 / 125, 0.8 + 16.0 / 125]]
        for r in 0..<2 { for c in 0..<2 { #expect(abs(j[r, c] - block[r][c]) <= 1e-15) } }
        #expect(abs(j[0, 5] + 0.6) <= 1e-15 && abs(j[1, 5] + 0.8) <= 1e-15 && j[2, 2] == 0 && j[3, 5] == 0)
    }

    @Test func elasticNetAndRidgeShrink() {
        let v = [1.5, -0.2, -2, 0.7]
        let en = v + [0.5, 0.25]
        ScalarChecks.expect(ElasticNet(), at: en, value: [0.8, 0, -1.2, 0.16],
                            jacobian: ScalarChecks.finiteDifferences(ElasticNet(), at: en), tolerance: 1e-8)
        let gamma = 0.25
        let reference = Matrix(rows: 4, columns: 5) { i, j in
            j == 4 ? -v[i] / ((1 + gamma) * (1 + gamma)) : (i == j ? 1 / (1 + gamma) : 0)
        }
        ScalarChecks.expect(Ridge(), at: v + [gamma], value: v.map { $0 / 1.25 }, jacobian: reference, tolerance: 1e-15)
    }

    @Test func indicatorProximalOperatorsAreProjections() {
        let v = [1.5, -0.2, -2, 0.7]
        let reference = Matrix(rows: 8, columns: 4) { i, j in
            i < 4 ? (i == j && v[j] > 0 ? 1 : 0) : (i - 4 == j && abs(v[j]) < 1 ? 1 : 0)
        }
        ScalarChecks.expect(Indicators(), at: v, value: [1.5, 0, 0, 0.7, 1, -0.2, -1, 0.7],
                            jacobian: reference, tolerance: 0)
    }
}
