import Testing
import LinearAlgebra
import TestSupport

@Suite struct SVDFactorizationTests {
    /// A = B C with B (m×r) and C (r×n) of full rank r, and the oracle
    /// A⁺ = C⁺ B⁺ = Cᵀ(CCᵀ)⁻¹ (BᵀB)⁻¹ Bᵀ, all by Cholesky.
    func lowRankProblem(_ m: Int, _ n: Int, rank r: Int, seed: UInt64)
        throws -> (a: Matrix, pseudoInverseTimes: ([Double]) throws -> [Double]) {
        var rng = SeededRandom(seed: seed)
        let b = rng.matrix(m, r), c = rng.matrix(r, n)
        var btb = Matrix(rows: r, columns: r), cct = Matrix(rows: r, columns: r)
        BLAS.gemm(transposeA: true, 1, b, b, 0, &btb)
        BLAS.gemm(transposeB: true, 1, c, c, 0, &cct)
        let btbChol = try CholeskyFactorization(btb), cctChol = try CholeskyFactorization(cct)
        return (b * c, { v in c.transposedTimes(try cctChol.solve(try btbChol.solve(b.transposedTimes(v)))) })
    }

    @Test(arguments: [(12, 9), (9, 12)])
    func rankDeficientSystemsGiveTheMinimumNormLeastSquaresSolution(shape: (Int, Int)) throws {
        let (a, oracle) = try lowRankProblem(shape.0, shape.1, rank: 4, seed: 61)
        let svd = try SVDFactorization(a)
        #expect(svd.rank == 4)
        #expect(svd.singularValues.count == 9)
        #expect(svd.reciprocalCondition == 0)
        var rng = SeededRandom(seed: 62)
        let b = rng.vector(shape.0)
        let x = try svd.solve(b)
        #expect(Approximate.relativeError(x, try oracle(b)) <= 1e-10)
        // Normal equations of the least-squares problem: Aᵀ(Ax − b) = 0.
        var r = a * x
        BLAS.axpy(-1, b, &r)
        #expect(maxAbs(a.transposedTimes(r)) <= 1e-12 * a.frobeniusNorm * BLAS.nrm2(b))
    }

    @Test(arguments: [(12, 9), (9, 12), (7, 7)])
    func solveAndSolveTransposedAreAdjoint(shape: (Int, Int)) throws {
        let (a, _) = try lowRankProblem(shape.0, shape.1, rank: 3, seed: 63)
        let svd = try SVDFactorization(a)
        var rng = SeededRandom(seed: 64)
        for _ in 0..<5 {
            let b = rng.vector(shape.0), c = rng.vector(shape.1)
            // ⟨c, A⁺ b⟩ = ⟨(A⁺)ᵀ c, b⟩.
            let lhs = BLAS.dot(c, try svd.solve(b)), rhs = BLAS.dot(try svd.solveTransposed(c), b)
            #expect(abs(lhs - rhs) <= 1e-12 * max(abs(lhs), 1))
        }
    }

    @Test func fullRankSolvesAgreeWithQR() throws {
        var rng = SeededRandom(seed: 65)
        for (m, n) in [(30, 5), (5, 30)] {
            let a = rng.matrix(m, n)
            let svd = try SVDFactorization(a), qr = try QRFactorization(a)
            #expect(svd.rank == 5 && svd.reciprocalCondition > 0)
            let b = rng.matrix(m, 3), c = rng.matrix(n, 3)
            #expect(Approximate.relativeError(try svd.solve(b), try qr.solve(b)) <= 1e-12)
            #expect(Approximate.relativeError(try svd.solveTransposed(c), try qr.solveTransposed(c)) <= 1e-12)
        }
    }

    @Test func singularValuesConditionAndToleranceOfAKnownMatrix() throws {
        // A permuted, sign-flipped diagonal: σ = (3, 1, 0.5), sorted.
        let a = Matrix(rows: [[0, -1, 0], [0.5, 0, 0], [0, 0, 3]])
        let svd = try SVDFactorization(a)
        #expect(svd.rank == 3)
        #expect(Approximate.relativeError(svd.singularValues, [3, 1, 0.5]) <= 1e-15)
        #expect(abs(svd.reciprocalCondition - 0.5 / 3) <= 1e-15)
        // A relative tolerance of 0.2 drops 0.5 < 0.2·3: rank 2, and the solve ignores that direction.
        let truncated = try SVDFactorization(a, relativeTolerance: 0.2)
        #expect(truncated.rank == 2 && truncated.reciprocalCondition == 0)
        let x = try truncated.solve([1, 1, 1])
        #expect(Approximate.relativeError(x, [0, -1, 1.0 / 3]) <= 1e-15)
        #expect(thrownError { try SVDFactorization(a, relativeTolerance: -1) } != nil)
        #expect(thrownError { try SVDFactorization(a, relativeTolerance: .nan) } != nil)
        guard case .invalidArgument? = thrownError({ try SVDFactorization(a, relativeTolerance: 1) }) else {
            Issue.record("expected invalidArgument"); return
        }
    }

    @Test func zeroMatrixHasRankZeroAndZeroPseudoInverse() throws {
        let svd = try SVDFactorization(Matrix(rows: 3, columns: 2))
        #expect(svd.rank == 0 && svd.singularValues == [0, 0])
        #expect(try svd.solve([1, 2, 3]) == [0, 0])
        #expect(try svd.solveTransposed([1, 2]) == [0, 0, 0])
    }

    @Test func shapeMismatchesNonFiniteInputsAndEmptyShapes() throws {
        let svd = try SVDFactorization(Matrix.identity(3))
        #expect(isDimensionMismatch(thrownError { try svd.solve([1]) }, mentioning: "length 1", "expected 3"))
        #expect(isDimensionMismatch(thrownError { try svd.solveTransposed([1, 2]) }, mentioning: "length 2"))
        #expect(isDimensionMismatch(thrownError { try svd.solve(Matrix(rows: 2, columns: 2)) },
                                    mentioning: "expected 3 rows"))
        #expect(isDimensionMismatch(thrownError { try svd.solveTransposed(Matrix(rows: 4, columns: 1)) },
                                    mentioning: "expected 3 rows"))
        guard case .nonFiniteInput? = thrownError({ try SVDFactorization(Matrix.diagonal([1, .nan])) }) else {
            Issue.record("expected nonFiniteInput"); return
        }
        let empty = try SVDFactorization(Matrix(rows: 0, columns: 3))
        #expect(empty.rank == 0 && empty.singularValues == [] && empty.reciprocalCondition == 1)
        #expect(try empty.solve([]) == [0, 0, 0])
        #expect(try empty.solveTransposed([1, 2, 3]) == [])
    }
}
