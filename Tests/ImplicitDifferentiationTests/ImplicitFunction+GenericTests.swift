import Testing
import ImplicitDifferentiation
import TestSupport

@Suite struct GenericEvaluationTests {
    let loss = RidgeLoss()

    @Test func ridgeLossGradientByTapeAndByForwardModeEqualsClosedForm() throws {
        let exact = try Ridge.lossGradient(Ridge.x)
        // Reverse mode: one recording with one implicit node, one sweep.
        let (value, tape) = AD.gradient(of: loss, at: Ridge.x)
        #expect(Approximate.relativeError(tape, exact) <= 1e-10, "tape: \(tape) vs \(exact)")
        // Forward mode: n passes of one-direction duals.
        var forward = [Double]()
        for i in 0..<Ridge.x.count {
            var e = [Double](repeating: 0, count: Ridge.x.count)
            e[i] = 1
            forward.append(AD.jvp(of: loss, at: Ridge.x, tangent: e).tangent[0])
        }
        #expect(Approximate.relativeError(forward, exact) <= 1e-10, "forward: \(forward) vs \(exact)")
        // Forward mode, all directions in one DualN<8> pass (one factorization).
        let batched = AD.jacobian(of: loss, at: Ridge.x, mode: .forward).row(0)
        #expect(Approximate.relativeError(batched, exact) <= 1e-10)
        let y = try Ridge.solve(Ridge.x)
        let plain = zip(y, Ridge.target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 2
            + Ridge.c * Ridge.x.reduce(0, +)
        #expect(abs(value - plain) <= 1e-14 * plain)
        #expect(loss.ridge.diagnostics.isEmpty)
    }

    @Test func dualNTangentsAreTheJacobian() throws {
        let x = Ridge.x
        let seeded = x.indices.map { DualN<4>(x[$0], seed: $0) }
        let y = Ridge.function(seeded)
        let exact = try Ridge.jacobian(x)
        for i in 0..<4 {
            for j in 0..<4 {
                #expect(abs(y[i].partials[j] - exact[i, j]) <= 1e-12 * max(1, abs(exact[i, j])))
            }
        }
        #expect(y.map(\.value) == (try Ridge.solve(x)))
    }

    @Test func doubleEvaluationIsTheSolver() throws {
        let y = genericCall(Ridge.function, Ridge.x)
        #expect(y == (try Ridge.solve(Ridge.x)))
    }

    @Test func operatorPathOnTheTapeAndInForwardMode() throws {
        var lazy = RidgeLoss()
        lazy.ridge = ImplicitFunction(solver: Ridge.solve, conditions: RidgeConditions(),
                                      linearSolver: .gmres(options: tightKrylov), representation: .operator)
        let exact = try Ridge.lossGradient(Ridge.x)
        #expect(Approximate.relativeError(AD.gradient(of: lazy, at: Ridge.x).gradient, exact) <= 1e-10)
        #expect(Approximate.relativeError(AD.jacobian(of: lazy, at: Ridge.x, mode: .forward).row(0), exact) <= 1e-10)
    }

    @Test func oneRecordingServesManySweeps() throws {
        // Record once; the implicit node holds its linearization for every sweep.
        let lin = AD.linearize(loss, at: Ridge.x)
        let exact = try Ridge.lossGradient(Ridge.x)
        for s in [1.0, -2.0, 0.5] {
            #expect(Approximate.relativeError(lin.vjp([s]), exact.map { s * $0 }) <= 1e-10)
        }
        let dx = [0.1, -0.3, 0.2, 0.4]
        let expected = zip(exact, dx).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(lin.jvp(dx)[0] - expected) <= 1e-10 * abs(expected))
    }
}
