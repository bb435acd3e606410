import ImplicitDifferentiation
import Optimality

// Use case 4: the lasso through the proximal-gradient fixed point.
//
//     w(α, t) = argmin ½‖X w − t‖² + α‖w‖₁
//     F((α, t), w) = S_{ηα}(w − η Xᵀ(X w − t)) − w = 0       (S: soft threshold)
//
// On the support S = {j : wⱼ ≠ 0} with signs s, X_Sᵀ(X_S w_S − t) + α s = 0, so
//
//     ∂w_S/∂α = −(X_SᵀX_S)⁻¹ s,   ∂w_S/∂t = (X_SᵀX_S)⁻¹ X_Sᵀ,   zero off the support.

/// The proximal-gradient (ISTA) step of the lasso, differentiated through
/// `FixedPointConditions(map:step:)` (Optimality); the input is
/// `x = (α, t)` (the penalty, then the targets), the unknowns the coefficients `w`.
///
/// ```
/// T((α, t), w) = S_{ηα}(w − η Xᵀ(X w − t)),   η = 0.99/λmax(XᵀX)
/// F = (T − w)/η                                (the gradient mapping)
/// ```
public struct LassoMap: FixedPointMap {
    /// `X`, `N × p`.
    public let design: Matrix
    /// The step `η = 1/λmax(XᵀX)`.
    public let step: Double

    /// The map for the design `X`.
    ///
    /// - Parameter design: `X`, `N × p`, non-zero.
    public init(design: Matrix) {
        self.design = design
        // Power iteration for λmax(XᵀX); η a hair below 1/λmax.
        var v = [Double](repeating: 1, count: design.columns)
        var lambda = 0.0
        for _ in 0..<500 {
            let u = design.transposedTimes(design * v)
            lambda = BLAS.nrm2(u) / BLAS.nrm2(v)
            v = u.map { $0 / BLAS.nrm2(u) }
        }
        step = 0.99 / lambda
    }

    /// `S_{ηα}(w − ηXᵀ(Xw − t))`.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y w: [T]) -> [T] {
        let alpha = x[0], eta = T(step)
        let xw = design * w   // X w and Xᵀ r: one BLAS product each at every AD level
        let r = xw.indices.map { xw[$0] - x[1 + $0] }
        let g = design.transposedTimes(r)
        return w.indices.map { j in
            ProximalOperators.softThreshold(w[j] - eta * g[j], eta * alpha)
        }
    }

    /// ISTA, as a user would write it: `w ← S_{ηα}(w − ηXᵀ(Xw − t))` from
    /// `w = 0` until the step is below `10⁻¹⁵`.
    ///
    /// - Parameter x: `(α, t)`.
    /// - Returns: the lasso coefficients.
    public func solve(_ x: [Double]) -> [Double] {
        let alpha = x[0], t = Array(x.dropFirst())
        var w = [Double](repeating: 0, count: design.columns)
        for _ in 0..<500_000 {
            var r = design * w
            BLAS.axpy(-1, t, &r)
            let g = design.transposedTimes(r)
            var change = 0.0, scale = 1.0
            for j in 0..<w.count {
                let v = w[j] - step * g[j], tau = step * alpha
                let next = v > tau ? v - tau : (v < -tau ? v + tau : 0)
                change = Swift.max(change, Swift.abs(next - w[j]))
                scale = Swift.max(scale, Swift.abs(next))
                w[j] = next
            }
            if change <= 1e-15 * scale { break }
        }
        return w
    }
}

extension Examples {
    /// `X_ij = √(2/N) cos(π(i + ½)(j + ½)/N) + 0.3 sin(1.7 i (j+1) + 0.2)/√N`.
    static func lassoDesign(samples n: Int, features p: Int) -> Matrix {
        let s = (2 / Double(n)).squareRoot()
        return Matrix(rows: n, columns: p) { i, j in
            s * Double.cos(Double.pi * (Double(i) + 0.5) * (Double(j) + 0.5) / Double(n))
                + 0.3 * Double.sin(1.7 * Double(i * (j + 1)) + 0.2) / Double(n).squareRoot()
        }
    }

    /// The closed-form Jacobian `∂w/∂(α, t)` (`p × (1 + N)`) on the support of `w`.
    static func lassoJacobian(design: Matrix, alpha: Double, w: [Double]) -> Matrix {
        let p = design.columns, n = design.rows
        let support = (0..<p).filter { w[$0] != 0 }
        var j = Matrix(rows: p, columns: 1 + n)
        guard !support.isEmpty else { return j }
        let xs = Matrix(rows: n, columns: support.count) { i, k in design[i, support[k]] }
        var g = Matrix(rows: support.count, columns: support.count)
        BLAS.gemm(transposeA: true, 1, xs, xs, 0, &g)
        let chol = try! CholeskyFactorization(g)
        let dAlpha = try! chol.solve(support.map { w[$0] > 0 ? -1.0 : 1.0 })
        let dT = try! chol.solve(xs.transposed())
        for (k, row) in support.enumerated() {
            j[row, 0] = dAlpha[k]
            for i in 0..<n { j[row, 1 + i] = dT[k, i] }
        }
        return j
    }

    /// Use case 4: lasso by proximal gradient.
    public static let lasso = Example(
        name: "lasso", title: "lasso by proximal gradient: ∂w/∂(α, t) (closed form on the support)",
        sizeMeaning: "p = size features, N = 2p samples; x = (α, t), n = 1 + N", defaultSize: 100, testSize: 12,
        benchmarkSizes: [10, 100, 1000]
    ) { p in
        let n = 2 * p
        let design = lassoDesign(samples: n, features: p)
        let truth = (0..<p).map { (j: Int) -> Double in
            guard j % 5 == 0 else { return 0 }
            let sign: Double = j % 2 == 0 ? 1 : -1
            return sign * (1 + Double(j % 3))
        }
        let clean = design * truth
        let t = (0..<n).map { clean[$0] + 0.1 * Inputs.wave($0, 2.3, 0) }
        let alpha = 0.1
        let x = [alpha] + t
        let conditions = LassoMap(design: design)
        let dx = Directions.tangent(1 + n), ybar = Directions.cotangent(p)
        let reference: @Sendable ([Double]) -> Matrix = { w in lassoJacobian(design: design, alpha: alpha, w: w) }
        return ExampleProblem(
            input: x, unknowns: p, equations: p,
            conditions: try! FixedPointConditions(map: conditions, step: conditions.step), solve: conditions.solve,
            checks: DerivativeCheck.closedForm(
                jacobian: { lin in reference(lin.solution) }, tangent: dx, cotangent: ybar,
                quantities: (jvp: "∂w/∂(α, t) · (α̇, ṫ)", vjp: "(∂w/∂α, ∂w/∂t)ᵀ ȳ",
                             jacobian: "∂w_S/∂α = −G_SS⁻¹ s, ∂w_S/∂t = G_SS⁻¹ X_Sᵀ"),
                jacobianSkipReason: p > 1000 ? "p = \(p) > 1000" : nil),
            facts: { w in
                var r = design * w
                BLAS.axpy(-1, t, &r)
                let c = design.transposedTimes(r)
                let off = (0..<p).filter { w[$0] == 0 }.map { alpha - Swift.abs(c[$0]) }.min() ?? .infinity
                let on = w.filter { $0 != 0 }.map { Swift.abs($0) }.min() ?? .infinity
                return ["support: \(w.filter { $0 != 0 }.count) of \(p) coefficients; margins: "
                        + "min(α − |Xⱼᵀr|) off the support = \(shortNumber(off)), min |wⱼ| on it = \(shortNumber(on))"]
            })
    }
}
