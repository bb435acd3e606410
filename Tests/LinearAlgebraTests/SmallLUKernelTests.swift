import Testing
import TestSupport
@testable import LinearAlgebra

/// The Swift small-order LU kernels against the LAPACK routines they replace.
@Suite struct SmallLUKernelTests {
    /// LAPACK's factors, pivots, info and condition estimate of `a` (`n × n`).
    func lapack(_ a: [Double], _ n: Int, anorm: Double) -> (factors: [Double], pivots: [LAPACKInt], info: LAPACKInt, rcond: Double) {
        var f = a, p = [LAPACKInt](repeating: 0, count: n), rcond = -1.0
        let info = f.withUnsafeMutableBufferPointer { fb in
            p.withUnsafeMutableBufferPointer { LAPACKKernels.getrf(n, n, fb.baseAddress!, lda: n, pivots: $0.baseAddress!) }
        }
        if info == 0 {
            _ = f.withUnsafeBufferPointer { LAPACKKernels.gecon(n, $0.baseAddress!, lda: n, anorm: anorm, rcond: &rcond) }
        }
        return (f, p, info, rcond)
    }

    /// The Swift kernels' factors, pivots, info and condition estimate.
    func small(_ a: [Double], _ n: Int, anorm: Double) -> (factors: [Double], pivots: [LAPACKInt], info: LAPACKInt, rcond: Double) {
        var f = a, p = [LAPACKInt](repeating: 0, count: n)
        let info = f.withUnsafeMutableBufferPointer { fb in
            p.withUnsafeMutableBufferPointer { SmallLUKernels.getrfSmall(n, fb.baseAddress!, pivots: $0.baseAddress!) }
        }
        let rcond = info != 0 ? -1 : f.withUnsafeBufferPointer { SmallLUKernels.geconSmall(n, $0.baseAddress!, anorm: anorm) }
        return (f, p, info, rcond)
    }

    func oneNorm(_ a: Matrix) -> Double {
        (0..<a.columns).map { j in (0..<a.rows).reduce(0.0) { $0 + Swift.abs(a[$1, j]) } }.max() ?? 0
    }

    @Test("factors, pivots and condition estimate match dgetrf/dgecon", arguments: 1...SmallLUKernels.smallOrder)
    func matchesLAPACK(n: Int) throws {
        var rng = SeededRandom(seed: UInt64(100 + n))
        for trial in 0..<4 {
            // Random, then increasingly ill-conditioned (a nearly repeated column).
            var a = rng.matrix(n, n)
            if trial >= 2 && n > 1 {
                for i in 0..<n { a[i, n - 1] = a[i, 0] * (1 + (trial == 2 ? 1e-6 : 1e-13) * rng.uniform()) }
            }
            let anorm = oneNorm(a)
            let reference = lapack(a.elements, n, anorm: anorm)
            let mine = small(a.elements, n, anorm: anorm)
            #expect(mine.info == reference.info && mine.pivots == reference.pivots)
            #expect(Approximate.relativeError(mine.factors, reference.factors) <= 1e-12 / (trial == 3 ? 1e-3 : 1))
            // Rounding differences in the factors are amplified by κ(A) ≈ 1, 1, 1e6–1e7, 1e13–1e14.
            #expect(Approximate.relativeError(mine.rcond, reference.rcond) <= [1e-10, 1e-10, 1e-8, 1e-2][trial])
        }
    }

    @Test("an exactly singular matrix reports LAPACK's info")
    func singularInfo() {
        let a: [Double] = [1, 2, 3, /* */ 2, 4, 6, /* */ 0, 1, 1]   // column 1 = 2 · column 0
        #expect(small(a, 3, anorm: 10).info == lapack(a, 3, anorm: 10).info)
        #expect(small(a, 3, anorm: 10).info == 2)
    }

