import Krylov
import LinearAlgebra
import Testing
import TestSupport

@Suite("GMRES")
struct GMRESTests {
    @Test("a nilpotent operator breaks down at the first step and says so")
    func singularBreakdown() throws {
        // A e₁ = 0: the first Arnoldi column is zero, no progress is possible.
        let a = Matrix(rows: [[0, 1], [0, 0]])
        let result = try GMRES().solve(MatrixOperator(a), [1, 0])
        #expect(result.statistics.status == .breakdown, "\(result.statistics)")
        #expect(result.solution == [0, 0])
    }

    @Test("a singular but consistent system converges (lucky breakdown)")
    func singularConsistent() throws {
        let a = Matrix.diagonal([1, 2, 3, 0, 0])
        let b: [Double] = [1, 1, 1, 0, 0]               // in the range of A
        let result = try GMRES(options: try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12))
            .solve(MatrixOperator(a), b)
        #expect(result.statistics.status == .converged, "\(result.statistics)")
        #expect(Approximate.relativeError(result.solution, [1, 0.5, 1.0 / 3, 0, 0]) < 1e-12)
    }

    @Test("every restart length converges; full GMRES needs at most n steps")
    func restartLength() throws {
        let a = TestMatrices.convectionDiffusion(80)
        let b = [Double](repeating: 1, count: 80)
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 4000)
        // (Iteration counts are not monotone in the restart length: restarted GMRES
        // can beat a longer restart, Embree 2003.)
        for restart in [5, 20, 80] {
            let result = try GMRES(restart: restart, options: options).solve(MatrixOperator(a), b)
            #expect(result.statistics.status == .converged)
            #expect(Approximate.relativeError(result.solution, DirectSolveReference.solve(a, b)) < 1e-7)
        }
        // Full GMRES (restart = n) converges in at most n steps, plus one residual check.
        let full = try GMRES(restart: 80, options: options).solve(MatrixOperator(a), b)
        #expect(full.statistics.iterations <= 80)
        #expect(full.statistics.operatorApplications == full.statistics.iterations + 1)
    }
}
