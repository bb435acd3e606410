import Testing
import LinearAlgebra
import TestSupport

@Suite struct CholeskyFactorizationTests {
    @Test func symmetricPositiveDefiniteSolveHasSmallBackwardError() throws {
        let a = TestMatrices.symmetricPositiveDefinite(200, seed: 41)
        var rng = SeededRandom(seed: 42)
        let b = rng.vector(200)
        let chol = try CholeskyFactorization(a)
        #expect(chol.dimension == 200)
        let x = try chol.solve(b)
        #expect(relativeResidual(a, x, b) <= 1e-13)
    }

    @Test func manyRightHandSidesAtOnceEqualSingleSolves() throws {
        let a = TestMatrices.poisson1D(50)
        var rng = SeededRandom(seed: 43)
        let b = rng.matrix(50, 10)
        let chol = try CholeskyFactorization(a)
        let x = try chol.solve(b)
        for j in 0..<10 {
            let single = try chol.solve(b.column(j))
            #expect(Approximate.relativeError(x.column(j), single) <= 1e-14)
            #expect(relativeResidual(a, single, b.column(j)) <= 1e-13)
        }
    }

    @Test func indefiniteMatricesReportTheFailingMinor() {
        // Eigenvalues 3 and −1: the 1×1 minor is positive, the 2×2 one (det = −3) is not.
        #expect(thrownError { try CholeskyFactorization(Matrix(rows: [[1, 2], [2, 1]])) }
                == .notPositiveDefinite(minor: 2))
        #expect(thrownError { try CholeskyFactorization(Matrix.diagonal([4, 1, -1, 2])) }
                == .notPositiveDefinite(minor: 3))
        #expect(thrownError { try CholeskyFactorization(Matrix.diagonal([0, 1])) }
                == .notPositiveDefinite(minor: 1))
    }

    @Test func onlyTheLowerTriangleIsRead() throws {
        let a = TestMatrices.symmetricPositiveDefinite(6, seed: 44)
        var garbled = a
        for j in 1..<6 { for i in 0..<j { garbled[i, j] = .nan } }
        let b = [1.0, 2, 3, 4, 5, 6]
        let x = try CholeskyFactorization(garbled).solve(b)
        #expect(relativeResidual(a, x, b) <= 1e-14)
        #expect(try CholeskyFactorization(garbled).reciprocalCondition
                == CholeskyFactorization(a).reciprocalCondition)
    }

    @Test func conditionEstimateBracketsTheExactValue() throws {
        let a = TestMatrices.poisson1D(30)
        let chol = try CholeskyFactorization(a)
        let exact = 1 / (a.oneNorm * (try chol.solve(Matrix.identity(30))).oneNorm)
        #expect(exact * (1 - 1e-12) <= chol.reciprocalCondition && chol.reciprocalCondition <= 10 * exact)
    }

    @Test func conditionEstimateOfDiagonalMatricesIsExact() throws {
        #expect(try CholeskyFactorization(Matrix.identity(5)).reciprocalCondition == 1)
        let rcond = try CholeskyFactorization(Matrix.diagonal([1, 1e-8, 0.5])).reciprocalCondition
        #expect(abs(rcond - 1e-8) <= 1e-22)
    }

    @Test func shapeMismatchesAndNonFiniteInputsThrow() throws {
        #expect(isDimensionMismatch(thrownError { try CholeskyFactorization(Matrix(rows: 2, columns: 3)) },
                                    mentioning: "square", "2×3"))
        let chol = try CholeskyFactorization(Matrix.identity(3))
        #expect(isDimensionMismatch(thrownError { try chol.solve([1, 2, 3, 4]) }, mentioning: "length 4", "expected 3"))
        #expect(isDimensionMismatch(thrownError { try chol.solve(Matrix(rows: 2, columns: 2)) },
                                    mentioning: "2×2", "expected 3 rows"))
        var a = Matrix.identity(3)
        a[2, 0] = .infinity
        guard case .nonFiniteInput? = thrownError({ try CholeskyFactorization(a) }) else {
            Issue.record("expected nonFiniteInput"); return
        }
    }

    @Test func emptyMatrixFactorsAndSolves() throws {
        let chol = try CholeskyFactorization(Matrix(rows: 0, columns: 0))
        #expect(chol.dimension == 0 && chol.reciprocalCondition == 1)
        #expect(try chol.solve([]) == [])
        #expect(try chol.solve(Matrix(rows: 0, columns: 2)) == Matrix(rows: 0, columns: 2))
    }
}
