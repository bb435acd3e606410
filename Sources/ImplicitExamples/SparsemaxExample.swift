import ImplicitDifferentiation
import Optimality

// Use case 7: the projection onto the probability simplex (sparsemax),
// differentiated through the projected-gradient fixed point.
//
//     y(x) = argmin ½‖y − x‖²  subject to  y ≥ 0, Σ y = 1
//     F(x, y) = P_Δ(y − η (y − x)) − y = 0,   η = ½
//
// The Jacobian is piecewise constant: with s the indicator of the support,
//
//     J = diag(s) − s sᵀ / |S|.

/// The projected-gradient step of the simplex projection, differentiated
/// through `FixedPointConditions(map:)` (Optimality).
///
/// ```
/// T(x, y) = P_Δ(y − η(y − x)),   F(x, y) = T(x, y) − y,   0 < η ≤ 1
/// A = (1 − η) D − I,   B = η D,   D = diag(s) − s sᵀ/|S|   ⇒   J = D
/// ```
public struct SparsemaxMap: FixedPointMap {
    /// The step `η` (default ½).
    public var step: Double

    /// Creates the map.
    ///
    /// - Parameter step: `0 < η ≤ 1`.
    public init(step: Double = 0.5) { self.step = step }

    /// `P_Δ(y − η(y − x))`.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let eta = T(step)
        return Projections.simplex(zip(x, y).map { x, y in y - eta * (y - x) })
    }

    /// The forward solver, as a user would write it: bisection on the
    /// threshold `τ` of `Σ max(xᵢ − τ, 0) = 1`, then `τ` recomputed exactly
    /// on the support found.
    ///
    /// - Parameter x: the scores, non-empty.
    /// - Returns: `sparsemax(x)`.
    @Sendable public static func solve(_ x: [Double]) -> [Double] {
        var lo = x.max()! - 1, hi = x.max()!
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            let mass = x.reduce(0) { $0 + Swift.max($1 - mid, 0) }
            if mass > 1 { lo = mid } else { hi = mid }
            if hi - lo <= 1e-15 * Swift.max(1, Swift.abs(hi)) { break }
        }
        let support = x.filter { $0 > lo }
        let tau = (support.reduce(0, +) - 1) / Double(support.count)
        return x.map { Swift.max($0 - tau, 0) }
    }
}

extension Examples {
    /// Use case 7: sparsemax.
    public static let sparsemax = Example(
        name: "sparsemax", title: "projection onto the simplex (sparsemax): J = diag(s) − s sᵀ/|S|",
        sizeMeaning: "m = n = size scores", defaultSize: 1000, testSize: 30,
        benchmarkSizes: [100, 1000, 10_000]
    ) { m in
        let x = (0..<m).map { 2 * Inputs.wave($0, 0.37, 0.11) + 0.5 * Inputs.wave($0, 1.73, Double.pi / 2) }
        let dx = Directions.tangent(m), ybar = Directions.cotangent(m)
        let apply: @Sendable ([Double], [Double]) -> [Double] = { y, v in
            let s = y.map { $0 > 0 ? 1.0 : 0 }
            let mean = zip(s, v).reduce(0) { $0 + $1.0 * $1.1 } / s.reduce(0, +)
            return zip(s, v).map { $0 * ($1 - mean) }
        }
        return ExampleProblem(
            input: x, unknowns: m, equations: m, conditions: try! FixedPointConditions(map: SparsemaxMap()),
            solve: SparsemaxMap.solve,
            checks: [
                DerivativeCheck(mode: .jvp, quantity: "J ẋ = s∘(ẋ − mean_S ẋ)", reference: .closedForm,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jvp(dx) },
                                expected: { lin in apply(lin.solution, dx) }),
                DerivativeCheck(mode: .vjp, quantity: "Jᵀ ȳ = s∘(ȳ − mean_S ȳ)", reference: .closedForm,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.vjp(ybar) },
                                expected: { lin in apply(lin.solution, ybar) }),
                DerivativeCheck(mode: .jacobian, quantity: "J = diag(s) − s sᵀ/|S|", reference: .closedForm,
                                skipReason: m > 2000 ? "m = \(m) > 2000" : nil,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jacobian().elements },
                                expected: { lin in
                                    let s = lin.solution.map { $0 > 0 ? 1.0 : 0 }
                                    let k = s.reduce(0, +)
                                    return Matrix(rows: m, columns: m) { i, j in (i == j ? s[i] : 0) - s[i] * s[j] / k }.elements
                                }),
            ],
            facts: { y in
                let support = (0..<m).filter { y[$0] > 0 }
                let tau = x[support[0]] - y[support[0]]
                let off = (0..<m).filter { y[$0] == 0 }.map { tau - x[$0] }.min() ?? .infinity
                return ["support: \(support.count) of \(m); τ = \(shortNumber(tau)); margins: min yᵢ on the support = "
                        + "\(shortNumber(support.map { y[$0] }.min() ?? 0)), min (τ − xᵢ) off it = \(shortNumber(off))"]
            })
    }
}
