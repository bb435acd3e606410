import Krylov
import LinearAlgebra
import Testing
import TestSupport

/// Transposed solves `Aᵀ x = c` keep (and transpose) the preconditioner.
@Suite("Transposed solves")
struct TransposedSolveTests {
    static let tight = try! KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12, maxIterations: 2000)

    @Test("with a Jacobi preconditioner, converge to the direct transposed solution",
          arguments: [Method.gmres, .bicgstab, .lsmr])
    func jacobiTransposed(_ method: Method) throws {
        for a in [TestMatrices.convectionDiffusion(40), TestMatrices.wellConditioned(30, seed: 21)] {
            var rng = SeededRandom(seed: 22)
            let c = rng.vector(a.rows)
            let reference = DirectSolveReference.solveTransposed(a, c)
            let solver = method.solver(Self.tight)
            let result = solver.solveTransposed(MatrixOperator(a), c, preconditioner: try JacobiPreconditioner(a))
            #expect(result.statistics.status == .converged, "\(result.statistics)")
            #expect(Approximate.relativeError(result.solution, reference) <= 1e-8)
            // Also through a closure operator with an explicit transpose.
            let viaClosure = solver.solveTransposed(closureOperator(a), c, preconditioner: try JacobiPreconditioner(a))
            #expect(Approximate.relativeError(viaClosure.solution, reference) <= 1e-8)
        }
    }

    @Test("CG on Aᵀ for SPD A", arguments: [Problem.poisson2D, .randomSPD])
    func cgTransposed(_ problem: Problem) throws {
        let a = problem.matrix, c = problem.rightHandSide
        let result = ConjugateGradient(options: Self.tight)
            .solveTransposed(MatrixOperator(a), c, preconditioner: try JacobiPreconditioner(a))
        #expect(result.statistics.status == .converged)
        #expect(Approximate.relativeError(result.solution, DirectSolveReference.solveTransposed(a, c)) <= 1e-8)
    }

    @Test("a non-symmetric preconditioner is applied transposed in a transposed solve",
          arguments: [Method.gmres, .bicgstab, .lsmr])
    func transposedPreconditionerIsUsed(_ method: Method) {
        let a = TestMatrices.convectionDiffusion(30)
        let n = a.rows
        // M = lower-triangular part of A (Gauss–Seidel): M⁻¹ by forward substitution,
        // M⁻ᵀ by backward substitution with Mᵀ. Counters tell which one ran.
        let counter = CallCounter()
        let pre = ClosurePreconditioner(
            apply: { r, z in
                counter.forward += 1
                for i in 0..<n {
                    var s = r[i]
                    if i > 0 { s -= a[i, i - 1] * z[i - 1] }
                    z[i] = s / a[i, i]
                }
            },
            applyTransposed: { r, z in
                counter.transposed += 1
                for i in stride(from: n - 1, through: 0, by: -1) {
                    var s = r[i]
                    if i < n - 1 { s -= a[i + 1, i] * z[i + 1] }   // (Mᵀ)[i, i+1] = M[i+1, i]
                    z[i] = s / a[i, i]
                }
            })
        var rng = SeededRandom(seed: 31)
        let c = rng.vector(n)
        let result = method.solver(Self.tight).solveTransposed(MatrixOperator(a), c, preconditioner: pre)
        #expect(result.statistics.status == .converged, "\(result.statistics)")
        #expect(Approximate.relativeError(result.solution, DirectSolveReference.solveTransposed(a, c)) <= 1e-8)
        if method == .lsmr {
            // LSMR on Aᵀ M⁻ᵀ needs both M⁻ᵀ (forward products) and M⁻¹ (their transposes).
            #expect(counter.transposed > 0 && counter.forward > 0)
        } else {
            #expect(counter.transposed > 0)
            #expect(counter.forward == 0, "the plain solve's M⁻¹ leaked into the transposed solve")
        }
        // The plain solve uses M⁻¹ only.
        let plainCounter = (counter.forward, counter.transposed)
        let plain = method.solver(Self.tight).solve(MatrixOperator(a), c, initialGuess: nil, preconditioner: pre)
        #expect(plain.statistics.status == .converged)
        if method != .lsmr { #expect(counter.transposed == plainCounter.1) }
    }
}

/// Counts preconditioner applications from inside closures.
final class CallCounter: @unchecked Sendable {
    var forward = 0
    var transposed = 0
}
