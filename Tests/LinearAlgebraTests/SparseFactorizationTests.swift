import Dispatch
import Testing
import TestSupport
import LinearAlgebra

@Suite struct SparseFactorizationTests {
    /// A random sparse SPD matrix: `R + Rᵀ` plus a dominant diagonal.
    func sparseSPD(_ n: Int, seed: UInt64) -> Matrix {
        let r = TestMatrices.randomSparse(n, n, density: 0.04, seed: seed)
        var a = Matrix(rows: n, columns: n) { i, j in r[i, j] + r[j, i] }
        for i in 0..<n { a[i, i] = 1 + a.column(i).map(abs).reduce(0, +) }
        return a
    }

    @Test("UMFPACK solves, plain and transposed, one and many right-hand sides, agree with dense LU",
          arguments: [1, 2, 3])
    func luMatchesDense(seed: UInt64) throws {
        let n = 90
        let dense = TestMatrices.randomSparse(n, n, density: 0.05, diagonal: 3, seed: seed)
        let lu = try SparseLUFactorization(try SparseMatrix(dense))
        let reference = try LUFactorization(dense)
        var rng = SeededRandom(seed: seed + 10)
        let b = rng.vector(n), rhs = rng.matrix(n, 4)
        #expect(Approximate.relativeError(try lu.solve(b), try reference.solve(b, transposed: false)) <= 1e-12)
        #expect(Approximate.relativeError(try lu.solveTransposed(b), try reference.solve(b, transposed: true)) <= 1e-12)
        #expect(Approximate.relativeError(try lu.solve(rhs), try reference.solve(rhs, transposed: false)) <= 1e-12)
        #expect(Approximate.relativeError(try lu.solveTransposed(rhs), try reference.solve(rhs, transposed: true)) <= 1e-12)
        #expect(lu.reciprocalCondition > 0 && lu.reciprocalCondition <= 1)
        #expect(lu.estimatedFactorBytes > 0)
        #expect(!lu.ordering.isEmpty)
    }

    @Test("CHOLMOD solves agree with dense LU, and the transposed solve is the same solve", arguments: [4, 5])
    func choleskyMatchesDense(seed: UInt64) throws {
        let n = 120
        let dense = sparseSPD(n, seed: seed)
        let chol = try SparseCholeskyFactorization(try SparseMatrix(dense))
        let reference = try LUFactorization(dense)
        var rng = SeededRandom(seed: seed + 10)
        let b = rng.vector(n), rhs = rng.matrix(n, 3)
        #expect(Approximate.relativeError(try chol.solve(b), try reference.solve(b, transposed: false)) <= 1e-12)
        #expect(Approximate.relativeError(try chol.solveTransposed(b), try reference.solve(b, transposed: true)) <= 1e-12)
        #expect(Approximate.relativeError(try chol.solve(rhs), try reference.solve(rhs, transposed: false)) <= 1e-12)
        #expect(chol.reciprocalCondition > 0 && chol.reciprocalCondition <= 1)
        #expect(chol.estimatedFactorBytes > 0)
    }

    @Test("the 2-D Poisson matrix of 40×40 unknowns: Cholesky and LU give the same solution")
    func poisson() throws {
        let a = TestMatrices.poisson2DSparse(40)
        let b = [Double](repeating: 1, count: a.rows)
        let chol = try SparseCholeskyFactorization(a), lu = try SparseLUFactorization(a)
        let x = try chol.solve(b)
        #expect(Approximate.relativeError(x, try lu.solve(b)) <= 1e-12)
        var r = a * x
        for i in r.indices { r[i] -= b[i] }
        #expect((r.map(abs).max() ?? 0) <= 1e-12 * (x.map(abs).max() ?? 1) * 8)
        #expect(chol.reciprocalCondition < 1)
    }

    @Test("a singular matrix is .singular with the column of the zero pivot")
    func singular() throws {
        var dense = TestMatrices.randomSparse(30, 30, density: 0.1, diagonal: 3, seed: 9)
        for i in 0..<30 { dense[i, 17] = 0 }
        var caught: LinearAlgebraError? = nil
        do { _ = try SparseLUFactorization(try SparseMatrix(dense)) } catch { caught = error }
        #expect(caught == .singular(pivot: 17))
        // Numerically singular: an exact rank-one 2 × 2 block.
        let block = try SparseMatrix(Matrix(rows: [[1, 2, 0], [2, 4, 0], [0, 0, 1]]))
        #expect(throws: LinearAlgebraError.self) { _ = try SparseLUFactorization(block) }
    }

