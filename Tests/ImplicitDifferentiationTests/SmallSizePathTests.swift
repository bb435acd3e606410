import Testing
import ImplicitDifferentiation
import LinearAlgebra
import TestSupport

/// At `m ≤ 16` the residual check and `A` come from one evaluation on duals
/// (`ImplicitFunction.prefetchLimit`); above it, from a `Double` evaluation and
/// separate dual passes. Both must agree and keep the residual check.
@Suite struct SmallSizePathTests {
    static func problem(_ m: Int, offset: Double = 0) -> (ImplicitFunction<Void, Void>, [Double], [Double]) {
        let y = (0..<m).map { 0.5 * Double.sin(0.37 * Double($0 + 1)) }
        var x = TridiagonalConditions.input(for: y)
        x[0] += offset
        return (ImplicitFunction(solver: { _ in y }, conditions: TridiagonalConditions()), x, y)
    }

    @Test("the residual of the dual evaluation is F(x, y) on Double, the Jacobian matches the SVD's",
          arguments: [1, 8, 9, 16, 17, 24])
    func residualAndJacobian(m: Int) throws {
        let (f, x, y) = Self.problem(m, offset: 1e-13)   // a small nonzero residual, below the tolerance
        let lin = try f.linearize(at: x)
        let plain = TridiagonalConditions()(x: x, y: y)
        #expect(lin.residual.count == m)
        #expect(zip(lin.residual, plain).allSatisfy { Swift.abs($0 - $1) <= 1e-15 })
        #expect(lin.residual[0] != 0)
        let svd = ImplicitFunction(solver: { _ in y }, conditions: TridiagonalConditions(), linearSolver: .svd)
        #expect(Approximate.relativeError(try lin.jacobian(), try svd.jacobian(at: x)) < 1e-12)
    }

    @Test("a residual above the tolerance still throws at small and larger m", arguments: [4, 16, 20])
    func residualCheck(m: Int) throws {
        let (f, x, _) = Self.problem(m, offset: 1e-3)
        #expect(throws: ImplicitDifferentiationError.self) { _ = try f.linearize(at: x) }
        do { _ = try f.jvp(at: x, tangent: [Double](repeating: 1, count: m)) } catch {
            guard case .residualTooLarge = error else { Issue.record("expected residualTooLarge, got \(error)"); return }
            return
        }
        Issue.record("no error thrown")
    }
}
