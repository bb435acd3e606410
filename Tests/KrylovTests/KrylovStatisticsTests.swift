import Krylov
import LinearAlgebra
import Testing
import TestSupport

@Suite("Statistics and options")
struct KrylovStatisticsTests {
    @Test("descriptions are one line with counts, residual and advice")
    func descriptions() {
        var s = KrylovStatistics(method: "GMRES", status: .converged, iterations: 37, operatorApplications: 38,
                                 initialResidualNorm: 1, residualNorm: 3.1e-11)
        #expect(s.description == "GMRES converged after 37 iterations, 38 operator applications, ‖r‖ = 3.1e-11")
        s.status = .maxIterationsReached
        #expect(s.description == "GMRES did not converge (max iterations reached) after 37 iterations, "
            + "38 operator applications, ‖r‖ = 3.1e-11: increase maxIterations or restart, or add a preconditioner")
        for status in [KrylovStatus.breakdown, .stagnation, .nonFiniteInput, .indefinite] {
            s.status = status
            #expect(s.description.contains("did not converge (\(status.reason))"))
            #expect(!status.advice.isEmpty)
            #expect(!s.description.contains("\n"))
            #expect(throws: KrylovError.notConverged(s)) { try s.requireConverged() }
        }
        #expect(KrylovError.notConverged(s).description == s.description)
    }

    @Test("defaults are √ε and a method-specific cap")
    func defaults() throws {
        let o = KrylovOptions.default
        #expect(o.absoluteTolerance == Double.ulpOfOne.squareRoot())
        #expect(o.relativeTolerance == Double.ulpOfOne.squareRoot())
        #expect(o.maxIterations == nil && !o.recordHistory)
        #expect(o.target(normB: 2) == 3 * Double.ulpOfOne.squareRoot())
        #expect(try GMRES().restart == 30)
    }

    @Test("history is recorded on request, one entry per iteration", arguments: Method.allCases)
    func history(_ method: Method) throws {
        let problem: Problem = method == .lsmr ? .tallLeastSquares : .poisson2D
        let options = try KrylovOptions(recordHistory: true)
        let result = method.solver(options).solve(MatrixOperator(problem.matrix), problem.rightHandSide)
        let h = try #require(result.statistics.history)
        #expect(h.count == result.statistics.iterations + 1)
        #expect(h.first == result.statistics.initialResidualNorm)
        #expect(h.allSatisfy { $0.isFinite && $0 >= 0 })
        if method == .gmres || method == .lsmr {
            // Minimal-residual methods never increase their residual estimate.
            #expect(zip(h, h.dropFirst()).allSatisfy { $1 <= $0 * (1 + 1e-12) })
        }
    }

    @Test("LSMR returns the minimum-norm solution of an under-determined system")
    func lsmrMinimumNorm() throws {
        var rng = SeededRandom(seed: 41)
        let a = rng.matrix(15, 40)
        let b = rng.vector(15)
        let result = LSMR(options: try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)).solve(MatrixOperator(a), b)
        #expect(result.statistics.status == .converged)
        // x = Aᵀ (A Aᵀ)⁻¹ b
        var aat = Matrix(rows: 15, columns: 15)
        BLAS.gemm(transposeB: true, 1, a, a, 0, &aat)
        let minimumNorm = a.transposedTimes(DirectSolveReference.solve(aat, b))
        #expect(Approximate.relativeError(result.solution, minimumNorm) < 1e-8)
        #expect(result.statistics.normalEquationsResidualNorm != nil)
    }

    @Test("LSMR on an inconsistent singular square system meets the least-squares test")
    func lsmrSingularInconsistent() throws {
        // Rank-deficient: the last row repeats the first, b disagrees there.
        var a = TestMatrices.wellConditioned(10, seed: 42)
        for j in 0..<10 { a[9, j] = a[0, j] }
        var b = [Double](repeating: 1, count: 10)
        b[9] = 2
        let result = LSMR(options: try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 500))
            .solve(MatrixOperator(a), b)
        #expect(result.statistics.status == .converged, "\(result.statistics)")
        #expect(result.statistics.residualNorm > 0.1)       // inconsistent: ‖r‖ stays away from 0
        var r = b
        BLAS.gemv(-1, a, result.solution, 1, &r)
        #expect(BLAS.nrm2(a.transposedTimes(r)) < 1e-8 * a.frobeniusNorm * BLAS.nrm2(r))
        // GMRES on the same system cannot converge, and says so.
        let gmres = try GMRES(restart: 10).solve(MatrixOperator(a), b)
        #expect(gmres.statistics.status != .converged)
    }
}
