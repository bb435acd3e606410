import Krylov
import LinearAlgebra
import Testing
import TestSupport

@Suite("Warm start")
struct WarmStartTests {
    @Test("starting from the exact solution takes 0 iterations", arguments: Method.allCases)
    func exactGuess(_ method: Method) {
        let problem: Problem = method == .lsmr ? .tallLeastSquares : .poisson2D
        let a = problem.matrix
        let b = problem.rightHandSide
        let exact = problem.reference
        let result = method.solver(.default).solve(MatrixOperator(a), b, initialGuess: exact, preconditioner: nil)
        #expect(result.statistics.status == .converged, "\(result.statistics)")
        #expect(result.statistics.iterations == 0)
        #expect(result.solution == exact)
    }

    @Test("a nearby guess needs fewer iterations than a cold start", arguments: [Method.gmres, .cg])
    func nearbyGuess(_ method: Method) {
        let a = Problem.poisson2D.matrix, b = Problem.poisson2D.rightHandSide
        var guess = Problem.poisson2D.reference
        var rng = SeededRandom(seed: 3)
        for i in guess.indices { guess[i] += 1e-6 * rng.uniform() }
        let cold = method.solver(.default).solve(MatrixOperator(a), b)
        let warm = method.solver(.default).solve(MatrixOperator(a), b, initialGuess: guess, preconditioner: nil)
        #expect(warm.statistics.status == .converged && cold.statistics.status == .converged)
        #expect(warm.statistics.iterations < cold.statistics.iterations)
    }
}
