import Testing
import ImplicitDifferentiation
import TestSupport

@Suite struct BatchTests {
    /// 64 ridge instances: penalties spread over [0.1, 2).
    let inputs: [[Double]] = {
        var rng = SeededRandom(seed: 64)
        return (0..<64).map { _ in rng.vector(4, 0.1, 2) }
    }()
    let cotangents: [[Double]] = {
        var rng = SeededRandom(seed: 65)
        return (0..<64).map { _ in rng.vector(4) }
    }()

    @Test func concurrentVJPsAndJacobiansAreExactlyTheSequentialResults() async throws {
        let f = Ridge.function
        let sequential = try zip(inputs, cotangents).map { try f.vjp(at: $0, cotangent: $1) }
        let concurrent = try await f.vjps(at: inputs, cotangents: cotangents)
        #expect(concurrent == sequential)   // bit for bit, in input order
        let jacobians = try await f.jacobians(at: inputs, maxConcurrency: 3)
        #expect(jacobians.map(\.elements) == (try inputs.map { try f.jacobian(at: $0).elements }))
        let values = try await f.values(at: inputs)
        #expect(values == (try inputs.map { try f($0) }))
        // Closed form, for good measure.
        #expect(Approximate.relativeError(jacobians[17], try Ridge.jacobian(inputs[17])) <= 1e-10)
    }

    @Test func wholeModelGradientsInABatch() async throws {
        let loss = RidgeLoss()
        let sequential = inputs.map { AD.gradient(of: loss, at: $0).gradient }
        let concurrent = try await BatchEvaluation.map(inputs) { AD.gradient(of: loss, at: $0).gradient }
        #expect(concurrent == sequential)
    }

    @Test func theLowestIndexedFailureIsThrown() async {
        let root = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation())
        var xs = (0..<20).map { [Double($0 + 1)] }
        xs[13] = [.nan]
        xs[7] = [.infinity]
        do {
            _ = try await root.jacobians(at: xs)
            Issue.record("expected a throw")
        } catch {
            #expect(error as? ImplicitDifferentiationError == .nonFiniteInput("x[0] = inf"))
        }
    }
}
