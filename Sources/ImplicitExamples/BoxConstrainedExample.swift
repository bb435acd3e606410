import ImplicitDifferentiation
import Optimality

// Use case 2: box-constrained optimization through its projected-gradient
// fixed point.
//
//     y(x) = argmin ½ yᵀQy − xᵀy  subject to  −1 ≤ y ≤ 1,   Q = tridiag(−1, 4, −1)
//
// On the free set I (entries strictly inside the box) Q_II y_I + Q_IA y_A = x_I
// with y_A fixed at the bounds, so
//
//     ∂y_I/∂x_I = Q_II⁻¹,   every other entry of J is zero (the active bounds do not move).

/// The projected-gradient step of a box-constrained quadratic, whose fixed
/// point is the minimizer; the example differentiates it through
/// `FixedPointConditions(map:step:)` (Optimality), preconditioned by `η`.
///
/// ```
/// T(x, y) = P_box(y − η (Q y − x)),   Q = tridiag(−1, 4, −1),  η = 1/6
/// F(x, y) = (T(x, y) − y)/η           (−Q y + x on the free set)
/// ```
///
/// `η < 2/λmax(Q)` (λmax < 6) makes the fixed point the minimizer; its
/// derivative is the same for every such `η`.
public struct BoxConstrainedMap: FixedPointMap {
    /// The step `η` (default 1/6).
    public var step: Double
    /// The box `[lower, upper]`.
    public var lower: Double, upper: Double

    /// Creates the map.
    ///
    /// - Parameters:
    ///   - step: `0 < η < 1/3`.
    ///   - lower: lower bound.
    ///   - upper: upper bound, `> lower`.
    public init(step: Double = 1.0 / 6, lower: Double = -1, upper: Double = 1) {
        self.step = step
        self.lower = lower
        self.upper = upper
    }

    /// `P_box(y − η(Qy − x))`.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count, eta = T(step), lo = T(lower), hi = T(upper)
        return (0..<m).map { i in
            var qy = T(4) * y[i]
            if i > 0 { qy = qy - y[i - 1] }
            if i < m - 1 { qy = qy - y[i + 1] }
            return Projections.box(y[i] - eta * (qy - x[i]), lower: lo, upper: hi)
        }
    }

    /// Projected gradient descent, as a user would write it: iterate
    /// `y ← clamp(y − η(Qy − x))` from `y = 0` until it stops changing.
    ///
    /// - Parameter x: the linear term.
    /// - Returns: the minimizer.
    public func solve(_ x: [Double]) -> [Double] {
        let m = x.count
        var y = [Double](repeating: 0, count: m), next = y
        for _ in 0..<100_000 {
            var change = 0.0
            for i in 0..<m {
                var qy = 4 * y[i]
                if i > 0 { qy -= y[i - 1] }
                if i < m - 1 { qy -= y[i + 1] }
                next[i] = Swift.min(Swift.max(y[i] - step * (qy - x[i]), lower), upper)
                change = Swift.max(change, Swift.abs(next[i] - y[i]))
            }
            swap(&y, &next)
            if change <= 1e-15 { break }
        }
        return y
    }
}

extension Examples {
    /// Solves `Q_II v_I = b_I` for the free set `I` (Thomas algorithm on the
    /// tridiagonal `Q_II`); zero outside `I`.
    static func solveFree(_ free: [Bool], _ b: [Double]) -> [Double] {
        let m = b.count
        var c = [Double](repeating: 0, count: m), d = c, v = c
        var previous = -1
        var order: [Int] = []
        for i in 0..<m where free[i] {
            let coupled = previous == i - 1 && previous >= 0
            let sub = coupled ? -1.0 : 0
            let denom = 4 - (coupled ? sub * c[previous] : 0)
            c[i] = -1 / denom
            d[i] = (b[i] - (coupled ? sub * d[previous] : 0)) / denom
            order.append(i)
            previous = i
        }
        for (k, i) in order.enumerated().reversed() {
            let next = k + 1 < order.count ? order[k + 1] : -1
            v[i] = d[i] - (next == i + 1 ? c[i] * v[next] : 0)
        }
        return v
    }

    /// Use case 2: box-constrained quadratic by projected gradient.
    public static let boxConstrained = Example(
        name: "box", title: "box-constrained quadratic by projected gradient (zero derivative on active bounds)",
        sizeMeaning: "m = n = size variables", defaultSize: 300, testSize: 40,
        benchmarkSizes: [100, 1000, 10_000]
    ) { m in
        let conditions = BoxConstrainedMap()
        let x = (0..<m).map { 5 * Inputs.wave($0, 0.9, 0.3) }
        let dx = Directions.tangent(m), ybar = Directions.cotangent(m)
        let free: @Sendable ([Double]) -> [Bool] = { y in y.map { $0 > conditions.lower && $0 < conditions.upper } }
        return ExampleProblem(
            input: x, unknowns: m, equations: m,
            conditions: try! FixedPointConditions(map: conditions, step: conditions.step), solve: conditions.solve,
            checks: [
                DerivativeCheck(mode: .jvp, quantity: "J ẋ = Q_II⁻¹ ẋ_I on the free set", reference: .closedForm,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jvp(dx) },
                                expected: { lin in solveFree(free(lin.solution), dx) }),
                DerivativeCheck(mode: .vjp, quantity: "Jᵀ ȳ = Q_II⁻¹ ȳ_I on the free set", reference: .closedForm,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.vjp(ybar) },
                                expected: { lin in solveFree(free(lin.solution), ybar) }),
                DerivativeCheck(mode: .jacobian, quantity: "J = Q_II⁻¹ embedded, zero rows on active bounds",
                                reference: .closedForm, skipReason: m > 2000 ? "m = \(m) > 2000" : nil,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jacobian().elements },
                                expected: { lin in
                                    let f = free(lin.solution)
                                    var e = [Double](repeating: 0, count: m)
                                    var j = Matrix(rows: m, columns: m)
                                    for c in 0..<m {
                                        e[c] = 1
                                        j.setColumn(c, to: solveFree(f, e))
                                        e[c] = 0
                                    }
                                    return j.elements
                                }),
            ],
            facts: { y in
                let f = free(y)
                var margin = Double.infinity
                for i in 0..<m where !f[i] {
                    var g = 4 * y[i] - x[i]
                    if i > 0 { g -= y[i - 1] }
                    if i < m - 1 { g -= y[i + 1] }
                    margin = Swift.min(margin, Swift.abs(g))
                }
                let inside = zip(y, f).filter { $0.1 }.map { 1 - Swift.abs($0.0) }.min() ?? .infinity
                return ["active bounds: \(f.filter { !$0 }.count) of \(m); strict complementarity margin: "
                        + "min |∇f| on active = \(shortNumber(margin)), min distance to the box on free = "
                        + "\(shortNumber(inside))"]
            })
    }
}
