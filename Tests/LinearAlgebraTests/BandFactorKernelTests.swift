import Testing
import TestSupport
@testable import LinearAlgebra

/// The Swift `dgbtf2` against LAPACK's `dgbtrf`, and the certified diagonal-dominance
/// bound of the band LU's reciprocal condition against the exact value.
@Suite struct BandFactorKernelTests {
    /// LAPACK band storage (with `kl` rows of pivoting room) of a random band matrix; the
    /// diagonal is not boosted, so partial pivoting swaps rows.
    func randomBand(_ n: Int, _ kl: Int, _ ku: Int, seed: UInt64) -> [Double] {
        var rng = SeededRandom(seed: seed)
        let ld = BandSolveKernels.bandLeadingDimension(lower: kl, upper: ku)
        var ab = [Double](repeating: 0, count: ld * n)
        for j in 0..<n { for i in max(0, j - ku)...min(n - 1, j + kl) { ab[kl + ku + i - j + j * ld] = rng.uniform() } }
        return ab
    }

    func factor(_ ab: [Double], _ n: Int, _ kl: Int, _ ku: Int, swift: Bool)
        -> (factors: [Double], pivots: [LAPACKInt], info: LAPACKInt)
    {
        var f = ab, p = [LAPACKInt](repeating: 0, count: n)
        let info = f.withUnsafeMutableBufferPointer { b in
            p.withUnsafeMutableBufferPointer { q in
                swift ? BandSolveKernels.gbtf2Swift(n, lower: kl, upper: ku, b.baseAddress!, pivots: q.baseAddress!)
                    : LAPACKKernels.gbtrf(n, lower: kl, upper: ku, b.baseAddress!, pivots: q.baseAddress!)
            }
        }
        return (f, p, info)
    }

    @Test("the Swift band factorization gives dgbtrf's pivots, factors and info",
          arguments: [(1, 1), (2, 0), (0, 3), (3, 2), (1, 4), (4, 4)])
    func matchesLAPACK(kl: Int, ku: Int) {
        for n in [1, 2, 5, 37] {
            let ab = randomBand(n, kl, ku, seed: UInt64(100 * n + 10 * kl + ku))
            let mine = factor(ab, n, kl, ku, swift: true), reference = factor(ab, n, kl, ku, swift: false)
            #expect(mine.info == reference.info && mine.pivots == reference.pivots)
            #expect(Approximate.relativeError(mine.factors, reference.factors) <= 1e-12)
            // Rows were swapped (no boosted diagonal), unless there is no subdiagonal to pivot from.
            #expect(mine.pivots.enumerated().contains { $0.element != LAPACKInt($0.offset + 1) } || n < 5 || kl == 0)
        }
    }

    @Test("the Swift band solves (one and many right-hand sides, plain and transposed) agree with dgbtrs",
          arguments: [(1, 1), (2, 0), (0, 3), (3, 2)])
    func solvesMatchLAPACK(kl: Int, ku: Int) {
        for n in [1, 5, 37] {
            let f = factor(randomBand(n, kl, ku, seed: UInt64(7 * n + kl + 3 * ku)), n, kl, ku, swift: false)
            guard f.info == 0 else { continue }
            var rng = SeededRandom(seed: UInt64(n + 11))
            for k in [1, 5] {
                let b = (0..<(n * k)).map { _ in rng.uniform() - 0.5 }
                for transpose in [false, true] {
                    var mine = b, reference = b
                    f.factors.withUnsafeBufferPointer { ab in
                        f.pivots.withUnsafeBufferPointer { p in
                            mine.withUnsafeMutableBufferPointer {
                                BandSolveKernels.gbtrsSwift(transpose: transpose, n, lower: kl, upper: ku, rightHandSides: k,
                                                            ab.baseAddress!, pivots: p.baseAddress!, $0.baseAddress!)
                            }
                            reference.withUnsafeMutableBufferPointer {
                                _ = LAPACKKernels.gbtrs(transpose: transpose, n, lower: kl, upper: ku, rightHandSides: k,
                                                        ab.baseAddress!, pivots: p.baseAddress!, $0.baseAddress!)
                            }
                        }
                    }
                    #expect(Approximate.relativeError(mine, reference) <= 1e-11, "n \(n), k \(k), transposed \(transpose)")
                    #expect(mine != b || n == 1, "nothing was solved")
                }
            }
        }
    }

