import Testing
import ImplicitDifferentiation
import TestSupport

/// One ImplicitFunction and one linearization shared by many tasks give the
/// same bits as the sequential loop (both paths).
@Suite struct ConcurrencyTests {
    @Test(arguments: [(LinearSolver.lu, Representation.matrix), (.gmres(options: tightKrylov), .operator)])
    func sharedFunctionAndLinearizationAreThreadSafe(solver: LinearSolver, rep: Representation) async throws {
        let m = 30
        let f = ImplicitFunction(solver: ReactionDiffusion.solve, conditions: ReactionDiffusion(),
                                 linearSolver: solver, representation: rep)
        let inputs: [[Double]] = (0..<8).map { t in (0..<m).map { 1 + Double(($0 + t) % 7) / 7 } }
        var rng = SeededRandom(seed: 77)
        let cotangents = (0..<8).map { _ in rng.vector(m) }
        let shared = try f.linearize(at: inputs[0])

        func work(_ t: Int) throws -> [Double] {
            let own = try f.linearize(at: inputs[t]).vjp(cotangents[t])
            let fromShared = try shared.vjp(cotangents[t])
            let tangent = try shared.jvp(cotangents[t])
            return own + fromShared + tangent
        }
        let sequential = try (0..<8).map(work)
        let concurrent = try await withThrowingTaskGroup(of: (Int, [Double]).self) { group in
            for t in 0..<8 { group.addTask { (t, try work(t)) } }
            var out = [[Double]](repeating: [], count: 8)
            for try await (t, v) in group { out[t] = v }
            return out
        }
        #expect(concurrent == sequential)
        #expect(shared.report.adjointSolves == 16)
        #expect(shared.report.tangentSolves == 16)
    }
}