    @Test("indefinite and non-symmetric inputs to CHOLMOD give the typed outcomes")
    func choleskyRefusals() throws {
        var indefinite = TestMatrices.poisson2D(4)
        indefinite[5, 5] = -4
        var caught: LinearAlgebraError? = nil
        do { _ = try SparseCholeskyFactorization(try SparseMatrix(indefinite)) } catch { caught = error }
        guard case .notPositiveDefinite(let minor)? = caught else {
            Issue.record("expected notPositiveDefinite, got \(String(describing: caught))"); return
        }
        #expect(minor >= 1 && minor <= 16)
        caught = nil
        do { _ = try SparseCholeskyFactorization(try SparseMatrix(TestMatrices.convectionDiffusion(8))) } catch { caught = error }
        guard case .invalidArgument(let m)? = caught else { Issue.record("expected invalidArgument"); return }
        #expect(m.contains("not symmetric"))
        #expect(throws: LinearAlgebraError.self) {
            _ = try SparseCholeskyFactorization(try SparseMatrix(Matrix(rows: 2, columns: 3)))
        }
    }

    @Test("a factor above the memory limit is refused before allocation, with the estimate")
    func memoryLimit() {
        let a = TestMatrices.poisson2DSparse(30)
        let errors = [thrownError { try SparseCholeskyFactorization(a, memoryLimit: 1000) },
                      thrownError { try SparseLUFactorization(a, memoryLimit: 1000) }]
        for caught in errors {
            guard case .memoryLimitExceeded(let estimate, let limit)? = caught else {
                Issue.record("expected memoryLimitExceeded, got \(String(describing: caught))"); continue
            }
            #expect(estimate > 1000 && limit == 1000)
        }
    }

    @Test("bad right-hand sides are typed errors")
    func badRightHandSides() throws {
        let lu = try SparseLUFactorization(.identity(3))
        #expect(throws: LinearAlgebraError.self) { _ = try lu.solve([1, 2]) }
        #expect(throws: LinearAlgebraError.self) { _ = try lu.solveTransposed([1, .nan, 2]) }
        let chol = try SparseCholeskyFactorization(.identity(3))
        #expect(try chol.solve([1, 2, 3]) == [1, 2, 3])
        #expect(throws: LinearAlgebraError.self) { _ = try chol.solve([1, .infinity, 2]) }
        #expect(try SparseLUFactorization(.identity(0)).solve([]) == [])
    }

    @Test("two factorizations of each kind solve concurrently and give the sequential answers")
    func concurrentSolves() throws {
        let spd = [try SparseMatrix(sparseSPD(200, seed: 11)), try SparseMatrix(sparseSPD(200, seed: 12))]
        let general = [try SparseMatrix(TestMatrices.randomSparse(200, 200, density: 0.03, diagonal: 3, seed: 13)),
                       try SparseMatrix(TestMatrices.randomSparse(200, 200, density: 0.03, diagonal: 3, seed: 14))]
        let chols = try spd.map { try SparseCholeskyFactorization($0) }
        let lus = try general.map { try SparseLUFactorization($0) }
        var rng = SeededRandom(seed: 15)
        let b = rng.vector(200)
        let expected = try chols.map { try $0.solve(b) } + lus.map { try $0.solveTransposed(b) }
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for _ in 0..<20 {
                let k = t % 4
                let x = try? (k < 2 ? chols[k].solve(b) : lus[k - 2].solveTransposed(b))
                if x != expected[k] { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }
}

extension SparseFactorizationTests {
    @Test("the sparse and diagonal factorizations serve as PreparedLinearSolve, plain and transposed")
    func preparedLinearSolve() throws {
        let dense = TestMatrices.randomSparse(40, 40, density: 0.1, diagonal: 3, seed: 31)
        let spd = sparseSPD(40, seed: 32)
        let solvers: [(any PreparedLinearSolve, Matrix)] = [
            (try SparseLUFactorization(try SparseMatrix(dense)), dense),
            (try SparseCholeskyFactorization(try SparseMatrix(spd)), spd),
            (try DiagonalFactorization(diagonal: (1...40).map(Double.init)), Matrix.diagonal((1...40).map(Double.init))),
        ]
        var rng = SeededRandom(seed: 33)
        let b = rng.vector(40)
        for (solver, a) in solvers {
            let reference = try LUFactorization(a)
            #expect(solver.rows == 40 && solver.columns == 40 && !solver.isLeastSquares)
            #expect(Approximate.relativeError(try solver.solve(b), try reference.solve(b, transposed: false)) <= 1e-12)
            #expect(Approximate.relativeError(try solver.solveTransposed(b), try reference.solve(b, transposed: true)) <= 1e-12)
            #expect(solver.summary.reciprocalCondition != nil && solver.summary.rank == 40)
        }
        #expect(solvers[0].0.summary.kind.hasPrefix("sparse lu (UMFPACK"))
    }
}
