import Testing
import ImplicitDifferentiation
import TestSupport
import Synchronization

/// Σ y(x) for a generic implicit function y.
struct SumOfSolution: DifferentiableFunction {
    let f: ImplicitFunction<Void, Void>
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { [f(x).reduce(T(0), +)] }
}

/// Central differences of a vector function along `v`.
func centralDifference(_ f: ([Double]) throws -> [Double], at x: [Double], direction v: [Double],
                       step h: Double = 1e-5) rethrows -> [Double] {
    let plus = try f(zip(x, v).map { $0 + h * $1 }), minus = try f(zip(x, v).map { $0 - h * $1 })
    return zip(plus, minus).map { ($0 - $1) / (2 * h) }
}

@Suite struct NestedImplicitFunctionTests {
    let exact = Matrix.diagonal(Nested.x.map(Nested.derivative))

    @Test(arguments: [Representation.matrix, .operator])
    func jvpAndVJPEqualClosedFormAndFiniteDifferencesOfTheUnrolledNest(rep: Representation) throws {
        var outer = Nested.function
        outer.representation = rep
        if rep == .operator { outer.linearSolver = .gmres(options: tightKrylov) }
        let dx = [0.3, -0.7, 1.1], ybar = [0.9, 0.4, -0.2]
        let lin = try outer.linearize(at: Nested.x)
        let dy = try lin.jvp(dx), xbar = try lin.vjp(ybar)
        #expect(Approximate.relativeError(dy, exact * dx) <= 1e-8, "\(rep) JVP \(dy)")
        #expect(Approximate.relativeError(xbar, exact.transposedTimes(ybar)) <= 1e-8, "\(rep) VJP \(xbar)")
        let fd = centralDifference(Nested.unrolled, at: Nested.x, direction: dx)
        #expect(Approximate.relativeError(dy, fd) <= 1e-8, "\(rep) JVP vs FD \(fd)")
        // VJP against FD through ⟨ȳ, J ẋ⟩ on each unit vector.
        for j in 0..<3 {
            var e = [0.0, 0, 0]
            e[j] = 1
            let column = centralDifference(Nested.unrolled, at: Nested.x, direction: e)
            let expected = zip(ybar, column).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(xbar[j] - expected) <= 1e-8 * max(1, abs(expected)))
        }
        #expect(outer.diagnostics.isEmpty)
    }

    @Test func nestedInsideGenericCodeByTapeAndDuals() throws {
        let model = SumOfSolution(f: Nested.function)
        let expected = Nested.x.map(Nested.derivative)
        #expect(Approximate.relativeError(AD.gradient(of: model, at: Nested.x).gradient, expected) <= 1e-8)
        #expect(Approximate.relativeError(AD.jacobian(of: model, at: Nested.x, mode: .forward).row(0), expected) <= 1e-8)
    }

    @Test func secondDerivativeThroughTheNest() {
        // Forward-over-forward: Dual<Dual<Double>> through the outer and the inner IFT rule.
        let model = SumOfSolution(f: Nested.function)
        let h = AD.hessian(of: model, at: Nested.x, mode: .forwardOverForward)
        let expected = Matrix.diagonal(Nested.x.map(Nested.secondDerivative))
        #expect(Approximate.relativeError(h, expected) <= 1e-8, "\(h)")
        let r = AD.hessian(of: model, at: Nested.x, mode: .reverseOverForward)
        #expect(Approximate.relativeError(r, expected) <= 1e-8, "\(r)")
    }
}

@Suite struct SecondOrderThroughImplicitFunctionTests {
    @Test(arguments: [SecondOrderMode.forwardOverForward, .reverseOverForward])
    func hessianOfSumOfSquareRootsIsDiagonal(mode: SecondOrderMode) {
        let root = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation())
        let x: [Double] = [4, 9]
        let h = AD.hessian(of: SumOfSolution(f: root), at: x, mode: mode)
        let exact = Matrix.diagonal(x.map { -1 / (4 * Double.pow($0, 1.5)) })
        #expect(Approximate.relativeError(h, exact) <= 1e-10, "\(mode): \(h)")
        #expect(h[0, 1] == 0 && h[1, 0] == 0)
        #expect(root.diagnostics.isEmpty)
    }

    @Test(arguments: [SecondOrderMode.forwardOverForward, .reverseOverForward])
    func ridgeHessianVectorProductMatchesDifferencesOfTheGradient(mode: SecondOrderMode) throws {
        let v = [0.4, -0.2, 0.7, 0.1]
        let hv = AD.hessianVectorProduct(of: RidgeLoss(), at: Ridge.x, direction: v, mode: mode)
        let fd = try centralDifference(Ridge.lossGradient, at: Ridge.x, direction: v)
        #expect(Approximate.relativeError(hv, fd) <= 1e-6, "\(mode): \(hv) vs \(fd)")
        // Both modes agree to rounding.
        let other = AD.hessianVectorProduct(of: RidgeLoss(), at: Ridge.x, direction: v,
                                            mode: mode == .forwardOverForward ? .reverseOverForward : .forwardOverForward)
        #expect(Approximate.relativeError(hv, other) <= 1e-12)
    }

    @Test func fullRidgeHessianIsSymmetric() {
        let h = AD.hessian(of: RidgeLoss(), at: Ridge.x, mode: .reverseOverForward)
        for i in 0..<4 { for j in 0..<i { #expect(abs(h[i, j] - h[j, i]) <= 1e-12 * max(1, abs(h[i, j]))) } }
    }
}

@Suite struct ExternalFunctionAdapterTests {
    /// The ridge function with a solver that counts its calls.
    static func countingRidge(_ calls: Counter) -> ImplicitFunction<Void, Void> {
        ImplicitFunction(solver: { x in calls.increment(); return try Ridge.solve(x) }, conditions: RidgeConditions())
    }

    @Test func oneForwardSolvePerGenericCallWhateverTheDirections() throws {
        let calls = Counter()
        let f = Self.countingRidge(calls)
        let x = Ridge.x
        _ = f(x.indices.map { DualN<4>(x[$0], seed: $0) })          // value + 4 directions
        #expect(calls.value == 1)
        let lin = AD.linearize(SumOfSolution(f: f), at: x)           // value on the tape
        #expect(calls.value == 2)
        for s in [1.0, 2.0, -1.0] { _ = lin.vjp([s]) }              // 3 reverse sweeps
        _ = lin.jvp([1, 0, 0, 0])                                   // and a forward sweep
        #expect(calls.value == 2)                                   // reuse the node's solve
        #expect(f.diagnostics.isEmpty)
    }

    @Test func concurrentSweepsOfOneRecordingAgree() async throws {
        let lin = AD.linearize(RidgeLoss(), at: Ridge.x)
        let scales = (0..<32).map { Double($0) - 15.5 }
        let grads = try await BatchEvaluation.map(scales) { lin.vjp([$0]) }
        let exact = try Ridge.lossGradient(Ridge.x)
        for (s, g) in zip(scales, grads) {
            #expect(Approximate.relativeError(g, exact.map { s * $0 }) <= 1e-10)
        }
    }
}

/// A thread-safe call counter.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
