import Dispatch
import Testing
import TestSupport
import LinearAlgebra

@Suite struct SparseLUAnalysisTests {
    /// The 2-D Poisson matrix of `n × n` unknowns made non-symmetric by an upwind drift
    /// `drift·(1 + (j mod 5)/5)` on each entry above the diagonal, with the diagonal scaled by
    /// `diagonalScale` (a small scale makes UMFPACK's threshold pivoting leave the diagonal).
    func driftPoisson(_ n: Int, drift: Double, diagonalScale: Double = 1) throws -> SparseMatrix {
        let a = TestMatrices.poisson2DSparse(n)
        var values = a.values
        for j in 0..<a.columns {
            for k in a.pattern.columnPointers[j]..<a.pattern.columnPointers[j + 1] {
                let i = a.pattern.rowIndices[k]
                if i < j { values[k] += drift * (1 + Double(j % 5) / 5) }
                if i == j { values[k] *= diagonalScale * (1 + Double(j % 3) / 9) }
            }
        }
        return try SparseMatrix(pattern: a.pattern, values: values)
    }

    @Test("factorizations on one reused analysis equal fresh factorizations, bit for bit, and solve A x = b and Aᵀ x = c",
          arguments: [1.0, 1e-6])
    func reuseEqualsFresh(_ diagonalScale: Double) throws {
        let first = try driftPoisson(15, drift: 0.3)
        let analysis = try SparseLUAnalysis(first.pattern)
        #expect(analysis.estimatedFactorBytes > 0 && !analysis.ordering.isEmpty)
        var rng = SeededRandom(seed: 4)
        let b = rng.vector(first.rows), rhs = rng.matrix(first.rows, 3)
        // The same pattern, other values; a tiny diagonal invites UMFPACK's threshold pivoting
        // to leave the diagonal the analysis preferred.
        for drift in [0.3, -1.7, 4.0] {
            let a = try driftPoisson(15, drift: drift, diagonalScale: diagonalScale)
            let reused = try analysis.factor(a), fresh = try SparseLUFactorization(a)
            let x = try reused.solve(b), xt = try reused.solveTransposed(b)
            #expect(x == (try fresh.solve(b)))
            #expect(xt == (try fresh.solveTransposed(b)))
            #expect(try reused.solve(rhs) == (try fresh.solve(rhs)))
            #expect(reused.reciprocalCondition == fresh.reciprocalCondition)
            #expect(reused.ordering == fresh.ordering && reused.estimatedFactorBytes == fresh.estimatedFactorBytes)
            let reference = try LUFactorization(try a.dense())
            #expect(Approximate.relativeError(x, try reference.solve(b, transposed: false)) <= 1e-10)
            #expect(Approximate.relativeError(xt, try reference.solve(b, transposed: true)) <= 1e-10)
        }
    }

    @Test("a matrix of another pattern, an exactly singular matrix, a non-square pattern and a factorization over the memory limit are typed errors")
    func refusals() throws {
        let a = try driftPoisson(6, drift: 0.5)
        let analysis = try SparseLUAnalysis(a.pattern)
        guard case .invalidArgument(let message)? = thrownError({ try analysis.factor(try driftPoisson(7, drift: 0.5)) }) else {
            Issue.record("expected invalidArgument for another pattern"); return
        }
        #expect(message.contains("pattern"))
        // Column 4 all zero (its entries stay in the pattern): exactly singular, same pattern.
        var values = a.values
        for k in a.pattern.columnPointers[4]..<a.pattern.columnPointers[5] { values[k] = 0 }
        guard case .singular(let pivot)? = thrownError({ try analysis.factor(try SparseMatrix(pattern: a.pattern, values: values)) }) else {
            Issue.record("expected singular"); return
        }
        #expect(pivot == 4)
        guard case .memoryLimitExceeded(let estimate, let limit)? = thrownError({ try analysis.factor(a, memoryLimit: 100) }) else {
            Issue.record("expected memoryLimitExceeded"); return
        }
        #expect(estimate == analysis.estimatedFactorBytes && limit == 100)
        guard case .dimensionMismatch? = thrownError({ try SparseLUAnalysis(try SparseMatrix(Matrix(rows: 2, columns: 3)).pattern) }) else {
            Issue.record("expected dimensionMismatch"); return
        }
        // The analysis is unchanged by the failures: it still factors its own pattern.
        let ones = [Double](repeating: 1, count: 36)
        #expect(try analysis.factor(a).solve(ones) == (try SparseLUFactorization(a).solve(ones)))
    }

    @Test("an empty pattern analyses and factors to the empty solve")
    func emptyPattern() throws {
        let analysis = try SparseLUAnalysis(SparseMatrix.identity(0).pattern)
        #expect(try analysis.factor(.identity(0)).solve([]) == [])
    }

    @Test("one analysis factors concurrently from several threads and gives the sequential answers")
    func concurrentFactorizations() throws {
        let analysis = try SparseLUAnalysis(try driftPoisson(20, drift: 1).pattern)
        let matrices = try (0..<4).map { try driftPoisson(20, drift: 0.5 + Double($0), diagonalScale: $0 == 3 ? 1e-6 : 1) }
        let b = [Double](repeating: 1, count: 400)
        let expected = try matrices.map { try SparseLUFactorization($0).solve(b) }
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
