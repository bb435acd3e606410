import Krylov
import LinearAlgebra
import Testing
import TestSupport

/// Counts `M⁻¹` and `M⁻ᵀ` applications of the lower bidiagonal part of `a`.
final class CountingLowerBidiagonal: Preconditioner, Sendable {
    let diagonal: [Double], sub: [Double]
    let applications = Locked(0), transposedApplications = Locked(0)

    init(_ a: Matrix) {
        diagonal = (0..<a.rows).map { a[$0, $0] }
        sub = (0..<a.rows).map { $0 > 0 ? a[$0, $0 - 1] : 0 }
    }

    func apply(_ r: [Double], into z: inout [Double]) {
        applications.withLock { $0 += 1 }
        for i in r.indices { z[i] = (r[i] - (i > 0 ? sub[i] * z[i - 1] : 0)) / diagonal[i] }
    }

    func applyTransposed(_ r: [Double], into z: inout [Double]) {
        transposedApplications.withLock { $0 += 1 }
        for i in r.indices.reversed() {
            z[i] = (r[i] - (i + 1 < r.count ? sub[i + 1] * z[i + 1] : 0)) / diagonal[i]
        }
    }
}

@Suite("KrylovLinearSolve: a Krylov method prepared on an operator")
struct KrylovLinearSolveTests {
    static let n = 80
    static let a = TestMatrices.convectionDiffusion(n)
    static let tight = try! KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)

    @Test("plain and transposed solves meet the relative tolerance; the summary adds them up")
    func plainAndTransposed() throws {
        let solver = KrylovLinearSolve(MatrixOperator(Self.a), method: try GMRES(restart: 80, options: Self.tight))
        var rng = SeededRandom(seed: 31)
        let b = rng.vector(Self.n), c = rng.vector(Self.n)
        let x = try solver.solve(b)
        let first = try #require(solver.summary.lastStatistics)
        let w = try solver.solveTransposed(c)
        let second = try #require(solver.summary.lastStatistics)
        var r = Self.a * x
        BLAS.axpy(-1, b, &r)
        #expect(BLAS.nrm2(r) <= 1e-11 * BLAS.nrm2(b))
        var s = Self.a.transposed() * w
        BLAS.axpy(-1, c, &s)
        #expect(BLAS.nrm2(s) <= 1e-11 * BLAS.nrm2(c))
        #expect(solver.summary.iterations == first.iterations + second.iterations)
        #expect(abs(second.rightHandSideNorm! - BLAS.nrm2(c)) <= 1e-14 * BLAS.nrm2(c))
        #expect(solver.summary.kind == "GMRES")
    }

    @Test("solutions are homogeneous in b at every scale (one unit scaling, exact)")
    func homogeneous() throws {
        let solver = KrylovLinearSolve(MatrixOperator(Self.a), method: BiCGStab(options: Self.tight))
        var rng = SeededRandom(seed: 32)
        let b = rng.vector(Self.n)
        let x = try solver.solve(b)
        for scale in [0x1p-600, 0x1p600] {
            let xs = try solver.solve(b.map { $0 * scale })
            #expect(xs == x.map { $0 * scale })
        }
    }

    @Test("a solve that does not converge throws notConverged with statistics and ‖r‖/‖b‖")
    func notConverged() throws {
        let capped = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-14, maxIterations: 3)
        let solver = KrylovLinearSolve(MatrixOperator(Self.a), method: BiCGStab(options: capped))
        let b = [Double](repeating: 1, count: Self.n)
        do {
            _ = try solver.solve(b)
            Issue.record("converged in 3 iterations to 1e-14")
        } catch {
            guard case .notConverged(let stats) = error else { Issue.record("unexpected \(error)"); return }
            #expect(stats.status == .maxIterationsReached && stats.iterations == 3)
            #expect(abs(stats.rightHandSideNorm! - BLAS.nrm2(b)) <= 1e-14 * BLAS.nrm2(b))
            #expect("\(error)".contains("‖r‖/‖b‖") && !"\(error)".contains("restart"))
        }
    }

    @Test("the preconditioner is applied as M⁻ᵀ in transposed solves, as M⁻¹ in plain ones")
    func preconditionerTransposed() throws {
        let pre = CountingLowerBidiagonal(Self.a)
        let solver = KrylovLinearSolve(MatrixOperator(Self.a), method: try GMRES(options: Self.tight), preconditioner: pre)
        var rng = SeededRandom(seed: 33)
        _ = try solver.solveTransposed(rng.vector(Self.n))
        #expect(pre.transposedApplications.withLock { $0 } > 0 && pre.applications.withLock { $0 } == 0)
        _ = try solver.solve(rng.vector(Self.n))
        #expect(pre.applications.withLock { $0 } > 0)
        #expect(solver.summary.kind == "GMRES (preconditioned)")
    }

    @Test("a warm start begins at the previous solution of the same direction")
    func warmStart() throws {
        let warm = KrylovLinearSolve(MatrixOperator(Self.a), method: try GMRES(restart: 80, options: Self.tight),
                                     initialGuess: .warmStart())
        var rng = SeededRandom(seed: 34)
        let b = rng.vector(Self.n)
        let cold = try warm.solve(b)
        let coldIterations = warm.summary.lastStatistics!.iterations
        let nearby = b.enumerated().map { $0.element + 1e-6 * Double($0.offset % 3) }
        let x = try warm.solve(nearby)
        #expect(warm.summary.lastStatistics!.iterations < coldIterations)
        let reference = try KrylovLinearSolve(MatrixOperator(Self.a), method: try GMRES(restart: 80, options: Self.tight)).solve(nearby)
        #expect(Approximate.relativeError(x, reference) <= 1e-10)
        #expect(Approximate.relativeError(cold, x) > 0)
        // A transposed solve does not start from a plain solution.
        _ = try warm.solveTransposed(b)
        #expect(abs(warm.summary.lastStatistics!.initialResidualNorm - BLAS.nrm2(b)) <= 1e-14 * BLAS.nrm2(b))
    }
}
