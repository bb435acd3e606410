import Krylov
import LinearAlgebra
import Testing
import TestSupport

@Suite("Workspace reuse")
struct KrylovWorkspaceTests {
    @Test("repeated solves through one workspace give the same answers and do not grow it",
          arguments: Method.allCases)
    func reuse(_ method: Method) throws {
        let problems: [Problem] = method == .lsmr ? [.tallLeastSquares, .convectionDiffusion]
            : method == .cg ? [.poisson2D, .randomSPD] : [.convectionDiffusion, .randomDense]
        let solver = method.solver(try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12, maxIterations: 2000))
        var workspace = KrylovWorkspace()
        #expect(workspace.retainedBytes == 0)
        var sizes: [Int] = []
        for round in 0..<3 {
            for problem in problems {
                let a = problem.matrix, b = problem.rightHandSide
                let pre = jacobi(for: a, method: method)
                let reused = solver.solve(MatrixOperator(a), b, initialGuess: nil, preconditioner: pre, workspace: &workspace)
                let fresh = solver.solve(MatrixOperator(a), b, initialGuess: nil, preconditioner: pre)
                #expect(reused.solution == fresh.solution)
                #expect(reused.statistics == fresh.statistics)
                #expect(reused.statistics.status == .converged)
            }
            sizes.append(workspace.retainedBytes)
            if round == 0 { #expect(workspace.retainedBytes > 0) }
        }
        #expect(sizes[1] == sizes[0] && sizes[2] == sizes[0], "workspace grew: \(sizes)")
        workspace.removeAll()
        #expect(workspace.retainedBytes == 0)
    }

    @Test("transposed solves share the workspace")
    func transposed() throws {
        let a = TestMatrices.convectionDiffusion(30)
        var workspace = KrylovWorkspace()
        let gmres = try GMRES(restart: 10, options: try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12, maxIterations: 2000))
        let c = [Double](repeating: 1, count: 30)
        let first = gmres.solveTransposed(MatrixOperator(a), c, preconditioner: try JacobiPreconditioner(a), workspace: &workspace)
        let bytes = workspace.retainedBytes
        let second = gmres.solveTransposed(MatrixOperator(a), c, preconditioner: try JacobiPreconditioner(a), workspace: &workspace)
        #expect(first.solution == second.solution && first.statistics.status == .converged)
        #expect(workspace.retainedBytes == bytes)
        #expect(Approximate.relativeError(first.solution, DirectSolveReference.solveTransposed(a, c)) < 1e-9)
    }
}

@Suite("No reallocation inside the loop")
struct NoReallocationTests {
    @Test("the operator sees the same few buffers in every iteration", arguments: Method.allCases)
    func stableBuffers(_ method: Method) throws {
        let a = TestMatrices.poisson2D(8)
        let recorder = AddressRecorder()
        let op = ClosureOperator(rows: 64, columns: 64, structure: [.symmetric, .positiveDefinite],
                                 apply: { x, y in
                                     recorder.note(&y)
                                     BLAS.gemv(1, a, x, 0, &y)
                                 })
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 0, maxIterations: 40)
        let result = method.solver(options).solve(op, Problem.poisson2D.rightHandSide, initialGuess: nil,
                                                  preconditioner: try JacobiPreconditioner(a))
        // CG verifies the true residual once the recursive one reaches rounding level, and an
        // unattainable tolerance then ends in stagnation before the cap.
        #expect(result.statistics.iterations == 40
                || (method == .cg && result.statistics.status == .stagnation && result.statistics.iterations >= 30))
        // A reallocated work vector would show up as a new address every iteration.
        #expect(recorder.addresses.count <= 3, "\(recorder.addresses.count) distinct output buffers")
    }
}

/// Collects the base addresses of the buffers an operator writes into.
final class AddressRecorder: @unchecked Sendable {
    var addresses: Set<UInt> = []
    func note(_ y: inout [Double]) {
        let address = y.withUnsafeMutableBufferPointer { UInt(bitPattern: $0.baseAddress) }
        addresses.insert(address)
    }
}
