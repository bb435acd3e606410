import Testing
import LinearAlgebra
import TestSupport

@Suite struct QRFactorizationTests {
    /// `(XᵀX)⁻¹ Xᵀ b` by Cholesky: the normal-equations oracle for a tall full-rank `X`.
    func normalEquationsSolution(_ x: Matrix, _ b: [Double]) throws -> [Double] {
        var gram = Matrix(rows: x.columns, columns: x.columns)
        BLAS.gemm(transposeA: true, 1, x, x, 0, &gram)
        return try CholeskyFactorization(gram).solve(x.transposedTimes(b))
    }

    @Test func tallLeastSquaresEqualsTheNormalEquations() throws {
        var rng = SeededRandom(seed: 51)
        let x = rng.matrix(60, 8), b = rng.vector(60)
        let qr = try QRFactorization(x)
        #expect(qr.rows == 60 && qr.columns == 8)
        let w = try qr.solve(b)
        #expect(w.count == 8)
        #expect(Approximate.relativeError(w, try normalEquationsSolution(x, b)) <= 1e-10)
        // The residual is orthogonal to the columns: Xᵀ(Xw − b) = 0.
        var r = x * w
        BLAS.axpy(-1, b, &r)
        #expect(maxAbs(x.transposedTimes(r)) <= 1e-12 * BLAS.nrm2(b) * x.frobeniusNorm)
    }

    @Test func wideLeastNormSolvesTheSystemInsideTheRowSpace() throws {
        var rng = SeededRandom(seed: 52)
        let a = rng.matrix(8, 50), b = rng.vector(8)
        let x = try QRFactorization(a).solve(b)
        #expect(x.count == 50)
        #expect(relativeResidual(a, x, b) <= 1e-14)
        // Null-space vectors n = v − Aᵀ(AAᵀ)⁻¹A v (A n = 0) are orthogonal to x.
        var gram = Matrix(rows: 8, columns: 8)
        BLAS.gemm(transposeB: true, 1, a, a, 0, &gram)
        let chol = try CholeskyFactorization(gram)
        for _ in 0..<5 {
            var n = rng.vector(50)
            let z = try chol.solve(a * n)
            BLAS.axpy(-1, a.transposedTimes(z), &n)
            #expect(maxAbs(a * n) <= 1e-13 * BLAS.nrm2(n))
            #expect(abs(BLAS.dot(x, n)) <= 1e-13 * BLAS.nrm2(x) * BLAS.nrm2(n))
            // x + n solves the system too, and is longer.
            let other = zip(x, n).map { $0 + $1 }
            #expect(relativeResidual(a, other, b) <= 1e-13 && BLAS.nrm2(other) > BLAS.nrm2(x))
        }
    }

    @Test func solveTransposedEqualsTheExplicitPseudoInverseOfTheTranspose() throws {
        var rng = SeededRandom(seed: 53)
        // Tall A (30×6): (Aᵀ)⁺ = A (AᵀA)⁻¹.
        let tall = rng.matrix(30, 6), c = rng.vector(6)
        var gram = Matrix(rows: 6, columns: 6)
        BLAS.gemm(transposeA: true, 1, tall, tall, 0, &gram)
        let expectedTall = tall * (try CholeskyFactorization(gram).solve(c))
        #expect(Approximate.relativeError(try QRFactorization(tall).solveTransposed(c), expectedTall) <= 1e-12)
        // Wide A (6×30): (Aᵀ)⁺ = (AAᵀ)⁻¹ A, a least-squares solve with the tall Aᵀ.
        let wide = tall.transposed(), d = rng.vector(30)
        let expectedWide = try CholeskyFactorization(gram).solve(wide * d)
        #expect(Approximate.relativeError(try QRFactorization(wide).solveTransposed(d), expectedWide) <= 1e-12)
    }

    @Test(arguments: [(40, 7), (7, 40), (9, 9)])
    func matrixRightHandSidesEqualColumnSolves(shape: (Int, Int)) throws {
        var rng = SeededRandom(seed: 54)
        let a = rng.matrix(shape.0, shape.1)
        let qr = try QRFactorization(a)
        let b = rng.matrix(shape.0, 4), c = rng.matrix(shape.1, 4)
        let x = try qr.solve(b), y = try qr.solveTransposed(c)
        #expect(x.rows == shape.1 && x.columns == 4 && y.rows == shape.0 && y.columns == 4)
        for j in 0..<4 {
            #expect(Approximate.relativeError(x.column(j), try qr.solve(b.column(j))) <= 1e-14)
            #expect(Approximate.relativeError(y.column(j), try qr.solveTransposed(c.column(j))) <= 1e-14)
        }
    }

