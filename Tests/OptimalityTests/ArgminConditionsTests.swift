import Testing
import Optimality
import TestSupport

/// Ridge regression with per-feature penalties:
/// `f(λ, w) = ½‖Xw − t‖² + ½ Σ λⱼ wⱼ²`, `w(λ) = (XᵀX + diag λ)⁻¹ Xᵀt`.
struct RidgeObjective: Objective {
    let design: Matrix, target: [Double]
    func callAsFunction<T: DifferentiableScalar>(x lambda: [T], y w: [T]) -> T {
        let xw = design * w
        var f = T(0)
        for i in xw.indices { f = f + (xw[i] - T(target[i])) * (xw[i] - T(target[i])) }
        for j in w.indices { f = f + lambda[j] * w[j] * w[j] }
        return f / T(2)
    }
}

/// Its gradient by hand: `Xᵀ(Xw − t) + λ∘w`.
struct RidgeGradient: ObjectiveGradient {
    let design: Matrix, target: [Double]
    func callAsFunction<T: DifferentiableScalar>(x lambda: [T], y w: [T]) -> [T] {
        let xw = design * w
        let g = design.transposedTimes(xw.indices.map { xw[$0] - T(target[$0]) })
        return w.indices.map { g[$0] + lambda[$0] * w[$0] }
    }
}

@Suite struct ArgminConditionsTests {
    static let design = Matrix(rows: 6, columns: 3) { i, j in Double.cos(Double(i * 3 + j) * 0.7 + 0.2) }
    static let target = (0..<6).map { Double.sin(Double($0) + 0.5) }
    static let lambda = [0.3, 1.2, 0.05]

    /// `(XᵀX + diag λ)⁻¹ Xᵀt` by a Cholesky solve.
    static func ridge(_ lambda: [Double]) -> [Double] {
        var g = Matrix(rows: 3, columns: 3)
        BLAS.gemm(transposeA: true, 1, design, design, 0, &g)
        for j in 0..<3 { g[j, j] += lambda[j] }
        return try! CholeskyFactorization(g).solve(design.transposedTimes(target))
    }

    /// `−(XᵀX + diag λ)⁻¹ diag(w)`.
    static func exactJacobian(_ lambda: [Double]) -> Matrix {
        var g = Matrix(rows: 3, columns: 3)
        BLAS.gemm(transposeA: true, 1, design, design, 0, &g)
        for j in 0..<3 { g[j, j] += lambda[j] }
        let w = ridge(lambda)
        let inverse = try! CholeskyFactorization(g).solve(Matrix.identity(3))
        return Matrix(rows: 3, columns: 3) { i, j in -inverse[i, j] * w[j] }
    }

    struct Gradient: DifferentiableFunction {   // (λ, w) ↦ ∇_w f by nested duals
        func callAsFunction<T: DifferentiableScalar>(_ v: [T]) -> [T] {
            ArgminConditions(objective: RidgeObjective(design: design, target: target))(
                x: Array(v[0..<3]), y: Array(v[3...]))
        }
    }
    struct Root: DifferentiableFunction {
        let root: ImplicitFunction<Void, Void>
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { root(x) }
    }

    @Test func innerGradientIsTheHandGradientAndItsJacobianTheHessianBlocks() {
        let w = [0.4, -0.2, 0.9]
        let hand: [Double] = RidgeGradient(design: Self.design, target: Self.target)(x: Self.lambda, y: w)
        var xtx = Matrix(rows: 3, columns: 3)
        BLAS.gemm(transposeA: true, 1, Self.design, Self.design, 0, &xtx)
        // ∂∇f/∂λ = diag(w), ∂∇f/∂w = XᵀX + diag λ.
        let reference = Matrix(rows: 3, columns: 6) { i, j in
            j < 3 ? (i == j ? w[i] : 0) : xtx[i, j - 3] + (i == j - 3 ? Self.lambda[i] : 0)
        }
        ScalarChecks.expect(Gradient(), at: Self.lambda + w, value: hand, jacobian: reference, tolerance: 1e-13)
    }

    @Test func argminDerivativeIsTheRidgeClosedFormAndThePlanIsCholesky() throws {
        let objective = RidgeObjective(design: Self.design, target: Self.target)
        let root = ImplicitFunction(argminOf: objective, solver: { Self.ridge($0) })
        #expect(try root.plan(for: Self.lambda).solver == .cholesky)
        let exact = Self.exactJacobian(Self.lambda)
        #expect(Approximate.relativeError(try root.jacobian(at: Self.lambda), exact) <= 1e-12)
        ScalarChecks.expect(Root(root: root), at: Self.lambda, jacobian: exact, tolerance: 1e-12)
        let byHand = ImplicitFunction(argminWithGradient: RidgeGradient(design: Self.design, target: Self.target),
                                      solver: { Self.ridge($0) })
        #expect(Approximate.relativeError(try byHand.jacobian(at: Self.lambda), exact) <= 1e-12)
        let cg = ImplicitFunction(argminOf: objective, solver: { Self.ridge($0) }, representation: .operator)
        let plan = try cg.plan(for: Self.lambda)
        guard case .cg = plan.solver else { Issue.record("expected CG, got \(plan)"); return }
        #expect(Approximate.relativeError(try cg.jacobian(at: Self.lambda), exact) <= 1e-8)
    }

    @Test func squareRootAsAnArgmin() throws {
        struct Quartic: Objective {   // Σ (yᵢ² − xᵢ)², minimized at √x
            func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> T {
                zip(x, y).reduce(T(0)) { $0 + ($1.1 * $1.1 - $1.0) * ($1.1 * $1.1 - $1.0) }
            }
        }
        let root = ImplicitFunction(argminOf: Quartic(), solver: { $0.map { $0.squareRoot() } })
        let x = [0.5, 2, 3.7]
        let exact = Matrix.diagonal(x.map { 1 / (2 * $0.squareRoot()) })
        #expect(Approximate.relativeError(try root.jacobian(at: x), exact) <= 1e-13)
    }
}
