import Foundation
import Testing
@testable import Krylov
import LinearAlgebra
import TestSupport

/// `SparseMatrixOperator` with `A` also stored by diagonals: its products and Krylov solves against
/// the CSC operator and dense direct solves.
@Suite struct DiagonalOffsetOperatorTests {
    /// A convection–diffusion stencil on a `k × k` grid (unsymmetric, five offsets, missing neighbours
    /// at the grid's edges).
    static func convection(_ k: Int) -> SparseMatrix {
        TestMatrices.poisson2DSparse(k).mappingEntries { i, j, v in v + (i == j ? 0.5 : (i < j ? 0.3 : -0.3)) }
    }

    @Test("products, transposed products and their curvatures by diagonals match the CSC operator's", arguments: [1, 3, 17, 40])
    func products(_ k: Int) throws {
        for a in [JacobiConjugateGradientTests.reactionStencil(k), Self.convection(k)] {
            let d = try #require(DiagonalOffsetMatrix(a))
            let byDiagonals = SparseMatrixOperator(a, diagonals: d), byColumns = SparseMatrixOperator(a)
            var rng = SeededRandom(seed: UInt64(k))
            let x = rng.vector(a.rows)
            var y = [Double](repeating: .nan, count: a.rows), reference = [Double](repeating: 0, count: a.rows)
            let tolerance = 1e-14 * 8
            byDiagonals.apply(x, into: &y)
            byColumns.apply(x, into: &reference)
            #expect(zip(y, reference).allSatisfy { abs($0 - $1) <= tolerance })
            byDiagonals.applyTransposed(x, into: &y)
            byColumns.applyTransposed(x, into: &reference)
            #expect(zip(y, reference).allSatisfy { abs($0 - $1) <= tolerance })
            let curvature = byDiagonals.applyReturningCurvature(x, into: &y)
            #expect(abs(curvature - BLAS.dot(x, a * x)) <= tolerance * Double(a.rows))
            let transposedCurvature = byDiagonals.applyTransposedReturningCurvature(x, into: &y)
            #expect(abs(transposedCurvature - BLAS.dot(x, a.transposedTimes(x))) <= tolerance * Double(a.rows))
        }
    }

    @Test("Jacobi-CG and GMRES on the diagonal form match the CSC operator's solves and dense LU, plain and transposed")
    func solves() throws {
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-13)
        var rng = SeededRandom(seed: 91)
        let spd = JacobiConjugateGradientTests.reactionStencil(13)
        let b = rng.vector(spd.rows)
        let jacobi = try JacobiPreconditioner(diagonal: spd.diagonalElements)
        let dense = try spd.dense()
        for transposed in [false, true] {
            let cg = ConjugateGradient(options: options)
            let op = SparseMatrixOperator(spd, diagonals: try #require(DiagonalOffsetMatrix(spd)))
            let byDiagonals = transposed ? cg.solveTransposed(op, b, preconditioner: jacobi)
                : cg.solve(op, b, initialGuess: nil, preconditioner: jacobi)
            let byColumns = transposed ? cg.solveTransposed(SparseMatrixOperator(spd), b, preconditioner: jacobi)
                : cg.solve(SparseMatrixOperator(spd), b, initialGuess: nil, preconditioner: jacobi)
            #expect(byDiagonals.statistics.status == .converged)
            #expect(abs(byDiagonals.statistics.iterations - byColumns.statistics.iterations) <= 1)
            let reference = transposed ? DirectSolveReference.solveTransposed(dense, b) : DirectSolveReference.solve(dense, b)
            #expect(Approximate.relativeError(byDiagonals.solution, reference) <= 1e-11)
        }
        let unsymmetric = Self.convection(11)
        let c = rng.vector(unsymmetric.rows)
        let op = SparseMatrixOperator(unsymmetric, diagonals: try #require(DiagonalOffsetMatrix(unsymmetric)))
        let gmres = try GMRES(restart: 40, options: options)
        let plain = gmres.solve(op, c), adjoint = gmres.solveTransposed(op, c)
        let d = try unsymmetric.dense()
        #expect(plain.statistics.status == .converged && adjoint.statistics.status == .converged)
        #expect(Approximate.relativeError(plain.solution, DirectSolveReference.solve(d, c)) <= 1e-10)
        #expect(Approximate.relativeError(adjoint.solution, DirectSolveReference.solveTransposed(d, c)) <= 1e-10)
    }
}