    @Test func conditionEstimateOfRMatchesTheSingularValues() throws {
        // Q R of a diagonal matrix is the matrix itself up to signs: rcond = 1e-8 exactly.
        #expect(abs(try QRFactorization(Matrix.diagonal([1, -1e-8, 0.5])).reciprocalCondition - 1e-8) <= 1e-22)
        // κ₁(R) is within a factor q of κ₂(A) = σ_max/σ_min; the estimator may underestimate ‖R⁻¹‖₁ a little.
        var rng = SeededRandom(seed: 57)
        for (m, n) in [(40, 6), (6, 40)] {
            var a = rng.matrix(m, n)
            // Scale the first column (tall) or row (wide) down: κ₂ grows to about 1e5.
            if m >= n { for i in 0..<m { a[i, 0] *= 1e-5 } } else { for j in 0..<n { a[0, j] *= 1e-5 } }
            let qr = try QRFactorization(a)
            let exact2 = try SVDFactorization(a).reciprocalCondition
            #expect(qr.reciprocalCondition >= exact2 / 6 && qr.reciprocalCondition <= 6 * 10 * exact2)
            #expect(qr.reciprocalCondition < 1e-4)
        }
        #expect(try QRFactorization(Matrix(rows: 3, columns: 0)).reciprocalCondition == 1)
    }

    @Test func rankDeficientMatricesReportTheirRank() {
        var rng = SeededRandom(seed: 55)
        // Tall 10×4 with a repeated column: rank 3.
        var columns = rng.matrix(10, 4).columnArrays
        columns[3] = columns[1]
        #expect(thrownError { try QRFactorization(Matrix(columns: columns)) } == .rankDeficient(rank: 3, expected: 4))
        // A zero column gives an exactly zero R_ii.
        columns[3] = [Double](repeating: 0, count: 10)
        #expect(thrownError { try QRFactorization(Matrix(columns: columns)) } == .rankDeficient(rank: 3, expected: 4))
        // Wide 3×8 whose third row is twice the first: rank 2.
        var rows = rng.matrix(3, 8).rowArrays
        rows[2] = rows[0].map { 2 * $0 }
        #expect(thrownError { try QRFactorization(Matrix(rows: rows)) } == .rankDeficient(rank: 2, expected: 3))
        #expect(thrownError { try QRFactorization(Matrix(rows: 4, columns: 3)) } == .rankDeficient(rank: 0, expected: 3))
    }

    @Test func shapeMismatchesAndNonFiniteInputsThrow() throws {
        var rng = SeededRandom(seed: 56)
        let qr = try QRFactorization(rng.matrix(5, 3))
        #expect(isDimensionMismatch(thrownError { try qr.solve([1, 2, 3]) }, mentioning: "length 3", "expected 5"))
        #expect(isDimensionMismatch(thrownError { try qr.solveTransposed([1, 2, 3, 4, 5]) },
                                    mentioning: "length 5", "expected 3"))
        #expect(isDimensionMismatch(thrownError { try qr.solve(Matrix(rows: 3, columns: 1)) },
                                    mentioning: "expected 5 rows"))
        #expect(isDimensionMismatch(thrownError { try qr.solveTransposed(Matrix(rows: 5, columns: 1)) },
                                    mentioning: "expected 3 rows"))
        var a = rng.matrix(5, 3)
        a[4, 2] = .nan
        guard case .nonFiniteInput? = thrownError({ try QRFactorization(a) }) else {
            Issue.record("expected nonFiniteInput"); return
        }
        guard case .nonFiniteInput? = thrownError({ try qr.solve([0, 0, .nan, 0, 0]) }) else {
            Issue.record("expected nonFiniteInput for the right-hand side"); return
        }
    }

    @Test func emptyShapesDoNotCrash() throws {
        let square = try QRFactorization(Matrix(rows: 0, columns: 0))
        #expect(try square.solve([]) == [] && square.solveTransposed([]) == [])
        let noColumns = try QRFactorization(Matrix(rows: 5, columns: 0))
        #expect(try noColumns.solve([1, 2, 3, 4, 5]) == [])
        #expect(try noColumns.solveTransposed([]) == [0, 0, 0, 0, 0])
        let noRows = try QRFactorization(Matrix(rows: 0, columns: 4))
        #expect(try noRows.solve([]) == [0, 0, 0, 0])
        #expect(try noRows.solveTransposed(Matrix(rows: 4, columns: 2)) == Matrix(rows: 0, columns: 2))
    }
}
