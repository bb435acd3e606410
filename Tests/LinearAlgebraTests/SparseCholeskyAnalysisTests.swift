import Dispatch
import Testing
import TestSupport
import LinearAlgebra

@Suite struct SparseCholeskyAnalysisTests {
    /// The 2-D Poisson matrix of `n × n` unknowns with `shift·(1 + (i mod 7)/7)` added to its diagonal.
    func shiftedPoisson(_ n: Int, shift: Double) throws -> SparseMatrix {
        let a = TestMatrices.poisson2DSparse(n)
        var values = a.values
        for j in 0..<a.columns {
            for k in a.pattern.columnPointers[j]..<a.pattern.columnPointers[j + 1] where a.pattern.rowIndices[k] == j {
                values[k] += shift * (1 + Double(j % 7) / 7)
            }
        }
        return try SparseMatrix(pattern: a.pattern, values: values)
    }

    @Test("factorizations on one reused analysis equal fresh factorizations, bit for bit, and solve A x = b")
    func reuseEqualsFresh() throws {
        let first = try shiftedPoisson(25, shift: 0.1)
        let analysis = try SparseCholeskyAnalysis(first.pattern)
        #expect(analysis.estimatedFactorBytes > 0 && !analysis.ordering.isEmpty)
        var rng = SeededRandom(seed: 3)
        let b = rng.vector(first.rows), rhs = rng.matrix(first.rows, 3)
        for shift in [0.1, 2.5, 1e-3] {   // the same pattern, other values, the analysis used again each time
            let a = try shiftedPoisson(25, shift: shift)
            let reused = try analysis.factor(a), fresh = try SparseCholeskyFactorization(a)
            let x = try reused.solve(b)
            #expect(x == (try fresh.solve(b)))
            #expect(try reused.solve(rhs) == (try fresh.solve(rhs)))
            #expect(reused.reciprocalCondition == fresh.reciprocalCondition)
            #expect(reused.ordering == fresh.ordering && reused.estimatedFactorBytes == fresh.estimatedFactorBytes)
            let reference = try LUFactorization(try a.dense())
            #expect(Approximate.relativeError(x, try reference.solve(b, transposed: false)) <= 1e-12)
        }
    }

    @Test("a matrix of another pattern, non-symmetric values, an indefinite matrix, a non-square pattern and a factor over the memory limit are typed errors")
    func refusals() throws {
        let a = try shiftedPoisson(6, shift: 0.5)
        let analysis = try SparseCholeskyAnalysis(a.pattern)
        guard case .invalidArgument(let message)? = thrownError({ try analysis.factor(try shiftedPoisson(7, shift: 0.5)) }) else {
            Issue.record("expected invalidArgument for another pattern"); return
        }
        #expect(message.contains("pattern"))
        var values = a.values
        values[1] += 0.25   // an off-diagonal entry of the lower triangle: the same pattern, no longer symmetric
        guard case .invalidArgument(let m2)? = thrownError({
            try analysis.factor(try SparseMatrix(pattern: a.pattern, values: values))
        }) else { Issue.record("expected invalidArgument for non-symmetric values"); return }
        #expect(m2.contains("not symmetric"))
        let indefinite = try shiftedPoisson(6, shift: -7)
        guard case .notPositiveDefinite(let minor)? = thrownError({ try analysis.factor(indefinite) }) else {
            Issue.record("expected notPositiveDefinite"); return
        }
        #expect(minor >= 1 && minor <= 36)
        guard case .memoryLimitExceeded(let estimate, let limit)? = thrownError({ try analysis.factor(a, memoryLimit: 100) }) else {
            Issue.record("expected memoryLimitExceeded"); return
        }
        #expect(estimate == analysis.estimatedFactorBytes && limit == 100)
        guard case .dimensionMismatch? = thrownError({ try SparseCholeskyAnalysis(try SparseMatrix(Matrix(rows: 2, columns: 3)).pattern) }) else {
            Issue.record("expected dimensionMismatch"); return
        }
        // The analysis is unchanged by the failures: it still factors its own pattern.
        #expect(Approximate.relativeError(try analysis.factor(a).solve([Double](repeating: 1, count: 36)),
                                          try SparseCholeskyFactorization(a).solve([Double](repeating: 1, count: 36))) == 0)
    }

    @Test("one analysis factors concurrently from several threads and gives the sequential answers")
    func concurrentFactorizations() throws {
        let analysis = try SparseCholeskyAnalysis(try shiftedPoisson(20, shift: 1).pattern)
        let matrices = try (0..<4).map { try shiftedPoisson(20, shift: 0.5 + Double($0)) }
        let b = [Double](repeating: 1, count: 400)
        let expected = try matrices.map { try SparseCholeskyFactorization($0).solve(b) }
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for _ in 0..<5 {
                let x = try? analysis.factor(matrices[t % 4]).solve(b)
                if x != expected[t % 4] { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }
}
