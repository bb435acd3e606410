import Krylov
import LinearAlgebra
import Testing
import TestSupport

@Suite("Preconditioners")
struct PreconditionerTests {
    @Test("Jacobi divides by the diagonal, both ways")
    func jacobi() throws {
        let p = try JacobiPreconditioner(diagonal: [2, -4, 0.5])
        var z = [Double](repeating: .nan, count: 3)
        p.apply([1, 1, 1], into: &z)
        #expect(z == [0.5, -0.25, 2])
        p.applyTransposed([2, 2, 2], into: &z)
        #expect(z == [1, -0.5, 4])
        let fromMatrix = try JacobiPreconditioner(TestMatrices.poisson1D(3))
        #expect(fromMatrix.inverseDiagonal == [0.5, 0.5, 0.5])
    }

    @Test("ClosurePreconditioner uses apply as its transpose when none is given")
    func closureDefaultTranspose() {
        let p = ClosurePreconditioner(apply: { r, z in for i in r.indices { z[i] = 3 * r[i] } })
        var z = [0.0, 0.0]
        p.applyTransposed([1, 2], into: &z)
        #expect(z == [3, 6])
    }

    @Test("a good preconditioner cuts the iteration count", arguments: [Method.gmres, .bicgstab, .cg])
    func effective(_ method: Method) throws {
        // Badly scaled SPD matrix D T D: Jacobi removes the scaling.
        let n = 60
        let t = TestMatrices.poisson1D(n) + 2 * .identity(n)
        let d = (0..<n).map { [1.0, 10, 100, 1000, 10_000][$0 % 5] }
        let a = Matrix(rows: n, columns: n) { i, j in d[i] * t[i, j] * d[j] }
        let b = [Double](repeating: 1, count: n)
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 5000)
        let plain = method.solver(options).solve(MatrixOperator(a), b)
        let jacobi = method.solver(options).solve(MatrixOperator(a), b, initialGuess: nil,
                                                  preconditioner: try JacobiPreconditioner(a))
        #expect(jacobi.statistics.status == .converged, "\(jacobi.statistics)")
        #expect(jacobi.statistics.iterations < plain.statistics.iterations,
                "plain \(plain.statistics), Jacobi \(jacobi.statistics)")
        #expect(Approximate.relativeError(jacobi.solution, DirectSolveReference.solve(a, b)) < 1e-6)
    }
}
