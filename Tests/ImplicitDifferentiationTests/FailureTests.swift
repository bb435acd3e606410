import Testing
import ImplicitDifferentiation
import TestSupport

/// Returns the thrown ImplicitDifferentiationError, or nil.
func implicitError(_ body: () throws -> Void) -> ImplicitDifferentiationError? {
    do { try body(); return nil } catch { return error as? ImplicitDifferentiationError }
}

/// Conditions with one equation too few.
struct ShortConditions: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        Array(zip(x, y).map { x, y in y * y - x }.dropLast())
    }
}

/// A 1-D reaction–diffusion system of size m (tridiagonal, non-symmetric through
/// the convection term): F(x, y)_i = 2y_i − 1.4 y_{i−1} − 0.6 y_{i+1} + y_i³/10 − x_i.
struct ReactionDiffusion: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        return (0..<m).map { i in
            var v = T(2) * y[i] + y[i] * y[i] * y[i] / T(10) - x[i]
            if i > 0 { v = v - T(1.4) * y[i - 1] }
            if i < m - 1 { v = v - T(0.6) * y[i + 1] }
            return v
        }
    }

    /// Newton with a dense tridiagonal solve (Thomas algorithm), to convergence.
    @Sendable static func solve(_ x: [Double]) -> [Double] {
        let m = x.count
        var y = [Double](repeating: 0, count: m)
        for _ in 0..<50 {
            var f = [Double](repeating: 0, count: m)
            for i in 0..<m {
                f[i] = 2 * y[i] + y[i] * y[i] * y[i] / 10 - x[i]
                if i > 0 { f[i] -= 1.4 * y[i - 1] }
                if i < m - 1 { f[i] -= 0.6 * y[i + 1] }
            }
            // Thomas: sub = −1.4, diag = 2 + 0.3 y², super = −0.6
            var c = [Double](repeating: 0, count: m), d = [Double](repeating: 0, count: m)
            for i in 0..<m {
                let diag = 2 + 0.3 * y[i] * y[i] - (i > 0 ? -1.4 * c[i - 1] : 0)
                c[i] = -0.6 / diag
                d[i] = (f[i] - (i > 0 ? -1.4 * d[i - 1] : 0)) / diag
            }
            var step = [Double](repeating: 0, count: m)
            for i in stride(from: m - 1, through: 0, by: -1) { step[i] = d[i] - (i < m - 1 ? c[i] * step[i + 1] : 0) }
            for i in 0..<m { y[i] -= step[i] }
        }
        return y
    }
}

