import ImplicitDifferentiation

// Use case 3: the hyper-gradient of ridge regression with respect to
// per-feature penalties λ.
//
//     w(λ) = argmin ½‖X w − t‖² + ½ Σⱼ λⱼ wⱼ²
//     F(λ, w) = Xᵀ(X w − t) + λ∘w = 0
//     A = XᵀX + diag λ (symmetric positive definite),  B = diag w
//     ∂w/∂λ = −(XᵀX + diag λ)⁻¹ diag(w)

/// The stationarity conditions of ridge regression with per-feature penalties.
///
/// ```
/// F(λ, w) = G w − c + λ∘w,   G = XᵀX,  c = Xᵀt   (precomputed once)
/// ```
public struct RidgeConditions: ImplicitConditions {
    /// `G = XᵀX` (`p × p`).
    public let gram: Matrix
    /// `c = Xᵀt` (length `p`).
    public let correlation: [Double]

    /// The conditions for the data `(X, t)`.
    ///
    /// - Parameters:
    ///   - design: `X`, `N × p`.
    ///   - targets: `t`, length `N`.
    public init(design: Matrix, targets: [Double]) {
        var g = Matrix(rows: design.columns, columns: design.columns)
        BLAS.gemm(transposeA: true, 1, design, design, 0, &g)
        gram = g
        correlation = design.transposedTimes(targets)
    }

    /// `G w − c + λ∘w`.
    public func callAsFunction<T: DifferentiableScalar>(x lambda: [T], y w: [T]) -> [T] {
        let gw = gram * w   // one BLAS product at every AD level
        return (0..<w.count).map { i in lambda[i] * w[i] - T(correlation[i]) + gw[i] }
    }

    /// The forward solver: a Cholesky solve of `(G + diag λ) w = c`.
    ///
    /// - Parameter lambda: positive penalties.
    /// - Returns: the ridge coefficients.
    /// - Throws: when `G + diag λ` is not positive definite.
    public func solve(_ lambda: [Double]) throws -> [Double] {
        var a = gram
        for j in 0..<lambda.count { a[j, j] += lambda[j] }
        return try CholeskyFactorization(a).solve(correlation)
    }
}

extension Examples {
    /// `X_ij = cos(0.37 (i+1)(j+1) + 0.1 j) + 0.2 sin(1.1 i − 0.3 j)`, `N = 2p` rows.
    static func ridgeDesign(samples: Int, features: Int) -> Matrix {
        Matrix(rows: samples, columns: features) { i, j in
            Double.cos(0.37 * Double((i + 1) * (j + 1)) + 0.1 * Double(j)) + 0.2 * Double.sin(1.1 * Double(i) - 0.3 * Double(j))
        }
    }

    /// Use case 3: ridge hyper-gradient.
    public static let ridge = Example(
        name: "ridge", title: "ridge regression: ∂w/∂λ for per-feature penalties λ",
        sizeMeaning: "p = size features, N = 2p samples", defaultSize: 200, testSize: 12,
        benchmarkSizes: [20, 200, 2000]
    ) { p in
        let design = ridgeDesign(samples: 2 * p, features: p)
        let targets = (0..<(2 * p)).map { Inputs.wave($0, 0.5, 0) + 0.1 * Double($0) / Double(2 * p) }
        let conditions = RidgeConditions(design: design, targets: targets)
        let lambda = (0..<p).map { 0.1 + 0.9 * Double(($0 * 7) % 10) / 10 }
        let dx = Directions.tangent(p), ybar = Directions.cotangent(p)
        // −(G + diag λ)⁻¹ diag(w): the closed form, through its own Cholesky factorization.
        let closedForm: @Sendable (_ w: [Double]) -> Matrix = { w in
            var a = conditions.gram
            for j in 0..<p { a[j, j] += lambda[j] }
            let j = try! CholeskyFactorization(a).solve(Matrix.diagonal(w))
            return -1 * j
        }
        return ExampleProblem(
            input: lambda, unknowns: p, equations: p, structure: [.symmetric, .positiveDefinite],
            conditions: conditions, solve: { try! conditions.solve($0) },
            checks: DerivativeCheck.closedForm(
                jacobian: { lin in closedForm(lin.solution) }, tangent: dx, cotangent: ybar,
                quantities: (jvp: "∂w/∂λ · λ̇", vjp: "hyper-gradient (∂w/∂λ)ᵀ ȳ",
                             jacobian: "∂w/∂λ = −(XᵀX + diag λ)⁻¹ diag(w)"),
                jacobianSkipReason: p > 2000 ? "p = \(p) > 2000" : nil),
            facts: { w in ["‖w‖∞ = \(shortNumber(w.map { Swift.abs($0) }.max() ?? 0))"] })
    }
}
