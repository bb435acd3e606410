import Testing
import TestSupport
import LinearAlgebra

@Suite struct DiagonalFactorizationTests {
    @Test("solves are divisions, plain and transposed, one and many right-hand sides")
    func solves() throws {
        let d = DiagonalFactorization.self
        let f = try d.init(try SparseMatrix(Matrix.diagonal([2, -4, 0.5])))
        #expect(try f.solve([1, 1, 1]) == [0.5, -0.25, 2])
        #expect(try f.solveTransposed([2, 2, 2]) == [1, -0.5, 4])
        let x = try f.solve(Matrix(rows: [[2, 4], [4, 8], [1, 2]]))
        #expect(x == Matrix(rows: [[1, 2], [-1, -2], [2, 4]]))
        #expect(f.reciprocalCondition == 0.125)
    }

    @Test("zero, non-finite and off-diagonal inputs are typed errors")
    func refusals() throws {
        #expect(thrownError { try DiagonalFactorization(diagonal: [1, 0, 2]) } == .singular(pivot: 1))
        guard case .nonFiniteInput? = thrownError({ try DiagonalFactorization(diagonal: [1, .nan]) }) else {
            Issue.record("expected nonFiniteInput"); return
        }
        guard case .invalidArgument? = thrownError({ try DiagonalFactorization(try SparseMatrix(TestMatrices.poisson1D(3))) }) else {
            Issue.record("expected invalidArgument"); return
        }
        let f = try DiagonalFactorization(diagonal: [1, 2])
        #expect(thrownError { try f.solve([1]) } != nil)
        #expect(thrownError { try f.solve([1, .infinity]) } != nil)
    }
}