    @Test("an exactly zero pivot: dgbtrf's info and the same completed factors")
    func zeroPivot() {
        let n = 12, kl = 1, ku = 2, ld = BandSolveKernels.bandLeadingDimension(lower: kl, upper: ku)
        var ab = randomBand(n, kl, ku, seed: 9)
        for i in max(0, 5 - ku)...min(n - 1, 5 + kl) { ab[kl + ku + i - 5 + 5 * ld] = 0 }   // column 5 is zero
        let mine = factor(ab, n, kl, ku, swift: true), reference = factor(ab, n, kl, ku, swift: false)
        #expect(mine.info == 6 && reference.info == 6 && mine.pivots == reference.pivots)
        #expect(Approximate.relativeError(mine.factors, reference.factors) <= 1e-12)
    }

    /// The exact `1 / (‖A‖₁ ‖A⁻¹‖₁)` from the dense inverse.
    func exactReciprocalCondition(_ a: Matrix) throws -> Double {
        let inverse = try LUFactorization(a).solve(Matrix.identity(a.rows))
        func oneNorm(_ m: Matrix) -> Double {
            (0..<m.columns).map { j in (0..<m.rows).reduce(0) { $0 + abs(m[$1, j]) } }.max() ?? 0
        }
        return 1 / (oneNorm(a) * oneNorm(inverse))
    }

    /// A tridiagonal matrix with `diagonal` on the diagonal, `below` and `above` beside it.
    func tridiagonal(_ n: Int, diagonal: (Int) -> Double, below: Double, above: Double) -> Matrix {
        var a = Matrix(rows: n, columns: n)
        for i in 0..<n {
            a[i, i] = diagonal(i)
            if i > 0 { a[i, i - 1] = below }
            if i < n - 1 { a[i, i + 1] = above }
        }
        return a
    }

    @Test("strict column dominance: a certified bound below the exact rcond, used when it clears the threshold")
    func dominantBound() throws {
        let n = 50
        let a = tridiagonal(n, diagonal: { 3 + 0.01 * Double($0) }, below: -1.25, above: -0.75)
        let f = try BandLUFactorization(a, lowerBandwidth: 1, upperBandwidth: 1)
        let exact = try exactReciprocalCondition(a)
        let bound = f.reciprocalConditionLowerBound
        // Column margins ≥ 3 − 2 = 1, ‖A‖₁ ≤ 3.49 + 2: the bound is near 1 / 5.49.
        #expect(bound > 0.18 && bound <= exact)
        #expect(f.reciprocalCondition >= exact * (1 - 1e-12))
        let cleared = f.reciprocalCondition(testedAgainst: 100 * Double.ulpOfOne)
        #expect(cleared.isLowerBound && cleared.value == bound)
        // Above the bound: the estimate decides.
        let above = f.reciprocalCondition(testedAgainst: bound * 1.01)
        #expect(!above.isLowerBound && above.value == f.reciprocalCondition)
    }

    @Test("no strict column dominance: no bound, the estimate decides", arguments: [false, true])
    func notDominant(weak: Bool) throws {
        let n = 40
        // weak: the 1-D Laplacian (column margins 0 inside). Else strictly dominant by rows
        // (1.5 > 0.5; 4 > 3 + 0.5) but not by columns (an even column holds 0.5 + 3 > 1.5).
        var a = tridiagonal(n, diagonal: { _ in 2 }, below: -1, above: -1)
        if !weak {
            a = tridiagonal(n, diagonal: { $0 % 2 == 0 ? 1.5 : 4 }, below: 0, above: 0.5)
            for i in stride(from: 1, to: n, by: 2) { a[i, i - 1] = 3 }
        }
        let f = try BandLUFactorization(a, lowerBandwidth: 1, upperBandwidth: 1)
        #expect(f.reciprocalConditionLowerBound == 0)
        let tested = f.reciprocalCondition(testedAgainst: 100 * Double.ulpOfOne)
        #expect(!tested.isLowerBound && tested.value == f.reciprocalCondition && tested.value > 1e-6)
        let exact = try exactReciprocalCondition(a)
        #expect(tested.value >= exact * (1 - 1e-12))
    }

