import LinearAlgebra
import Testing
import TestSupport

/// `⟨a, b⟩`.
private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

@Suite("The five factorizations as one PreparedLinearSolve")
struct PreparedLinearSolveTests {
    static let n = 40
    static let square = TestMatrices.wellConditioned(n, seed: 21)
    static let spd = TestMatrices.symmetricPositiveDefinite(n, seed: 22)
    static let tridiagonal = TestMatrices.convectionDiffusion(n)

    /// Each conformance with the matrix it factors.
    static func prepared() throws -> [(any PreparedLinearSolve, Matrix, String)] {
        let band = BandLUFactorization.bandwidths(of: tridiagonal)
        return [
            (try LUFactorization(square), square, "lu"),
            (try BandLUFactorization(tridiagonal, lowerBandwidth: band.lower, upperBandwidth: band.upper), tridiagonal,
             "band LU (lower 1, upper 1)"),
            (try CholeskyFactorization(spd), spd, "cholesky"),
            (try QRFactorization(square), square, "qr"),
            (try SVDFactorization(square), square, "svd"),
        ]
    }

    @Test("solve and solveTransposed solve A x = b and Aᵀ w = c, one or many right-hand sides")
    func plainAndTransposed() throws {
        var rng = SeededRandom(seed: 23)
        for (solver, a, kind) in try Self.prepared() {
            let b = rng.vector(Self.n), c = rng.vector(Self.n)
            let x = try solver.solve(b), w = try solver.solveTransposed(c)
            #expect(relativeResidual(a, x, b) <= 1e-13, "\(kind)")
            #expect(relativeResidual(a.transposed(), w, c) <= 1e-13, "\(kind)")
            let many = rng.matrix(Self.n, 3)
            let xs = try solver.solve(many), ws = try solver.solveTransposed(many)
            for j in 0..<3 {
                #expect(Approximate.relativeError(xs.column(j), try solver.solve(many.column(j))) <= 1e-13, "\(kind)")
                #expect(Approximate.relativeError(ws.column(j), try solver.solveTransposed(many.column(j))) <= 1e-13,
                        "\(kind)")
            }
            #expect(solver.summary.kind == kind)
            #expect(solver.isLeastSquares == (kind == "qr" || kind == "svd"))
            #expect(solver.rows == Self.n && solver.columns == Self.n)
        }
    }

    @Test("on a tall matrix QR and SVD give A⁺ and its exact adjoint (A⁺)ᵀ")
    func leastSquaresAdjoint() throws {
        var rng = SeededRandom(seed: 24)
        let a = rng.matrix(30, 12)
        let solvers: [any PreparedLinearSolve] = [try QRFactorization(a), try SVDFactorization(a)]
        for solver in solvers {
            let b = rng.vector(30), c = rng.vector(12)
            let lhs = dot(try solver.solve(b), c), rhs = dot(b, try solver.solveTransposed(c))
            #expect(abs(lhs - rhs) <= 1e-12 * abs(lhs), "\(solver.summary)")
            #expect(solver.summary.rank == 12)
        }
    }

    @Test("the summary line carries the condition estimate and the rank")
    func summaryLine() throws {
        let lu = try LUFactorization(Self.square)
        let text = lu.summary.description
        #expect(text.hasPrefix("lu, rcond ≈ ") && text.hasSuffix("rank \(Self.n)"))
    }
}
