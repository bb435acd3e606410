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

@Suite("Edge sizes")
struct EdgeSizeTests {
    @Test("1 × 1 systems solve in one iteration", arguments: Method.allCases)
    func scalar(_ method: Method) {
        let result = method.solver(.default).solve(MatrixOperator(Matrix(rows: [[4]])), [2])
        #expect(result.statistics.status == .converged, "\(result.statistics)")
        #expect(abs(result.solution[0] - 0.5) < 1e-14)
        #expect(result.statistics.iterations == 1)
    }

    @Test("LSMR on a single row and a single column")
    func lsmrVectors() {
        let row = LSMR().solve(MatrixOperator(Matrix(rows: [[1, 2, 2]])), [9])      // min-norm: x = aᵀ b / ‖a‖²
        #expect(row.statistics.status == .converged)
        #expect(Approximate.relativeError(row.solution, [1, 2, 2]) < 1e-12)
        let column = LSMR().solve(MatrixOperator(Matrix(rows: [[1], [2], [2]])), [1, 0, 0])  // x = aᵀb / ‖a‖²
        #expect(column.statistics.status == .converged)
        #expect(abs(column.solution[0] - 1.0 / 9) < 1e-14)
    }

    @Test("empty systems return at once")
    func empty() throws {
        let op = MatrixOperator(Matrix(rows: 0, columns: 0))
        for method in Method.allCases {
            let result = method.solver(.default).solve(op, [])
            #expect(result.statistics.status == .zeroRightHandSide && result.solution.isEmpty)
        }
    }
}