@Suite struct FailureTests {
    let root = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation())

    @Test func nanInXIsRejected() {
        let e = implicitError { _ = try root.jacobian(at: [4, .nan]) }
        #expect(e == .nonFiniteInput("x[1] = nan"))
    }

    @Test func nanInTangentOrCotangentIsRejected() throws {
        let lin = try root.linearize(at: [4, 9])
        #expect(implicitError { _ = try lin.jvp([1, .infinity]) } == .nonFiniteInput("tangent ẋ[1] = inf"))
        #expect(implicitError { _ = try lin.vjp([.nan, 1]) } == .nonFiniteInput("cotangent ȳ[0] = nan"))
    }

    @Test func wrongLengthsAreRejected() throws {
        let short = ImplicitFunction(solver: SquareRoot.newton, conditions: ShortConditions())
        guard case .dimensionMismatch(let what)? = implicitError({ _ = try short.jacobian(at: [4, 9]) }) else {
            Issue.record("expected dimensionMismatch"); return
        }
        #expect(what.contains("1 equations for 2 unknowns"))
        let lin = try root.linearize(at: [4, 9])
        #expect(implicitError { _ = try lin.jvp([1]) } == .dimensionMismatch("tangent ẋ has length 1, expected 2"))
        #expect(implicitError { _ = try lin.vjp([1, 2, 3]) } == .dimensionMismatch("cotangent ȳ has length 3, expected 2"))
    }

    @Test func unconvergedForwardSolverFailsTheResidualCheck() {
        let early = ImplicitFunction(solver: { SquareRoot.heron($0, iterations: 2) }, conditions: HeronConditions())
        guard case .residualTooLarge(let r, let tol)? = implicitError({ _ = try early.jacobian(at: [4, 9]) }) else {
            Issue.record("expected residualTooLarge"); return
        }
        #expect(r > tol)
        // Disabling the check is explicit and then the (inexact) derivative is returned.
        var unchecked = early
        unchecked.options.residualTolerance = .disabled
        #expect(implicitError { _ = try unchecked.jacobian(at: [4, 9]) } == nil)
    }

    @Test func exactlySingularJacobianThrowsWithThePivot() {
        // y = √x at x = (0, 4): A = diag(2y) = diag(0, 4) exactly.
        let f = ImplicitFunction(solver: { x in x.map { $0.squareRoot() } }, conditions: SquareRootEquation(),
                                 linearSolver: .lu)
        #expect(implicitError { _ = try f.jacobian(at: [0, 4]) } == .singularJacobian(pivot: 0, reciprocalCondition: nil))
        // Automatic tries the minimum-norm solve, finds the tangent system
        // inconsistent (y's derivative is infinite) and refuses too.
        let auto = ImplicitFunction(solver: { x in x.map { $0.squareRoot() } }, conditions: SquareRootEquation())
        guard case .singularJacobian? = implicitError({ _ = try auto.jacobian(at: [0, 4]) }) else {
            Issue.record("expected singularJacobian"); return
        }
        // Explicit least squares reports the inconsistency instead of a number.
        let ls = ImplicitFunction(solver: { x in x.map { $0.squareRoot() } }, conditions: SquareRootEquation(),
                                  linearSolver: .svd)
        guard case .inconsistentLinearization? = implicitError({ _ = try ls.jacobian(at: [0, 4]) }) else {
            Issue.record("expected inconsistentLinearization"); return
        }
    }

    @Test func cappedGMRESReportsNonConvergence() throws {
        let m = 200
        let x = (0..<m).map { 1 + Double($0 % 7) / 7 }
        let options = try KrylovOptions(maxIterations: 2)
        let f = ImplicitFunction(solver: ReactionDiffusion.solve, conditions: ReactionDiffusion(),
                                 linearSolver: .gmres(restart: 30, options: options), representation: .operator)
        let error = implicitError { _ = try f.jvp(at: x, tangent: [Double](repeating: 1, count: m)) }
        guard case .krylovNotConverged(let stats, let direction)? = error else {
            Issue.record("expected krylovNotConverged, got \(String(describing: error))"); return
        }
        #expect(direction == .tangent)
        #expect(stats.status == .maxIterationsReached)
        #expect(stats.iterations == 2)
        #expect(error!.description.contains("did not converge"))
    }

    @Test func forwardSolverErrorsAreWrapped() {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let f = ImplicitFunction(solver: { (_: [Double]) throws -> [Double] in throw Boom() },
                                 conditions: SquareRootEquation())
        guard case .forwardSolverFailed(let inner)? = implicitError({ _ = try f.jacobian(at: [1]) }) else {
            Issue.record("expected forwardSolverFailed"); return
        }
        #expect("\(inner)" == "boom")
    }

    @Test func directSolverWithOperatorRepresentationIsAnInvalidOption() {
        let f = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation(),
                                 linearSolver: .lu, representation: .operator)
        guard case .invalidOption? = implicitError({ _ = try f.jacobian(at: [4]) }) else {
            Issue.record("expected invalidOption"); return
        }
    }

    @Test func materializingTooLargeARefusesWithAMemoryEstimate() {
        var f = ImplicitFunction(solver: ReactionDiffusion.solve, conditions: ReactionDiffusion(),
                                 linearSolver: .lu)
        f.options.maxMatrixBytes = 1000
        let e = implicitError { _ = try f.jacobian(at: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) }
        #expect(e == .representationTooLarge(bytes: 12 * 12 * 8, limit: 1000))
    }
}