    @Test("a numerically singular band: a bound below the threshold, and the estimate says singular")
    func nearlySingular() throws {
        let n = 30
        var a = tridiagonal(n, diagonal: { _ in 3 }, below: -1, above: -1)
        for i in 0..<n { a[i, 12] = 0 }
        a[12, 12] = 1e-17
        let f = try BandLUFactorization(SparseMatrix(a), lowerBandwidth: 1, upperBandwidth: 1)
        let tested = f.reciprocalCondition(testedAgainst: 100 * Double.ulpOfOne)
        // Still strictly dominant by columns (column 12 holds only 1e-17), so the bound exists, but it
        // is the certified 1e-17 / ‖A‖₁: it does not clear the threshold, and the estimate decides.
        #expect(f.reciprocalConditionLowerBound > 0 && f.reciprocalConditionLowerBound < 1e-17)
        #expect(!tested.isLowerBound && tested.value < 100 * Double.ulpOfOne)
    }
    @Test("the band filled from sparse columns: storage, 1-norm and dominance bound as the dense path's, bit for bit",
          arguments: [(1, 1, true), (1, 1, false), (2, 1, true), (0, 3, false), (3, 0, true), (2, 2, false)])
    func sparseFillMatchesDense(kl: Int, ku: Int, dominant: Bool) throws {
        let n = 37
        var rng = SeededRandom(seed: UInt64(100 * kl + 10 * ku + (dominant ? 1 : 0)))
        var a = Matrix(rows: n, columns: n)
        for j in 0..<n {
            for i in max(0, j - ku)...min(n - 1, j + kl) where (i + 2 * j) % 5 != 1 || i == j {
                a[i, j] = rng.uniform() + (i == j && dominant ? Double(kl + ku) + 2 : 0)   // off-diagonal |a_ij| < 1
            }
        }
        let fromSparse = try BandLUFactorization(SparseMatrix(a), lowerBandwidth: kl, upperBandwidth: ku)
        let fromDense = try BandLUFactorization(a, lowerBandwidth: kl, upperBandwidth: ku)
        #expect(fromSparse.band == fromDense.band && fromSparse.pivots == fromDense.pivots)
        #expect(fromSparse.oneNorm == fromDense.oneNorm)
        #expect(fromSparse.reciprocalConditionLowerBound == fromDense.reciprocalConditionLowerBound)
        #expect((fromSparse.reciprocalConditionLowerBound > 0) == dominant)
    }

    @Test("a stored entry outside the given band throws, wider bands are accepted")
    func sparseFillOutsideBand() throws {
        var a = tridiagonal(12, diagonal: { _ in 4 }, below: 1, above: 1)
        a[7, 3] = 0.5
        guard case .invalidArgument? = thrownError({ try BandLUFactorization(SparseMatrix(a), lowerBandwidth: 1, upperBandwidth: 1) }) else {
            Issue.record("expected invalidArgument")
            return
        }
        let wide = try BandLUFactorization(SparseMatrix(a), lowerBandwidth: 4, upperBandwidth: 1)
        let x = try wide.solve([Double](repeating: 1, count: 12), transposed: false)
        #expect(relativeResidual(a, x, [Double](repeating: 1, count: 12)) <= 1e-14)
    }
    @Test("the tridiagonal solves (kl = ku = 1) equal the general Swift band solves bit for bit")
    func tridiagonalSolvesMatchGeneral() {
        for n in [1, 2, 3, 4, 5, 37, 200] {
            let f = factor(randomBand(n, 1, 1, seed: UInt64(31 + n)), n, 1, 1, swift: true)
            guard f.info == 0 else { continue }
            #expect(n < 37 || zip(f.pivots.indices, f.pivots).contains { Int($1) != $0 + 1 }, "no interchange to test")
            var rng = SeededRandom(seed: UInt64(n))
            // Some exact zeros, so that the skipped updates of zero entries are exercised.
            let b = (0..<n).map { i in i % 7 == 3 ? 0 : rng.uniform() - 0.5 }
            for transpose in [false, true] {
                var general = b, special = b
                f.factors.withUnsafeBufferPointer { ab in
                    f.pivots.withUnsafeBufferPointer { p in
                        general.withUnsafeMutableBufferPointer {
                            if transpose {
                                BandSolveKernels.bandSolveTransposed(n, 1, 1, ab.baseAddress!, p.baseAddress!, $0.baseAddress!)
                            } else {
                                BandSolveKernels.bandSolve(n, 1, 1, ab.baseAddress!, p.baseAddress!, $0.baseAddress!)
                            }
                        }
                        special.withUnsafeMutableBufferPointer {
                            if transpose {
                                BandSolveKernels.tridiagonalBandSolveTransposed(n, ab.baseAddress!, p.baseAddress!, $0.baseAddress!)
                            } else {
                                BandSolveKernels.tridiagonalBandSolve(n, ab.baseAddress!, p.baseAddress!, $0.baseAddress!)
                            }
                        }
                    }
                }
                #expect(general.map(\.bitPattern) == special.map(\.bitPattern), "n \(n), transposed \(transpose)")
                #expect(special != b || n == 1, "nothing was solved")
            }
        }
    }

