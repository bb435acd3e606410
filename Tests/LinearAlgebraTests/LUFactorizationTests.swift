import Testing
import Foundation
import LinearAlgebra
import TestSupport

@Suite struct LUFactorizationTests {
    @Test func wellConditionedSolveHasSmallBackwardError() throws {
        let a = TestMatrices.wellConditioned(200, seed: 11)
        var rng = SeededRandom(seed: 12)
        let b = rng.vector(200)
        let lu = try LUFactorization(a)
        #expect(lu.dimension == 200)
        let x = try lu.solve(b)
        #expect(relativeResidual(a, x, b) <= 1e-13)
        // A dominant diagonal n·I + R, |R_ij| < 1: the condition number is modest.
        #expect(lu.reciprocalCondition > 0.1 && lu.reciprocalCondition <= 1)
    }

    @Test func transposedSolveUsesTheSameFactors() throws {
        let a = TestMatrices.wellConditioned(200, seed: 21)
        var rng = SeededRandom(seed: 22)
        let b = rng.vector(200)
        let lu = try LUFactorization(a)
        let y = try lu.solve(b, transposed: true)
        #expect(relativeResidual(a.transposed(), y, b) <= 1e-13)
        // A nonsymmetric A: the plain solve does not satisfy the transposed system.
        let x = try lu.solve(b)
        #expect(relativeResidual(a.transposed(), x, b) > 1e-6)
    }

    @Test(arguments: [false, true])
    func manyRightHandSidesAtOnceEqualSingleSolves(transposed: Bool) throws {
        let a = TestMatrices.wellConditioned(60, seed: 31)
        var rng = SeededRandom(seed: 32)
        let b = rng.matrix(60, 10)
        let lu = try LUFactorization(a)
        let x = try lu.solve(b, transposed: transposed)
        #expect(x.rows == 60 && x.columns == 10)
        for j in 0..<10 {
            let single = try lu.solve(b.column(j), transposed: transposed)
            #expect(Approximate.relativeError(x.column(j), single) <= 1e-14)
        }
    }

