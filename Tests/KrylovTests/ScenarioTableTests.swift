import Krylov
import LinearAlgebra
import Testing
import TestSupport

/// Every method × every compatible operator kind × every problem, against the
/// direct solve.
@Suite("Scenario table")
struct ScenarioTableTests {
    static let tight = try! KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12, maxIterations: 2000)

    @Test("converges to the direct solution", arguments: Scenario.all)
    func scenario(_ s: Scenario) throws {
        let a = s.problem.matrix, b = s.problem.rightHandSide
        let solver = s.method.solver(Self.tight)
        let result: KrylovResult
        switch s.kind {
        case .matrix: result = solver.solve(MatrixOperator(a), b)
        case .closure: result = solver.solve(closureOperator(a), b)
        case .preconditioned:
            result = solver.solve(MatrixOperator(a), b, initialGuess: nil,
                                  preconditioner: jacobi(for: a, method: s.method))
        }
        let stats = result.statistics
        #expect(stats.status == .converged, "\(s): \(stats)")
        #expect(result.solution.count == a.columns)
        let r = residualNorm(a, result.solution, b)
        if s.problem.isSquare {
            #expect(r <= 1e-10 * BLAS.nrm2(b), "\(s): ‖r‖ = \(r)")
        } else {
            // Least squares: the normal-equations residual vanishes instead.
            var res = b
            BLAS.gemv(-1, a, result.solution, 1, &res)
            let normal = BLAS.nrm2(a.transposedTimes(res))
            #expect(normal <= 1e-10 * a.frobeniusNorm * r, "\(s): ‖Aᵀr‖ = \(normal)")
        }
        // The reported residual is the true one.
        #expect(abs(stats.residualNorm - r) <= 1e-6 * r + 1e-14 * BLAS.nrm2(b), "\(s): reported \(stats.residualNorm), true \(r)")
        let error = Approximate.relativeError(result.solution, s.problem.reference)
        #expect(error <= 1e-8, "\(s): relative error \(error)")
        #expect(stats.iterations > 0 && stats.operatorApplications > stats.iterations / 2)
        #expect(stats.history == nil)
    }

    @Test("the table covers what the issue asks")
    func coverage() {
        #expect(Scenario.all.count == 3 * (5 + 5 + 3 + 6))
        #expect(!Scenario.all.contains { $0.method == .cg && $0.problem == .convectionDiffusion })
    }
}
