import Krylov
import LinearAlgebra
import Testing
import TestSupport

/// Each failure mode reports its exact status, for every method it applies to.
@Suite("Failure statuses")
struct FailureStatusTests {
    static let methods: [Method] = Method.allCases

    @Test("b = 0 returns x = 0 at once", arguments: methods)
    func zeroRightHandSide(_ method: Method) {
        let a = TestMatrices.poisson1D(10)
        let guess = [Double](repeating: 3, count: 10)
        for x0 in [nil, guess] {
            let result = method.solver(.default).solve(MatrixOperator(a), [Double](repeating: 0, count: 10),
                                                       initialGuess: x0, preconditioner: nil)
            #expect(result.statistics.status == .zeroRightHandSide)
            #expect(result.statistics.iterations == 0)
            #expect(result.statistics.operatorApplications == 0)
            #expect(result.solution == [Double](repeating: 0, count: 10))
            #expect(throws: Never.self) { try result.statistics.requireConverged() }
        }
    }

    @Test("an iteration cap of 3 on 2-D Poisson 50×50 reports maxIterationsReached", arguments: methods)
    func iterationCap(_ method: Method) throws {
        // 50×50 grid: 2 500 unknowns, applied matrix-free (the dense matrix would be 50 MB).
        let k = 50
        let op = poissonStencil(k)
        var rng = SeededRandom(seed: 5)
        let b = rng.vector(k * k)
        let options = try KrylovOptions(maxIterations: 3)
        let result = method.solver(options).solve(op, b)
        #expect(result.statistics.status == .maxIterationsReached, "\(result.statistics)")
        #expect(result.statistics.iterations == 3)
        #expect(result.statistics.residualNorm < result.statistics.initialResidualNorm)
        #expect(result.solution.count == k * k)
        #expect(throws: KrylovError.notConverged(result.statistics)) { try result.statistics.requireConverged() }
        #expect(result.statistics.description.contains("increase maxIterations"))
    }

    @Test("NaN in b or in the initial guess reports nonFiniteInput", arguments: methods)
    func nonFiniteInput(_ method: Method) {
        let a = TestMatrices.poisson1D(8)
        var b = [Double](repeating: 1, count: 8)
        b[3] = .nan
        let r1 = method.solver(.default).solve(MatrixOperator(a), b)
        #expect(r1.statistics.status == .nonFiniteInput)
        #expect(r1.statistics.iterations == 0 && r1.statistics.operatorApplications == 0)
        #expect(r1.solution.count == 8)

        var guess = [Double](repeating: 0, count: 8)
        guess[0] = .infinity
        let r2 = method.solver(.default).solve(MatrixOperator(a), [Double](repeating: 1, count: 8),
                                               initialGuess: guess, preconditioner: nil)
        #expect(r2.statistics.status == .nonFiniteInput)
    }

    @Test("an operator that produces NaN reports nonFiniteInput and a finite iterate", arguments: methods)
    func operatorProducesNaN(_ method: Method) {
        var calls = 0
        let a = TestMatrices.poisson1D(12)
        let op = ClosureOperator(rows: 12, columns: 12, structure: [.symmetric, .positiveDefinite],
                                 apply: { x, y in
                                     calls += 1
                                     BLAS.gemv(1, a, x, 0, &y)
                                     if calls >= 3 { y[0] = .nan }
                                 })
        let result = method.solver(.default).solve(op, [Double](repeating: 1, count: 12))
        #expect(result.statistics.status == .nonFiniteInput, "\(result.statistics)")
        #expect(BLAS.isFinite(result.solution))
    }