    @Test("the tridiagonal factor (kl = ku = 1) equals the general Swift band factor bit for bit, slots, pivots and info")
    func tridiagonalFactorMatchesGeneral() {
        for n in [1, 2, 3, 4, 5, 37, 200] {
            for variant in 0..<4 {
                var ab = randomBand(n, 1, 1, seed: UInt64(53 + 7 * n + variant))
                // Slots outside the band (the first columns' rows above it) hold a sentinel that neither may touch;
                // the fill-in slots start non-zero, so that the zeroing of each is checked.
                for j in 0..<n {
                    if j < 2 { ab[4 * j] = 7.25 }
                    if j == 0 { ab[1] = -3.5 }
                    if j >= 2 { ab[4 * j] = 11 }
                }
                if variant == 1 {
                    // Exact zeros in the superdiagonal and below the diagonal: the skipped updates.
                    for j in stride(from: 1, to: n, by: 3) { ab[4 * j + 1] = 0 }
                    for j in stride(from: 0, to: n, by: 4) { ab[4 * j + 3] = 0 }
                } else if variant == 2, n > 1 {
                    // A zero column: an exactly zero pivot (info), the factorization completed.
                    let j = n / 2
                    ab[4 * j + 2] = 0
                    if j + 1 < n { ab[4 * j + 3] = 0 }
                    if j > 0 { ab[4 * j + 1] = 0 }
                } else if variant == 3 {
                    // Diagonally dominant: no interchange.
                    for j in 0..<n { ab[4 * j + 2] += 3 }
                }
                var general = ab, special = ab
                var generalPivots = [LAPACKInt](repeating: -1, count: n), specialPivots = generalPivots
                let generalInfo = general.withUnsafeMutableBufferPointer { b in
                    generalPivots.withUnsafeMutableBufferPointer {
                        BandSolveKernels.gbtf2General(n, lower: 1, upper: 1, b.baseAddress!, pivots: $0.baseAddress!)
                    }
                }
                let specialInfo = special.withUnsafeMutableBufferPointer { b in
                    specialPivots.withUnsafeMutableBufferPointer {
                        BandSolveKernels.gbtf2Swift(n, lower: 1, upper: 1, b.baseAddress!, pivots: $0.baseAddress!)
                    }
                }
                let label = "n \(n), variant \(variant)"
                #expect(general.map(\.bitPattern) == special.map(\.bitPattern), "\(label)")
                #expect(generalPivots == specialPivots && generalInfo == specialInfo, "\(label)")
                #expect(special != ab || n == 1 || variant == 1, "nothing was factored, \(label)")
                if variant == 0 && n >= 37 {
                    #expect(specialPivots.enumerated().contains { $0.element != LAPACKInt($0.offset + 1) }, "no interchange")
                }
                if variant == 2 && n > 1 { #expect(specialInfo == LAPACKInt(n / 2 + 1), "\(label)") }
                if variant == 3 { #expect(specialPivots == (1...n).map { LAPACKInt($0) }, "\(label)") }
            }
        }
    }

    @Test("the tridiagonal band filled and factored in one pass equals fillBand then the general factor, bit for bit")
    func tridiagonalFillAndFactorMatchesTwoPasses() throws {
        for n in [1, 2, 3, 4, 7, 37, 200] {
            for variant in 0..<4 {
                var rng = SeededRandom(seed: UInt64(977 + 13 * n + variant))
                var a = Matrix(rows: n, columns: n)
                for j in 0..<n {
                    for i in max(0, j - 1)...min(n - 1, j + 1) {
                        // variant 1: missing entries; 2: a zero column (a zero pivot); 3: dominant by columns.
                        if variant == 1 && (i + 2 * j) % 5 == 1 { continue }
                        if variant == 2 && j == n / 2 { continue }
                        a[i, j] = rng.uniform() + (variant == 3 && i == j ? 3 : 0)   // |off-diagonal| < 1
                    }
                }
                let sparse = try SparseMatrix(a), p = sparse.pattern
                var fused = [Double](repeating: .nan, count: 4 * n), twoPass = fused
                var fusedPivots = [LAPACKInt](repeating: -1, count: n), twoPassPivots = fusedPivots
                var norms = (0.0, 0.0), bounds = (0.0, 0.0), info: LAPACKInt = -1, twoPassInfo: LAPACKInt = -1
                var inside = (false, false)
                p.columnPointers.withUnsafeBufferPointer { cp in
                    p.rowIndices.withUnsafeBufferPointer { ri in
                        sparse.values.withUnsafeBufferPointer { v in
                            fused.withUnsafeMutableBufferPointer { ab in
                                fusedPivots.withUnsafeMutableBufferPointer { q in
                                    inside.0 = BandSolveKernels.fillAndFactorTridiagonal(
                                        columnPointers: cp.baseAddress!, rowIndices: ri.baseAddress!, values: v.baseAddress!,
                                        order: n, into: ab.baseAddress!, pivots: q.baseAddress!, oneNorm: &norms.0,
                                        dominanceBound: &bounds.0, info: &info)
                                }
                            }
                            twoPass.withUnsafeMutableBufferPointer { ab in
                                inside.1 = BandSolveKernels.fillBand(columnPointers: cp.baseAddress!, rowIndices: ri.baseAddress!,
                                                                     values: v.baseAddress!, order: n, lower: 1, upper: 1,
                                                                     into: ab.baseAddress!, oneNorm: &norms.1,
                                                                     dominanceBound: &bounds.1)
                                twoPassPivots.withUnsafeMutableBufferPointer { q in
                                    twoPassInfo = BandSolveKernels.gbtf2General(n, lower: 1, upper: 1, ab.baseAddress!,
                                                                                pivots: q.baseAddress!)
                                }
                            }
                        }
                    }
                }
                let label = "n \(n), variant \(variant)"
                #expect(inside.0 && inside.1, "\(label)")
                #expect(fused.map(\.bitPattern) == twoPass.map(\.bitPattern), "\(label)")
                #expect(fusedPivots == twoPassPivots && info == twoPassInfo, "\(label)")
                #expect(norms.0.bitPattern == norms.1.bitPattern && bounds.0.bitPattern == bounds.1.bitPattern, "\(label)")
                if variant == 0 && n >= 37 {
                    #expect(fusedPivots.enumerated().contains { $0.element != LAPACKInt($0.offset + 1) }, "no interchange")
                }
                if variant == 2 { #expect(info == LAPACKInt(n / 2 + 1), "\(label)") }
                if variant == 3 && n > 1 { #expect(bounds.0 > 0, "\(label)") }
            }
        }
        // An entry outside the band: refused, and BandLUFactorization says so.
        var a = Matrix(rows: 6, columns: 6)
        for i in 0..<6 { a[i, i] = 2 }
        a[4, 1] = 1
        guard case .invalidArgument? = thrownError({ try BandLUFactorization(SparseMatrix(a), lowerBandwidth: 1, upperBandwidth: 1) })
        else {
            Issue.record("expected invalidArgument")
            return
        }
    }
}
