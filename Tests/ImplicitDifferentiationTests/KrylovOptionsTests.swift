import Testing
import ImplicitDifferentiation
import TestSupport

/// `F(x, y) = M y − x` with `M = tridiag(−1.2, 3, −0.7)` (non-symmetric, well
/// conditioned): `y(x) = M⁻¹x`, so `J = M⁻¹` and, for `ẋ = M ẏ*`, the exact
/// JVP is `ẏ*` (closed form, no reference solver needed).
struct ShiftedTridiagonal: ImplicitConditions {
    static let lower = -1.2, diagonal = 3.0, upper = -0.7

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        return (0..<m).map { i in
            var v = T(Self.diagonal) * y[i] - x[i]
            if i > 0 { v = v + T(Self.lower) * y[i - 1] }
            if i < m - 1 { v = v + T(Self.upper) * y[i + 1] }
            return v
        }
    }

    /// `M v` (or `Mᵀ v`: the off-diagonals swap) on `Double`.
    static func apply(_ v: [Double], transposed: Bool = false) -> [Double] {
        let m = v.count
        let (below, above) = transposed ? (upper, lower) : (lower, upper)
        return (0..<m).map { (i: Int) -> Double in
            let left: Double = i > 0 ? below * v[i - 1] : 0
            let right: Double = i < m - 1 ? above * v[i + 1] : 0
            return diagonal * v[i] + left + right
        }
    }

    /// `M⁻¹ x` by the Thomas algorithm.
    @Sendable static func solve(_ x: [Double]) -> [Double] {
        let m = x.count
        var c = [Double](repeating: 0, count: m), d = c, y = c
        for i in 0..<m {
            let previousC: Double = i > 0 ? c[i - 1] : 0, previousD: Double = i > 0 ? d[i - 1] : 0
            let denominator = diagonal - lower * previousC
            c[i] = upper / denominator
            d[i] = (x[i] - lower * previousD) / denominator
        }
        for i in stride(from: m - 1, through: 0, by: -1) {
            let next: Double = i < m - 1 ? y[i + 1] : 0
            y[i] = d[i] - c[i] * next
        }
        return y
    }
}

@Suite("Krylov options of ImplicitFunctionOptions") struct KrylovOptionsTests {
    let m = 400   // on the lazy path (representation .operator): GMRES
    var x: [Double] { (0..<m).map { (i: Int) -> Double in 1 + 0.5 * Double((i * 7) % 11) / 11 } }
    var exactTangent: [Double] { (0..<m).map { (i: Int) -> Double in Double((i * 5) % 13) / 13 - 0.4 } }

    func function(_ options: ImplicitFunctionOptions = .init(), solver: LinearSolver = .automatic,
                  representation: Representation = .operator) -> ImplicitFunction<Void, Void>
    {
        ImplicitFunction(solver: ShiftedTridiagonal.solve, conditions: ShiftedTridiagonal(),
                         linearSolver: solver, representation: representation, options: options)
    }

    @Test func tightenedToleranceGivesAMoreAccurateDerivativeUnderAutomatic() throws {
        let tight = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-13)
        let looseOptions = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-8)
        let loose = function(ImplicitFunctionOptions(krylovOptions: looseOptions))
        let strict = function(ImplicitFunctionOptions(krylovOptions: tight))
        // Left at their default, the options become the automatic plan's 1e-12.
        #expect(try function().plan(for: x).solver == .gmres(options: .automaticPlan))
        #expect(try loose.plan(for: x).solver == .gmres(options: looseOptions))
        #expect(try strict.plan(for: x).representation == .operator)
        #expect(try strict.plan(for: x).solver == .gmres(options: tight))

        let dx = ShiftedTridiagonal.apply(exactTangent)
        let looseJVP = try loose.jvp(at: x, tangent: dx)
        let strictJVP = try strict.jvp(at: x, tangent: dx)
        let looseError = Approximate.relativeError(looseJVP, exactTangent)
        let strictError = Approximate.relativeError(strictJVP, exactTangent)
        // 1e-8 stops GMRES near ‖r‖ ≈ 1e-8‖b‖; 1e-13 must be far closer to the closed form.
        #expect(strictError <= 1e-12, "tight: \(strictError)")
        #expect(looseError > 100 * strictError, "loose \(looseError) vs tight \(strictError)")
        #expect(looseError <= 1e-7, "a loose tolerance still gives a derivative: \(looseError)")
        let defaultError = Approximate.relativeError(try function().jvp(at: x, tangent: dx), exactTangent)
        #expect(defaultError <= 1e-10, "the automatic default: \(defaultError)")

        // The adjoint solve takes the same options: ⟨ȳ, J ẋ⟩ = ⟨Jᵀȳ, ẋ⟩ with J = M⁻¹.
        let ybar = (0..<m).map { (i: Int) -> Double in Double((i * 3) % 7) / 7 - 0.5 }
        let strictVJP = try strict.vjp(at: x, cotangent: ShiftedTridiagonal.apply(ybar, transposed: true))
        #expect(Approximate.relativeError(strictVJP, ybar) <= 1e-12)
    }

    @Test func explicitKrylovOptionsAreKept() throws {
        let own = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-6, maxIterations: 7)
        let other = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-13)
        // The plan prepares the method; 7 iterations are too few for the singularity probe's solve
        // (issue 16), which is not the subject here.
        let f = function(ImplicitFunctionOptions(krylovOptions: other, probesKrylovSingularity: false),
                         solver: .bicgstab(options: own))
        #expect(try f.plan(for: x).solver == .bicgstab(options: own))
        // A default-options method written by hand takes the function's options.
        let g = function(ImplicitFunctionOptions(krylovOptions: other), solver: .lsmr())
        #expect(try g.plan(for: x).solver == .lsmr(options: other))
        // Direct solvers are unaffected.
        let h = function(ImplicitFunctionOptions(krylovOptions: other), solver: .lu, representation: .automatic)
        #expect(try h.plan(for: x).solver == .bandLU)   // .lu on this tridiagonal A runs on the band, and the plan says so
    }
}
