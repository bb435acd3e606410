import Krylov
import LinearAlgebra
import Testing
import TestSupport

@Suite("Incomplete factorizations")
struct IncompleteFactorizationTests {
    /// A 2-D convection–diffusion matrix on a `k × k` grid: the five-point
    /// Laplacian plus a first-order term, non-symmetric.
    func convectionDiffusion2D(_ k: Int) -> SparseMatrix {
        let p = TestMatrices.poisson2DSparse(k)
        var values = p.values
        for j in 0..<p.columns {
            for pos in p.pattern.columnPointers[j]..<p.pattern.columnPointers[j + 1] {
                let i = p.pattern.rowIndices[pos]
                if i == j - 1 { values[pos] -= 0.3 } else if i == j + 1 { values[pos] += 0.3 }
            }
        }
        return try! SparseMatrix(pattern: p.pattern, values: values)
    }

    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test("on a tridiagonal matrix (no fill) ILU(0) and IC(0) are the exact factorizations")
    func exactWithoutFill() throws {
        let dense = TestMatrices.convectionDiffusion(40)
        let ilu = try IncompleteLUPreconditioner(try SparseMatrix(dense))
        let reference = try LUFactorization(dense)
        var rng = SeededRandom(seed: 1)
        let b = rng.vector(40)
        var z = [Double](repeating: 0, count: 40)
        ilu.apply(b, into: &z)
        #expect(Approximate.relativeError(z, try reference.solve(b, transposed: false)) <= 1e-12)
        ilu.applyTransposed(b, into: &z)
        #expect(Approximate.relativeError(z, try reference.solve(b, transposed: true)) <= 1e-12)
        let spd = TestMatrices.poisson1D(40)
        let ic = try IncompleteCholeskyPreconditioner(try SparseMatrix(spd))
        ic.apply(b, into: &z)
        #expect(Approximate.relativeError(z, try LUFactorization(spd).solve(b, transposed: false)) <= 1e-12)
    }

    @Test("the transposed ILU(0) application is the adjoint: ⟨u, M⁻¹v⟩ = ⟨M⁻ᵀu, v⟩")
    func adjointness() throws {
        let a = convectionDiffusion2D(12)
        let ilu = try IncompleteLUPreconditioner(a)
        var rng = SeededRandom(seed: 2)
        let n = a.rows
        for _ in 0..<3 {
            let u = rng.vector(n), v = rng.vector(n)
            var mv = [Double](repeating: 0, count: n), mtu = mv
            ilu.apply(v, into: &mv)
            ilu.applyTransposed(u, into: &mtu)
            let lhs = dot(u, mv), rhs = dot(mtu, v)
            #expect(abs(lhs - rhs) <= 1e-12 * (abs(lhs) + abs(rhs)))
            // A non-symmetric M: the transposed application differs from the plain one.
            var mu = mv
            ilu.apply(u, into: &mu)
            #expect(Approximate.relativeError(mu, mtu) > 1e-6)
        }
    }

    @Test("IC(0) is symmetric: ⟨u, M⁻¹v⟩ = ⟨M⁻¹u, v⟩, and positive")
    func icSymmetric() throws {
        let ic = try IncompleteCholeskyPreconditioner(TestMatrices.poisson2DSparse(10))
        var rng = SeededRandom(seed: 3)
        let u = rng.vector(100), v = rng.vector(100)
        var mu = [Double](repeating: 0, count: 100), mv = mu
        ic.apply(u, into: &mu)
        ic.apply(v, into: &mv)
        #expect(abs(dot(u, mv) - dot(mu, v)) <= 1e-12 * abs(dot(u, mv)))
        #expect(dot(u, mu) > 0)
    }

    @Test("2-D Poisson on the unit square (100×100, unscaled, cond ≈ 4e3): IC(0) cuts CG's iterations, ILU(0) GMRES's")
    func fewerIterations() throws {
        let a = TestMatrices.poisson2DSparse(100)
        let op = SparseMatrixOperator(a, structure: [.symmetric, .positiveDefinite])
        let b = [Double](repeating: 1, count: a.rows)
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 3000)
        let cg = ConjugateGradient(options: options)
        let plain = cg.solve(op, b)
        let ic = cg.solve(op, b, initialGuess: nil, preconditioner: try IncompleteCholeskyPreconditioner(a))
        #expect(plain.statistics.status == .converged && ic.statistics.status == .converged)
        #expect(2 * ic.statistics.iterations <= plain.statistics.iterations,
                "CG: \(ic.statistics.iterations) with IC(0), \(plain.statistics.iterations) without")
        let gmres = try GMRES(restart: 30, options: options)
        let ilu = try IncompleteLUPreconditioner(a)
        // Unpreconditioned GMRES(30) needs about 1750 iterations here: capped at 400 to keep the test short.
        let capped = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 400)
        let plainG = try GMRES(restart: 30, options: capped).solve(op, b)
        let iluG = gmres.solve(op, b, initialGuess: nil, preconditioner: ilu)
        #expect(iluG.statistics.status == .converged)
        #expect(plainG.statistics.status != .converged && 2 * iluG.statistics.iterations <= 400,
                "GMRES: \(iluG.statistics.iterations) with ILU(0), \(plainG.statistics) without")
        print("Poisson 100×100: CG \(plain.statistics.iterations) → IC(0) \(ic.statistics.iterations); "
              + "GMRES(30) \(plainG.statistics.iterations) (\(plainG.statistics.status)) → ILU(0) \(iluG.statistics.iterations)")
        var r = a * ic.solution
        for i in r.indices { r[i] -= b[i] }
        #expect((r.map(abs).max() ?? 0) <= 1e-8)
    }

    @Test("a transposed GMRES solve with ILU(0) solves Aᵀ x = c")
    func transposedSolve() throws {
        let a = convectionDiffusion2D(20)
        let op = SparseMatrixOperator(a)
        var rng = SeededRandom(seed: 4)
        let c = rng.vector(a.rows)
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-11, maxIterations: 2000)
        let result = try GMRES(restart: 30, options: options)
            .solveTransposed(op, c, initialGuess: nil, preconditioner: try IncompleteLUPreconditioner(a))
        #expect(result.statistics.status == .converged)
        let x = result.solution
        let reference = try SparseLUFactorization(a).solveTransposed(c)
        #expect(Approximate.relativeError(x, reference) <= 1e-8)
    }

    @Test("a zero pivot is a typed breakdown, as are an indefinite IC(0) and a missing diagonal")
    func breakdowns() throws {
        // [[0, 1], [1, 0]]: u₀₀ = 0.
        let swap = try SparseMatrix(Matrix(rows: [[0, 1], [1, 0]]))
        #expect(throws: KrylovError.self) { _ = try IncompleteLUPreconditioner(swap) }
        // [[1, 1], [1, 1]]: u₁₁ = 1 − 1·1 = 0 after elimination.
        let singular = try SparseMatrix(Matrix(rows: [[1, 1], [1, 1]]))
        var caught: KrylovError? = nil
        do { _ = try IncompleteLUPreconditioner(singular) } catch { caught = error }
        guard case .preconditionerBreakdown(let m)? = caught else { Issue.record("expected breakdown"); return }
        #expect(m.contains("u[1, 1]"))
        var indefinite = TestMatrices.poisson2D(3)
        indefinite[4, 4] = -1
        #expect(throws: KrylovError.self) { _ = try IncompleteCholeskyPreconditioner(try SparseMatrix(indefinite)) }
        #expect(throws: KrylovError.self) { _ = try IncompleteLUPreconditioner(try SparseMatrix(Matrix(rows: 2, columns: 3))) }
    }
}
