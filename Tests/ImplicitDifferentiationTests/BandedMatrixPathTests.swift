import Testing
@testable import ImplicitDifferentiation
@testable import LinearAlgebra
import TestSupport

/// A tridiagonal `∂F/∂y` on the matrix path: LU runs on the band (m ≥ 32).
/// `F_i = y_i + y_i³/3 + (2y_i − y_{i−1} − y_{i+1}) + (y_{i+1} − y_{i−1})/4 − x_i`,
/// with row `decoupled` (when set) made independent of `y` (a singular `A`).
struct TridiagonalConditions: ImplicitConditions {
    var decoupled: Int? = nil

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        return (0..<m).map { i in
            if i == decoupled { return x[i] * x[i] - T(1) }
            let left = i > 0 ? y[i - 1] : T.zero, right = i < m - 1 ? y[i + 1] : T.zero
            return y[i] + T(1.0 / 3) * y[i] * y[i] * y[i] + (T(2) * y[i] - left - right)
                + T(0.25) * (right - left) - x[i]
        }
    }

    static func input(for y: [Double]) -> [Double] {
        let m = y.count
        return (0..<m).map { i in
            let left = i > 0 ? y[i - 1] : 0, right = i < m - 1 ? y[i + 1] : 0
            return y[i] + y[i] * y[i] * y[i] / 3 + (2 * y[i] - left - right) + 0.25 * (right - left)
        }
    }
}

@Suite struct BandedMatrixPathTests {
    static let m = 48
    static let y = (0..<m).map { 0.5 * Double.sin(0.37 * Double($0 + 1)) }

    @Test("band LU gives the SVD's Jacobian, JVP and VJP, and the plan says bandLU")
    func bandMatchesDense() throws {
        let y = Self.y, x = TridiagonalConditions.input(for: y)
        let band = ImplicitFunction(solver: { _ in y }, conditions: TridiagonalConditions())
        let dense = ImplicitFunction(solver: { _ in y }, conditions: TridiagonalConditions(), linearSolver: .svd)
        let lin = try band.linearize(at: x)
        #expect(lin.plan.solver == .bandLU && lin.report.plan.solver == .bandLU && lin.report.factorizations == 1)
        #expect(lin.report.reciprocalCondition! > 0.01)
        #expect(Approximate.relativeError(try lin.jacobian(), try dense.jacobian(at: x)) <= 1e-12)
        var rng = SeededRandom(seed: 5)
        let dx = rng.vector(Self.m), ybar = rng.vector(Self.m)
        #expect(Approximate.relativeError(try lin.jvp(dx), try dense.jvp(at: x, tangent: dx)) <= 1e-12)
        #expect(Approximate.relativeError(try lin.vjp(ybar), try dense.vjp(at: x, cotangent: ybar)) <= 1e-12)
        // The JVP and VJP are adjoint: ⟨ȳ, J ẋ⟩ = ⟨Jᵀ ȳ, ẋ⟩.
        let lhs = zip(ybar, try lin.jvp(dx)).reduce(0) { $0 + $1.0 * $1.1 }
        let rhs = zip(try lin.vjp(ybar), dx).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(lhs - rhs) <= 1e-12 * abs(lhs))
    }

    @Test("a singular banded A is refused, with LU requested or automatic")
    func singularBand() {
        let c = TridiagonalConditions(decoupled: 20)
        var y = Self.y
        y[20] = 0
        var x = TridiagonalConditions.input(for: y)
        x[20] = 1
        let solution = y
        let explicit = ImplicitFunction(solver: { _ in solution }, conditions: c, linearSolver: .lu)
        guard case .singularJacobian(let pivot, _)? = implicitError({ _ = try explicit.jvp(at: x, tangent: x) }) else {
            Issue.record("expected singularJacobian, got \(String(describing: implicitError({ _ = try explicit.jvp(at: x, tangent: x) })))"); return
        }
        #expect(pivot != nil)
        let automatic = ImplicitFunction(solver: { _ in solution }, conditions: c)
        guard case .singularJacobian? = implicitError({ _ = try automatic.jacobian(at: x) }) else {
            Issue.record("expected singularJacobian after the SVD fallback"); return
        }
    }
    @Test("a diagonally dominant band: the certified rcond bound clears the threshold; above it the estimate decides",
          arguments: [Representation.automatic, .sparse])
    func certifiedBound(representation: Representation) throws {
        let y = Self.y, x = TridiagonalConditions.input(for: y)
        var f = ImplicitFunction(solver: { _ in y }, conditions: TridiagonalConditions(), representation: representation)
        let lin = try f.linearize(at: x)
        let bound = try #require(lin.report.reciprocalCondition)
        let estimate = try #require(lin.solverSummary.reciprocalCondition)
        #expect(lin.plan.solver == .bandLU && lin.report.reciprocalConditionIsLowerBound)
        #expect(bound > 0.01 && bound < estimate)
        #expect(lin.report.description.contains("rcond ≥"))
        // A threshold between the bound and the estimate: the estimate is computed, and it passes.
        f.options.minimumReciprocalCondition = (bound + estimate) / 2
        let between = try f.linearize(at: x)
        #expect(!between.report.reciprocalConditionIsLowerBound && between.report.reciprocalCondition == estimate)
        #expect(Approximate.relativeError(try between.jacobian(), try lin.jacobian()) == 0)
        // Above the estimate: refused as numerically singular, with the estimate.
        var strict = ImplicitFunction(solver: { _ in y }, conditions: TridiagonalConditions(), linearSolver: .lu,
                                      representation: representation)
        strict.options.minimumReciprocalCondition = min(0.999, 1.5 * estimate)
        guard case .singularJacobian(nil, let rcond)? = implicitError({ _ = try strict.linearize(at: x) }) else {
            Issue.record("expected singularJacobian from the estimate"); return
        }
        #expect(rcond == estimate)
    }

    @Test("reading the report leaves the band LU's condition estimate uncomputed; the solver summary computes it",
          arguments: [Representation.automatic, .sparse])
    func reportReadsWhatWasComputed(representation: Representation) throws {
        let y = Self.y, x = TridiagonalConditions.input(for: y)
        let f = ImplicitFunction(solver: { _ in y }, conditions: TridiagonalConditions(), representation: representation)
        let lin = try f.linearize(at: x)
        _ = try lin.vjp(y)
        let band = try #require(lin.solver as? BandLUFactorization)
        let report = lin.report
        #expect(report.reciprocalConditionIsLowerBound && report.adjointSolves == 1 && report.krylovIterations == 0)
        #expect(!band.conditionCache.isComputed, "the report computed the estimate")
        let estimate = try #require(lin.solverSummary.reciprocalCondition)
        #expect(band.conditionCache.isComputed && estimate >= report.reciprocalCondition!)
    }
}
