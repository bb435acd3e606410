import Testing
import TestSupport
import LinearAlgebra

@Suite struct BandLUFactorizationTests {
    /// A random `n × n` matrix with `kl` subdiagonals and `ku` superdiagonals.
    func banded(_ n: Int, _ kl: Int, _ ku: Int, seed: UInt64) -> Matrix {
        var rng = SeededRandom(seed: seed)
        var a = Matrix(rows: n, columns: n)
        for j in 0..<n {
            for i in max(0, j - ku)...min(n - 1, j + kl) { a[i, j] = rng.uniform() + (i == j ? 0.5 : 0) }
        }
        return a
    }

    @Test("bandwidths are the exact band of the matrix")
    func bandwidths() {
        #expect(BandLUFactorization.bandwidths(of: banded(9, 2, 1, seed: 1)) == (2, 1))
        #expect(BandLUFactorization.bandwidths(of: banded(9, 0, 3, seed: 2)) == (0, 3))
        #expect(BandLUFactorization.bandwidths(of: Matrix.identity(5)) == (0, 0))
        var a = Matrix.identity(6)
        a[5, 0] = 1e-300
        #expect(BandLUFactorization.bandwidths(of: a) == (5, 0))
        #expect(BandLUFactorization.bandwidths(of: Matrix(rows: 0, columns: 0)) == (0, 0))
    }

    @Test("solves and condition estimate agree with the dense LU", arguments: [(1, 1), (2, 1), (0, 2), (3, 3)])
    func matchesDenseLU(kl: Int, ku: Int) throws {
        let n = 60
        let a = banded(n, kl, ku, seed: UInt64(10 * kl + ku))
        let band = try BandLUFactorization(a, lowerBandwidth: kl, upperBandwidth: ku)
        let dense = try LUFactorization(a)
        var rng = SeededRandom(seed: 7)
        let b = rng.vector(n)
        for transposed in [false, true] {
            let x = try band.solve(b, transposed: transposed)
            #expect(relativeResidual(transposed ? a.transposed() : a, x, b) <= 1e-13)
            #expect(Approximate.relativeError(x, try dense.solve(b, transposed: transposed)) <= 1e-10)
        }
        let rhs = rng.matrix(n, 3)
        #expect(Approximate.relativeError(try band.solve(rhs), try dense.solve(rhs)) <= 1e-10)
        // Same pivots, same estimator (dlacn2) on the same factors: equal up to rounding.
        #expect(Approximate.relativeError(band.reciprocalCondition, dense.reciprocalCondition) <= 1e-8)
    }

    @Test("singular, non-finite and malformed inputs throw typed errors")
    func failures() {
        var a = banded(8, 1, 1, seed: 3)
        for i in 0..<8 { a[i, 4] = 0 }
        #expect(throws: LinearAlgebraError.singular(pivot: 4)) {
            _ = try BandLUFactorization(a, lowerBandwidth: 1, upperBandwidth: 1)
        }
        var bad = banded(8, 1, 1, seed: 4)
        bad[3, 2] = .nan
        #expect(throws: LinearAlgebraError.self) { _ = try BandLUFactorization(bad, lowerBandwidth: 1, upperBandwidth: 1) }
        #expect(throws: LinearAlgebraError.self) { _ = try BandLUFactorization(bad, lowerBandwidth: 8, upperBandwidth: 1) }
        #expect(throws: LinearAlgebraError.self) {
            _ = try BandLUFactorization(Matrix(rows: 2, columns: 3), lowerBandwidth: 0, upperBandwidth: 0)
        }
        let f = try? BandLUFactorization(banded(8, 1, 1, seed: 5), lowerBandwidth: 1, upperBandwidth: 1)
        #expect(throws: LinearAlgebraError.self) { _ = try f?.solve([1, 2]) }
        #expect(throws: LinearAlgebraError.self) { _ = try f?.solve([Double](repeating: .infinity, count: 8)) }
    }

    @Test("numerically singular band: a tiny condition estimate")
    func nearlySingular() throws {
        var a = banded(40, 1, 1, seed: 6)
        // Make column 20 nearly dependent on column 19 within the band: zero it, then a tiny diagonal.
        for i in 0..<40 { a[i, 20] = 0 }
        a[20, 20] = 1e-17
        let f = try BandLUFactorization(a, lowerBandwidth: 1, upperBandwidth: 1)
        #expect(f.reciprocalCondition < 1e-14)
    }
}