    @Test("plain and transposed solves match dgetrs, several right-hand sides", arguments: [1, 2, 7, 16])
    func solvesMatchLAPACK(n: Int) {
        var rng = SeededRandom(seed: UInt64(300 + n))
        let a = rng.matrix(n, n)
        let f = small(a.elements, n, anorm: oneNorm(a))
        let b = rng.vector(3 * n)
        for transposed in [false, true] {
            var mine = b, reference = b
            f.factors.withUnsafeBufferPointer { fb in
                f.pivots.withUnsafeBufferPointer { pb in
                    mine.withUnsafeMutableBufferPointer {
                        SmallLUKernels.getrsSmall(transpose: transposed, n, rightHandSides: 3, fb.baseAddress!,
                                                 pivots: pb.baseAddress!, $0.baseAddress!)
                    }
                    _ = reference.withUnsafeMutableBufferPointer {
                        LAPACKKernels.getrs(transpose: transposed, n, rightHandSides: 3, fb.baseAddress!, lda: n,
                                            pivots: pb.baseAddress!, $0.baseAddress!, ldb: n)
                    }
                }
            }
            #expect(Approximate.relativeError(mine, reference) <= 1e-12)
        }
    }

    @Test("the order where LUFactorization switches to LAPACK solves both ways alike",
          arguments: [SmallLUKernels.smallOrder, SmallLUKernels.smallOrder + 1])
    func aroundTheSwitch(n: Int) throws {
        let a = TestMatrices.wellConditioned(n, seed: 41)
        var rng = SeededRandom(seed: 42)
        let b = rng.vector(n)
        let lu = try LUFactorization(a)
        #expect(relativeResidual(a, try lu.solve(b), b) <= 1e-14)
        #expect(relativeResidual(a.transposed(), try lu.solve(b, transposed: true), b) <= 1e-14)
        #expect(lu.reciprocalCondition > 0.1 && lu.reciprocalCondition <= 1)
    }
}

/// The Swift band solves and estimate against `dgbtrs` and `dgbcon`.
@Suite struct BandKernelTests {
    @Test("band solves and condition estimate match LAPACK", arguments: [(1, 1), (2, 0), (0, 3), (3, 2)])
    func matchesLAPACK(kl: Int, ku: Int) throws {
        let n = 37
        var rng = SeededRandom(seed: UInt64(50 + 7 * kl + ku))
        var a = Matrix(rows: n, columns: n)
        for j in 0..<n { for i in max(0, j - ku)...min(n - 1, j + kl) { a[i, j] = rng.uniform() } }
        let f = try BandLUFactorization(a, lowerBandwidth: kl, upperBandwidth: ku)
        for (k, transposed) in [(2, false), (2, true), (6, false), (6, true)] {   // per column; row-major copy
            let b = rng.vector(k * n)
            var mine = b, reference = b
            f.band.withUnsafeBufferPointer { ab in
                f.pivots.withUnsafeBufferPointer { p in
                    mine.withUnsafeMutableBufferPointer {
                        BandSolveKernels.gbtrsSwift(transpose: transposed, n, lower: kl, upper: ku, rightHandSides: k,
                                                 ab.baseAddress!, pivots: p.baseAddress!, $0.baseAddress!)
                    }
                    _ = reference.withUnsafeMutableBufferPointer {
                        LAPACKKernels.gbtrs(transpose: transposed, n, lower: kl, upper: ku, rightHandSides: k,
                                            ab.baseAddress!, pivots: p.baseAddress!, $0.baseAddress!)
                    }
                }
            }
            #expect(Approximate.relativeError(mine, reference) <= 1e-11)
        }
        var rcond = -1.0
        _ = f.band.withUnsafeBufferPointer { ab in
            f.pivots.withUnsafeBufferPointer { p in
                LAPACKKernels.gbcon(n, lower: kl, upper: ku, ab.baseAddress!, pivots: p.baseAddress!,
                                    anorm: f.oneNorm, rcond: &rcond)
            }
        }
        #expect(Approximate.relativeError(f.reciprocalCondition, rcond) <= 1e-8)
    }
}
