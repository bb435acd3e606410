import Testing
import LinearAlgebra
import TestSupport

// The bad-input catalogue of the dense layer: each case asserts the exact
// LinearAlgebraError or the documented least-squares answer, at every public
// throwing entry point (LU, Cholesky, QR, SVD: init and each solve). Shape
// mistakes in Matrix and BLAS are documented programmer errors (preconditions);
// two exit tests check that they stop rather than corrupt memory.

/// The error thrown by `body`, or `nil`.
func laError(_ body: () throws -> Void) -> LinearAlgebraError? {
    do { try body(); return nil } catch { return error as? LinearAlgebraError }
}

/// Every throwing entry point, given a matrix and a right-hand side (vector and matrix forms).
enum Factorization: String, CaseIterable, Sendable {
    case lu, cholesky, qr, svd

    func factor(_ a: Matrix) throws {
        switch self {
        case .lu: _ = try LUFactorization(a)
        case .cholesky: _ = try CholeskyFactorization(a)
        case .qr: _ = try QRFactorization(a)
        case .svd: _ = try SVDFactorization(a)
        }
    }

    /// `(solve(v), solve(M), transposed solve(v), transposed solve(M))` on the factors of `a`.
    func solves(_ a: Matrix) throws -> [(String, ([Double]) throws -> Void, (Matrix) throws -> Void)] {
        switch self {
        case .lu:
            let f = try LUFactorization(a)
            return [("solve", { _ = try f.solve($0) }, { _ = try f.solve($0) }),
                    ("solve transposed", { _ = try f.solve($0, transposed: true) }, { _ = try f.solve($0, transposed: true) })]
        case .cholesky:
            let f = try CholeskyFactorization(a)
            return [("solve", { _ = try f.solve($0) }, { _ = try f.solve($0) })]
        case .qr:
            let f = try QRFactorization(a)
            return [("solve", { _ = try f.solve($0) }, { _ = try f.solve($0) }),
                    ("solveTransposed", { _ = try f.solveTransposed($0) }, { _ = try f.solveTransposed($0) })]
        case .svd:
            let f = try SVDFactorization(a)
            return [("solve", { _ = try f.solve($0) }, { _ = try f.solve($0) }),
                    ("solveTransposed", { _ = try f.solveTransposed($0) }, { _ = try f.solveTransposed($0) })]
        }
    }

    var name: String {
        switch self {
        case .lu: "LUFactorization"
        case .cholesky: "CholeskyFactorization"
        case .qr: "QRFactorization"
        case .svd: "SVDFactorization"
        }
    }
}

@Suite("Bad-input catalogue: dense linear algebra")
struct LinearAlgebraBadInputCatalogueTests {
    /// A 3 × 3 symmetric positive definite matrix (every factorization accepts it).
    static let spd = Matrix(rows: [[4, 1, 0], [1, 3, 1], [0, 1, 2]])