    @Test func exactlySingularMatricesReportLAPACKsZeroPivot() {
        // Second row twice the first: after one elimination step U[1, 1] = 4 − 2·2 = 0 exactly.
        #expect(thrownError { try LUFactorization(Matrix(rows: [[1, 2], [2, 4]])) } == .singular(pivot: 1))
        // A zero first column: the very first pivot is zero.
        #expect(thrownError { try LUFactorization(Matrix(rows: [[0, 1, 2], [0, 3, 1], [0, 5, 7]])) }
                == .singular(pivot: 0))
        // Column 3 equals column 0 = (8, 4, 2, 1): the multipliers are powers of two, so the
        // elimination is exact and U[3, 3] = 0 while U[1, 1], U[2, 2] are not.
        let a = Matrix(columns: [[8, 4, 2, 1], [1, 3, -2, 5], [2, -1, 4, 3], [8, 4, 2, 1]])
        #expect(thrownError { try LUFactorization(a) } == .singular(pivot: 3))
    }

    @Test func hilbertTwelveIsNumericallySingular() throws {
        let lu = try LUFactorization(TestMatrices.hilbert(12))
        #expect(lu.reciprocalCondition < 1e-15)
        #expect(lu.reciprocalCondition > 0)
    }

    @Test func conditionEstimateBracketsTheExactValueAndIsSharedSafely() async throws {
        let a = TestMatrices.convectionDiffusion(40)
        let lu = try LUFactorization(a)
        // Exact 1-norm reciprocal condition from the explicit inverse.
        let inverse = try lu.solve(Matrix.identity(40))
        let exact = 1 / (a.oneNorm * inverse.oneNorm)
        // dgecon underestimates ‖A⁻¹‖₁, so it overestimates rcond, but not by much.
        let copy = lu
        let values = await withTaskGroup(of: Double.self) { group in
            for _ in 0..<8 { group.addTask { copy.reciprocalCondition } }
            return await group.reduce(into: [Double]()) { $0.append($1) }
        }
        #expect(Set(values).count == 1)
        #expect(values[0] == lu.reciprocalCondition)
        #expect(exact * (1 - 1e-12) <= values[0] && values[0] <= 10 * exact)
    }

    @Test func determinantOfKnownMatrices() throws {
        // det [1 2 3; 4 5 6; 7 8 10] = 1·2 − 2·(−2) + 3·(−3) = −3.
        let lu = try LUFactorization(Matrix(rows: [[1, 2, 3], [4, 5, 6], [7, 8, 10]]))
        #expect(lu.determinantSign == -1)
        #expect(abs(lu.logAbsDeterminant - log(3.0)) <= 1e-14)
        // A permutation: det = −1, log|det| = 0.
        let swap = try LUFactorization(Matrix(rows: [[0, 1], [1, 0]]))
        #expect(swap.determinantSign == -1 && swap.logAbsDeterminant == 0)
        // det diag(2, −3, −5) = 30.
        let d = try LUFactorization(Matrix.diagonal([2, -3, -5]))
        #expect(d.determinantSign == 1 && abs(d.logAbsDeterminant - log(30.0)) <= 1e-14)
    }

    @Test func shapeMismatchesThrowWithAClearMessage() throws {
        #expect(isDimensionMismatch(thrownError { try LUFactorization(Matrix(rows: 3, columns: 2)) },
                                    mentioning: "square", "3×2"))
        let lu = try LUFactorization(Matrix.identity(3))
        #expect(isDimensionMismatch(thrownError { try lu.solve([1, 2]) }, mentioning: "length 2", "expected 3"))
        #expect(isDimensionMismatch(thrownError { try lu.solve([1, 2, 3, 4], transposed: true) },
                                    mentioning: "length 4"))
        #expect(isDimensionMismatch(thrownError { try lu.solve(Matrix(rows: 4, columns: 2)) },
                                    mentioning: "4×2", "expected 3 rows"))
    }

    @Test func nonFiniteInputsThrow() throws {
        var a = Matrix.identity(3)
        a[2, 1] = .nan
        guard case .nonFiniteInput(let message)? = thrownError({ try LUFactorization(a) }) else {
            Issue.record("expected nonFiniteInput"); return
        }
        #expect(message.contains("row 2, column 1"))
        a[2, 1] = -.infinity
        #expect(thrownError { try LUFactorization(a) } != nil)
        let lu = try LUFactorization(Matrix.identity(3))
        guard case .nonFiniteInput? = thrownError({ try lu.solve([1, .infinity, 0]) }) else {
            Issue.record("expected nonFiniteInput for the right-hand side"); return
        }
    }

    @Test func emptyMatrixFactorsAndSolves() throws {
        let lu = try LUFactorization(Matrix(rows: 0, columns: 0))
        #expect(lu.dimension == 0)
        #expect(try lu.solve([]) == [])
        #expect(try lu.solve([], transposed: true) == [])
        #expect(try lu.solve(Matrix(rows: 0, columns: 3)).columns == 3)
        #expect(lu.logAbsDeterminant == 0 && lu.determinantSign == 1 && lu.reciprocalCondition == 1)
        // No right-hand sides at all.
        let nonEmpty = try LUFactorization(Matrix.identity(4))
        #expect(try nonEmpty.solve(Matrix(rows: 4, columns: 0)) == Matrix(rows: 4, columns: 0))
    }

    @Test func hugeFiniteEntriesAreNotMistakenForInfinity() throws {
        // Column sums overflow to +∞ although every entry is finite.
        let a = Matrix(rows: [[1e308, 1], [1e308, 2]])
        let lu = try LUFactorization(a)
        let x = try lu.solve([1e308, 1e308])
        // OpenBLAS scales by the subnormal 1/1e308, so x₁ is ≈ 2e292 rather than 0: check the backward error.
        #expect(abs(x[0] - 1) <= 1e-15)
        #expect(relativeResidual(a, x, [1e308, 1e308]) <= 1e-15)
    }
}
