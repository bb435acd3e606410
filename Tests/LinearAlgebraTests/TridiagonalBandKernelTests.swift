import Testing
import TestSupport
@testable import LinearAlgebra

/// The straight-line tridiagonal band kernels against the general band kernels (bit for bit)
/// and LAPACK's `dgbtrf`/`dgbtrs` (to rounding).
@Suite struct TridiagonalBandKernelTests {
    /// LAPACK band storage (`kl = ku = 1`, leading dimension 4) of a random tridiagonal matrix
    /// whose diagonal is not boosted (partial pivoting swaps rows), with column `zero` cleared.
    func randomTridiagonal(_ n: Int, seed: UInt64, zero: Int? = nil) -> [Double] {
        var rng = SeededRandom(seed: seed)
        var ab = [Double](repeating: 0, count: 4 * n)
        for j in 0..<n { for i in max(0, j - 1)...min(n - 1, j + 1) { ab[2 + i - j + 4 * j] = rng.uniform() - 0.5 } }
        if let zero { for r in 1...3 { ab[r + 4 * zero] = 0 } }
        return ab
    }

    @Test("factors, pivots, info and both solves equal the general band kernels' bit for bit, and LAPACK's to rounding",
          arguments: [1, 2, 3, 8, 101])
    func matchesGeneralKernels(n: Int) {
        for (seed, zero) in [(UInt64(n), nil), (UInt64(n + 7), n > 3 ? n / 2 : nil), (UInt64(n + 9), n - 1)] as [(UInt64, Int?)] {
            let ab = randomTridiagonal(n, seed: seed, zero: zero)
            var mine = ab, general = ab, lapack = ab
            var pm = [LAPACKInt](repeating: 0, count: n), pg = pm, pl = pm
            let infoMine = mine.withUnsafeMutableBufferPointer { b in
                pm.withUnsafeMutableBufferPointer { BandSolveKernels.tridiagonalFactor(n, b.baseAddress!, pivots: $0.baseAddress!) }
            }
            let infoGeneral = general.withUnsafeMutableBufferPointer { b in
                pg.withUnsafeMutableBufferPointer {
                    BandSolveKernels.gbtf2General(n, lower: 1, upper: 1, b.baseAddress!, pivots: $0.baseAddress!)
                }
            }
            #expect(infoMine == infoGeneral && pm == pg && mine == general, "n = \(n): differs from the general kernel")
            let infoLAPACK = lapack.withUnsafeMutableBufferPointer { b in
                pl.withUnsafeMutableBufferPointer { LAPACKKernels.gbtrf(n, lower: 1, upper: 1, b.baseAddress!, pivots: $0.baseAddress!) }
            }
            #expect(infoMine == infoLAPACK && pm == pl, "n = \(n), zero column \(String(describing: zero))")
            #expect(Approximate.relativeError(mine, lapack) <= 1e-12)
            #expect(zero == nil || infoMine == LAPACKInt(zero! + 1))
            #expect(n < 8 || pm.enumerated().contains { $0.element != LAPACKInt($0.offset + 1) }, "no row was swapped")
            guard infoMine == 0 else { continue }
            var rng = SeededRandom(seed: seed &+ 1)
            let b = (0..<n).map { _ in rng.uniform() - 0.5 }
            for transpose in [false, true] {
                var x = b, y = b, z = b
                mine.withUnsafeBufferPointer { f in
                    pm.withUnsafeBufferPointer { p in
                        x.withUnsafeMutableBufferPointer { xb in
                            if transpose {
                                BandSolveKernels.tridiagonalSolveTransposed(n, f.baseAddress!, p.baseAddress!, xb.baseAddress!)
                            } else {
                                BandSolveKernels.tridiagonalSolve(n, f.baseAddress!, p.baseAddress!, xb.baseAddress!)
                            }
                        }
                        y.withUnsafeMutableBufferPointer { yb in
                            if transpose {
                                BandSolveKernels.bandSolveTransposed(n, 1, 1, f.baseAddress!, p.baseAddress!, yb.baseAddress!)
                            } else {
                                BandSolveKernels.bandSolve(n, 1, 1, f.baseAddress!, p.baseAddress!, yb.baseAddress!)
                            }
                        }
                        z.withUnsafeMutableBufferPointer { zb in
                            _ = LAPACKKernels.gbtrs(transpose: transpose, n, lower: 1, upper: 1, rightHandSides: 1,
                                                    f.baseAddress!, pivots: p.baseAddress!, zb.baseAddress!)
                        }
                    }
                }
                #expect(x == y, "n = \(n), transposed \(transpose): differs from the general kernel")
                #expect(Approximate.relativeError(x, z) <= 1e-10, "n = \(n), transposed \(transpose): against dgbtrs")
            }
        }
    }

}