    @Test("NaN, +∞ and −∞ in the matrix, at row 2, column 1", arguments: Factorization.allCases)
    func nonFiniteMatrix(f: Factorization) {
        for bad in [Double.nan, .infinity, -.infinity] {
            var a = Self.spd
            a[2, 1] = bad
            let what = f == .cholesky ? "the lower triangle" : "the matrix"
            #expect(laError { try f.factor(a) }
                    == .nonFiniteInput("\(f.name): \(what) has a non-finite entry at row 2, column 1"))
        }
    }

    @Test("Cholesky reads only the lower triangle: NaN above the diagonal is ignored")
    func choleskyIgnoresTheUpperTriangle() throws {
        var a = Self.spd
        a[0, 2] = .nan
        let x = try CholeskyFactorization(a).solve([5, 5, 3])
        #expect(Approximate.relativeError(Self.spd * x, [5, 5, 3]) <= 1e-15)
    }

    @Test("non-finite right-hand sides are refused by every solve, vector and matrix forms",
          arguments: Factorization.allCases)
    func nonFiniteRightHandSide(f: Factorization) throws {
        for (name, vector, matrix) in try f.solves(Self.spd) {
            for bad in [Double.nan, .infinity, -.infinity] {
                guard case .nonFiniteInput(let what)? = laError({ try vector([1, bad, 1]) }) else {
                    Issue.record("\(f) \(name): expected nonFiniteInput"); continue
                }
                #expect(what.contains("right-hand side has a non-finite entry at row 1, column 0"), "\(what)")
                let b = Matrix(columns: [[1, 1, 1], [1, 1, bad]])
                guard case .nonFiniteInput(let w2)? = laError({ try matrix(b) }) else {
                    Issue.record("\(f) \(name): expected nonFiniteInput (matrix form)"); continue
                }
                #expect(w2.contains("at row 2, column 1"), "\(w2)")
            }
        }
    }

    @Test("wrong right-hand-side lengths are refused by every solve", arguments: Factorization.allCases)
    func rightHandSideLengths(f: Factorization) throws {
        for (name, vector, matrix) in try f.solves(Self.spd) {
            guard case .dimensionMismatch(let what)? = laError({ try vector([1, 2]) }) else {
                Issue.record("\(f) \(name): expected dimensionMismatch"); continue
            }
            #expect(what.contains("length 2") && what.contains("expected 3"), "\(what)")
            guard case .dimensionMismatch? = laError({ try matrix(Matrix(rows: 4, columns: 2)) }) else {
                Issue.record("\(f) \(name): expected dimensionMismatch (matrix form)"); continue
            }
        }
    }

    @Test("LU and Cholesky refuse a non-square matrix")
    func nonSquare() {
        let a = Matrix(rows: 2, columns: 3, repeating: 1)
        #expect(laError { _ = try LUFactorization(a) }
                == .dimensionMismatch("LUFactorization needs a square matrix, got 2×3"))
        #expect(laError { _ = try CholeskyFactorization(a) }
                == .dimensionMismatch("CholeskyFactorization needs a square matrix, got 2×3"))
    }

    @Test("exactly singular: LU's pivot, Cholesky's minor, QR's rank, SVD's rank and minimum-norm answer")
    func exactlySingular() throws {
        // Column 1 = 2 × column 0; rank 2.
        let a = Matrix(rows: [[1, 2, 0], [2, 4, 0], [0, 0, 1]])
        #expect(laError { _ = try LUFactorization(a) } == .singular(pivot: 1))
        #expect(laError { _ = try CholeskyFactorization(a) } == .notPositiveDefinite(minor: 2))
        #expect(laError { _ = try QRFactorization(a) } == .rankDeficient(rank: 2, expected: 3))
        let svd = try SVDFactorization(a)
        #expect(svd.rank == 2 && svd.reciprocalCondition == 0)
        // Consistent b = A (1, 0, 1): minimum-norm solution (1, 2, 5)/5 ∘ … = (0.2, 0.4, 1).
        let x = try svd.solve([1, 2, 1])
        #expect(Approximate.relativeError(x, [0.2, 0.4, 1]) <= 1e-14)
        // Inconsistent b: the least-squares, then minimum-norm, answer (b projected on range A).
        let ls = try svd.solve([1, 0, 1])
        #expect(Approximate.relativeError(ls, [0.04, 0.08, 1]) <= 1e-14)
        // (Aᵀ)⁺ on a consistent right-hand side.
        #expect(Approximate.relativeError(try svd.solveTransposed([1, 2, 3]), [0.2, 0.4, 3]) <= 1e-14)
        #expect(LinearAlgebraError.singular(pivot: 1).description.contains("use a least-squares solve"))
    }

    @Test("numerically singular: no zero pivot, a tiny condition estimate")
    func numericallySingular() throws {
        let lu = try LUFactorization(Matrix(rows: [[1, 1], [1, 1 + 1e-15]]))
        #expect(lu.reciprocalCondition < 1e-14)
    }

    @Test("non-square least squares and least norm give the documented answers, both directions")
    func nonSquareAnswers() throws {
        let tall = try QRFactorization(Matrix(rows: [[1], [1]]))
        #expect(Approximate.relativeError(try tall.solve([1, 3]), [2]) <= 1e-15)            // argmin ‖A x − b‖
        #expect(Approximate.relativeError(try tall.solveTransposed([2]), [1, 1]) <= 1e-15)  // argmin ‖y‖, Aᵀ y = c
        let wide = try QRFactorization(Matrix(rows: [[1, 1]]))
        #expect(Approximate.relativeError(try wide.solve([2]), [1, 1]) <= 1e-15)
        #expect(Approximate.relativeError(try wide.solveTransposed([1, 3]), [2]) <= 1e-15)
        let svd = try SVDFactorization(Matrix(rows: [[1], [1]]))
        #expect(Approximate.relativeError(try svd.solve([1, 3]), [2]) <= 1e-15)
    }

    @Test("1 × 1: singular, indefinite, rank 0, and a plain solve")
    func oneByOne() throws {
        #expect(laError { _ = try LUFactorization(Matrix(rows: [[0]])) } == .singular(pivot: 0))
        #expect(laError { _ = try CholeskyFactorization(Matrix(rows: [[-1]])) } == .notPositiveDefinite(minor: 1))
        #expect(laError { _ = try QRFactorization(Matrix(rows: [[0]])) } == .rankDeficient(rank: 0, expected: 1))
        let zero = try SVDFactorization(Matrix(rows: [[0]]))
        #expect(zero.rank == 0)
        #expect(try zero.solve([5]) == [0])
        #expect(try LUFactorization(Matrix(rows: [[-3]])).solve([6]) == [-2])
        let lu = try LUFactorization(Matrix(rows: [[-3]]))
        #expect(lu.determinantSign == -1 && lu.reciprocalCondition >= 0.999)
    }

    @Test("invalid SVD tolerances")
    func svdTolerance() {
        for t in [Double.nan, -1, 1, .infinity] {
            #expect(laError { _ = try SVDFactorization(Self.spd, relativeTolerance: t) }
                    == .invalidArgument("SVDFactorization: relativeTolerance = \(t) is outside [0, 1)"))
        }
    }

    @Test("empty shapes factor and solve to empty or zero answers")
    func emptyShapes() throws {
        #expect(try LUFactorization(Matrix(rows: 0, columns: 0)).solve([]) == [])
        #expect(try CholeskyFactorization(Matrix(rows: 0, columns: 0)).solve([]) == [])
        #expect(try QRFactorization(Matrix(rows: 3, columns: 0)).solve([1, 2, 3]) == [])
        #expect(try QRFactorization(Matrix(rows: 0, columns: 2)).solve([]) == [0, 0])
        #expect(try SVDFactorization(Matrix(rows: 2, columns: 0)).solveTransposed([]) == [0, 0])
    }

    @Test("entries ~1e±150 and ~1e±300: accurate solves, finite norms, condition and determinant",
          arguments: [150, -150, 300, -300])
    func extremeScales(exponent: Int) throws {
        var s = 1.0
        for _ in 0..<abs(exponent) { s *= 10 }
        if exponent < 0 { s = 1 / s }
        let a = s * Self.spd
        let x = [1.0, -2, 3]
        let b = a * x
        #expect(BLAS.isFinite(b))
        #expect(Approximate.relativeError(try LUFactorization(a).solve(b), x) <= 1e-14)
        #expect(Approximate.relativeError(try CholeskyFactorization(a).solve(b), x) <= 1e-14)
        #expect(Approximate.relativeError(try QRFactorization(a).solve(b), x) <= 1e-14)
        #expect(Approximate.relativeError(try SVDFactorization(a).solve(b), x) <= 1e-13)
        let lu = try LUFactorization(a)
        let reference = try LUFactorization(Self.spd)
        #expect(Approximate.relativeError(lu.reciprocalCondition, reference.reciprocalCondition) <= 1e-12)
        #expect(lu.logAbsDeterminant.isFinite)
        #expect(Approximate.relativeError(a.frobeniusNorm, s * Self.spd.frobeniusNorm) <= 1e-15)
        #expect(Approximate.relativeError(BLAS.nrm2(b), s * BLAS.nrm2(Self.spd * x)) <= 1e-15)
        #expect(try SVDFactorization(a).rank == 3)
    }

    @Test("shape mistakes in BLAS are preconditions: the process stops, nothing is written")
    func blasPrecondition() async {
        await #expect(processExitsWith: .failure) {
            _ = BLAS.dot([1, 2], [1, 2, 3])
        }
        await #expect(processExitsWith: .failure) {
            _ = Matrix(rows: 2, columns: 2, elements: [1, 2, 3])
        }
    }
}
