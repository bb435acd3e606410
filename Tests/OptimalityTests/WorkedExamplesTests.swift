import Testing
import Optimality
import TestSupport

/// Two worked examples: a hyperparameter gradient through an ℓ2-ball
/// constrained least squares, and an ℓ1-ball projection inside a larger model.
@Suite struct WorkedExamplesTests {
    // MARK: ℓ2-ball constrained least squares, differentiated in the radius

    static let design = Matrix(rows: 8, columns: 4) { i, j in Double.cos(1.3 * Double(i * (j + 1)) + 0.2 * Double(j)) + (i == j ? 1 : 0) }
    static let target = (0..<8).map { 3 * Double.sin(1.1 * Double($0) + 0.2) }
    static let validation = Matrix(rows: 5, columns: 4) { i, j in Double.sin(Double(i + 2 * j) + 0.4) }
    static let validationTarget = (0..<5).map { Double.cos(Double($0)) }

    static var gram: Matrix {
        var g = Matrix(rows: 4, columns: 4)
        BLAS.gemm(transposeA: true, 1, design, design, 0, &g)
        return g
    }

    /// `(G + νI)⁻¹ b` with `G = XᵀX`, `b = Xᵀt`.
    static func shifted(_ nu: Double, _ b: [Double]) -> [Double] {
        var g = gram
        for j in 0..<4 { g[j, j] += nu }
        return try! CholeskyFactorization(g).solve(b)
    }