    @Test("GMRES(2) on the cyclic permutation stagnates, never converges")
    func gmresCyclicPermutation() throws {
        let n = 10
        // P e_j = e_{j+1 mod n}: every Krylov space of dimension < n misses the solution.
        let p = Matrix(rows: n, columns: n) { i, j in i == (j + 1) % n ? 1 : 0 }
        var e1 = [Double](repeating: 0, count: n)
        e1[0] = 1
        let result = try GMRES(restart: 2).solve(MatrixOperator(p), e1)
        #expect(result.statistics.status == .stagnation || result.statistics.status == .maxIterationsReached)
        #expect(result.statistics.status != .converged)
        #expect(result.statistics.description.contains("did not converge"))
        // With restart n it is solved exactly (lucky breakdown at step n).
        let full = try GMRES(restart: n).solve(MatrixOperator(p), e1)
        #expect(full.statistics.status == .converged)
        #expect(Approximate.relativeError(full.solution, DirectSolveReference.solve(p, e1)) < 1e-12)
    }

    @Test("CG on an indefinite symmetric matrix reports indefinite")
    func cgIndefinite() {
        // tridiag(−1, 2, −1) − I: eigenvalues 2 − 2cos(kπ/21) − 1 of both signs.
        var a = TestMatrices.poisson1D(20)
        for i in 0..<20 { a[i, i] -= 1 }
        let result = ConjugateGradient().solve(MatrixOperator(a, structure: .symmetric), [Double](repeating: 1, count: 20))
        #expect(result.statistics.status == .indefinite, "\(result.statistics)")
        #expect(BLAS.isFinite(result.solution))
        #expect(result.statistics.description.contains("not symmetric positive definite"))
        // A negative definite matrix fails at the first step.
        let negative = ConjugateGradient().solve(MatrixOperator(-1 * TestMatrices.poisson1D(5)), [1, 2, 3, 4, 5])
        #expect(negative.statistics.status == .indefinite)
        #expect(negative.statistics.iterations == 0)
    }

    @Test("BiCGStab reports breakdown when ρ vanishes and no restart helps")
    func bicgstabBreakdown() {
        // A = [[0, 1], [1, 0]], b = e₁: A b ⟂ r̂ = b, so r̂ᵀA p = 0 at the first step (α = ∞).
        let a = Matrix(rows: [[0, 1], [1, 0]])
        let result = BiCGStab().solve(MatrixOperator(a), [1, 0])
        #expect(result.statistics.status == .breakdown, "\(result.statistics)")
        #expect(result.statistics.status != .converged)
    }

    @Test("invalid settings throw invalidOptions")
    func invalidOptions() {
        expectInvalidOptions { _ = try KrylovOptions(absoluteTolerance: -1) }
        expectInvalidOptions { _ = try KrylovOptions(relativeTolerance: .nan) }
        expectInvalidOptions { _ = try KrylovOptions(absoluteTolerance: .infinity) }
        expectInvalidOptions { _ = try KrylovOptions(maxIterations: 0) }
        expectInvalidOptions { _ = try GMRES(restart: 0) }
        expectInvalidOptions { _ = try JacobiPreconditioner(diagonal: [1, 0, 2]) }
        expectInvalidOptions { _ = try JacobiPreconditioner(diagonal: [1, .nan]) }
        #expect(throws: Never.self) { _ = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 0, maxIterations: 1) }
    }

    func expectInvalidOptions(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected invalidOptions", sourceLocation: sourceLocation)
        } catch let error as KrylovError {
            guard case .invalidOptions(let message) = error else {
                Issue.record("wrong error \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(!message.isEmpty)
            #expect(error.description.hasPrefix("invalid Krylov options"))
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// The matrix-free 5-point Laplacian on a `k × k` grid (Dirichlet), declared SPD.
func poissonStencil(_ k: Int) -> ClosureOperator {
    let body: ([Double], inout [Double]) -> Void = { x, y in
        for gy in 0..<k {
            for gx in 0..<k {
                let i = gx + gy * k
                var s = 4 * x[i]
                if gx > 0 { s -= x[i - 1] }
                if gx < k - 1 { s -= x[i + 1] }
                if gy > 0 { s -= x[i - k] }
                if gy < k - 1 { s -= x[i + k] }
                y[i] = s
            }
        }
    }
    return ClosureOperator(rows: k * k, columns: k * k, structure: [.symmetric, .positiveDefinite],
                           apply: body, applyTransposed: body)
}