    /// The forward solver: `y = (G + νI)⁻¹ b` with `ν ≥ 0` found by bisection so that `‖y‖ = r` (or `ν = 0` inside).
    @Sendable static func constrainedLeastSquares(_ x: [Double]) -> [Double] {
        let r = x[0], b = design.transposedTimes(target)
        let free = shifted(0, b)
        if BLAS.nrm2(free) <= r { return free }
        var lo = 0.0, hi = BLAS.nrm2(b) / r
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if BLAS.nrm2(shifted(mid, b)) > r { lo = mid } else { hi = mid }
            if hi - lo <= 1e-16 * hi { break }
        }
        let y = shifted((lo + hi) / 2, b)
        return y.map { $0 * r / BLAS.nrm2(y) }   // on the sphere to the last bit
    }

    /// `T(r, y) = P_{‖·‖ ≤ r}(y − η Xᵀ(Xy − t))`, `η = 1/‖X‖²_F` (below 1/λmax).
    struct ProjectedGradient: FixedPointMap {
        static let step = 1 / WorkedExamplesTests.design.elements.reduce(0) { $0 + $1 * $1 }
        func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
            let xy = design * y
            let g = design.transposedTimes(xy.indices.map { xy[$0] - T(target[$0]) })
            return Projections.l2Ball(y.indices.map { y[$0] - T(Self.step) * g[$0] }, radius: x[0])
        }
    }

    /// The validation loss `½‖X_v y(r) − t_v‖²` as a function of `r`, generic.
    struct ValidationLoss: DifferentiableFunction {
        let root: ImplicitFunction<Void, Void>
        func callAsFunction<T: DifferentiableScalar>(_ r: [T]) -> [T] {
            let p = validation * root(r)
            return [p.indices.reduce(T(0)) { $0 + (p[$1] - T(validationTarget[$1])) * (p[$1] - T(validationTarget[$1])) } / T(2)]
        }
    }

    @Test func radiusHypergradientOfL2BallLeastSquares() throws {
        let root = try ImplicitFunction(fixedPointOf: ProjectedGradient(), step: ProjectedGradient.step,
                                        solver: Self.constrainedLeastSquares)
        let r = 1.0
        let y = try root([r])
        #expect(abs(BLAS.nrm2(y) - r) <= 1e-15)   // the constraint is active
        // Closed form: (G + νI) y = b with ν = yᵀ(b − Gy)/‖y‖², and ∂y/∂r = r (G + νI)⁻¹y / (yᵀ(G + νI)⁻¹y).
        let b = Self.design.transposedTimes(Self.target), gy = Self.gram * y
        let nu = zip(y, zip(b, gy)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) } / (r * r)
        #expect(nu > 0.1)   // strictly active: a margin for the derivative
        let u = Self.shifted(nu, y)
        let dy = u.map { r * $0 / zip(y, u).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(Approximate.relativeError(try root.jacobian(at: [r]).column(0), dy) <= 1e-10)
        let pv = Self.validation * y
        let residual = pv.indices.map { pv[$0] - Self.validationTarget[$0] }
        let gradL = Self.validation.transposedTimes(residual)
        let hypergradient = zip(gradL, dy).reduce(0) { $0 + $1.0 * $1.1 }
        let loss = ValidationLoss(root: root)
        #expect(Approximate.relativeError(try root.vjp(at: [r], cotangent: gradL)[0], hypergradient) <= 1e-10)
        #expect(Approximate.relativeError(AD.gradient(of: loss, at: [r]).gradient[0], hypergradient) <= 1e-10)
        #expect(Approximate.relativeError(AD.jvp(of: loss, at: [r], tangent: [1]).tangent[0], hypergradient) <= 1e-10)
        let fd = FiniteDifferences.jacobian(of: { (r: [Double]) -> [Double] in
            let p = Self.validation * Self.constrainedLeastSquares(r)
            return [p.indices.reduce(0) { $0 + (p[$1] - Self.validationTarget[$1]) * (p[$1] - Self.validationTarget[$1]) } / 2]
        }, at: [r])[0, 0]
        #expect(Approximate.relativeError(fd, hypergradient) <= 1e-6)
    }

    // MARK: an ℓ1-ball projection inside a larger model

    static let weights = Matrix(rows: 5, columns: 3) { i, j in Double.cos(Double(2 * i + j) + 0.1) }
    static let bias = [0.4, -0.2, 0.1, 0.3, -0.5]
    static let labels = [0.2, -0.1, 0, 0.3, 0.1]

    /// `T(v, y) = P_{‖·‖₁ ≤ 1}(y − ½(y − v))`, whose fixed point is `P(v)`.
    struct L1Map: FixedPointMap {
        func callAsFunction<T: DifferentiableScalar>(x v: [T], y: [T]) -> [T] {
            Projections.l1Ball(y.indices.map { y[$0] - (y[$0] - v[$0]) / T(2) }, radius: T(1))
        }
    }

    /// `loss(θ) = ½‖P_{B₁}(Wθ + c) − ℓ‖²`, with the projection explicit or implicit.
    struct Model: DifferentiableFunction {
        let implicit: ImplicitFunction<Void, Void>?
        func callAsFunction<T: DifferentiableScalar>(_ theta: [T]) -> [T] {
            let wt = weights * theta
            let v = wt.indices.map { wt[$0] + T(bias[$0]) }
            let p = implicit.map { $0(v) } ?? Projections.l1Ball(v, radius: T(1))
            return [p.indices.reduce(T(0)) { $0 + (p[$1] - T(labels[$1])) * (p[$1] - T(labels[$1])) } / T(2)]
        }
    }

    @Test func l1BallProjectionInsideALargerModel() throws {
        let implicit = try ImplicitFunction(fixedPointOf: L1Map(), step: 0.5, solver: { v in
            Projections.l1Ball(v, radius: 1.0)
        })
        let theta = [0.8, -0.5, 1.1]
        let explicitModel = Model(implicit: nil), implicitModel = Model(implicit: implicit)
        let wt = Self.weights * theta
        let v = wt.indices.map { wt[$0] + Self.bias[$0] }
        let p = Projections.l1Ball(v, radius: 1.0)
        #expect(v.reduce(0) { $0 + abs($1) } > 1.2 && p.filter { $0 != 0 }.count >= 2)   // outside, several entries kept
        let fd = ScalarChecks.finiteDifferences(explicitModel, at: theta)
        ScalarChecks.expect(explicitModel, at: theta, jacobian: fd, tolerance: 1e-7)
        ScalarChecks.expect(implicitModel, at: theta, jacobian: fd, tolerance: 1e-7)
        let a = AD.gradient(of: explicitModel, at: theta).gradient, b = AD.gradient(of: implicitModel, at: theta).gradient
        #expect(Approximate.relativeError(b, a) <= 1e-12)
    }
}
