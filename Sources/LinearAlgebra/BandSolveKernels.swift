/// Band storage and band LU solves written in Swift (they call no LAPACK
/// routine), on LAPACK's band storage: for bandwidths `kl` (below the
/// diagonal) and `ku` (above), `A[i, j]` is `ab[kl + ku + i − j + j·ldab]`
/// with `ldab = 2·kl + ku + 1`; the top `kl` rows are room for the fill-in of
/// partial pivoting. The factorization itself is LAPACK's `dgbtrf`
/// (`LAPACKKernels+Band.swift`).
@usableFromInline
enum BandSolveKernels {
    /// The leading dimension of the band storage for bandwidths `kl`, `ku`.
    @inlinable
    static func bandLeadingDimension(lower kl: Int, upper ku: Int) -> Int { 2 * kl + ku + 1 }

    /// The band of the column-major `n × n` matrix `a` in LAPACK band storage
    /// (fill-in rows zero), its 1-norm, and the column-major index of its
    /// first non-finite band entry. Entries outside the band are not read.
    static func bandCopy(_ a: [Double], order n: Int, lower kl: Int, upper ku: Int,
                         oneNorm: inout Double, firstNonFinite firstBad: inout Int?) -> [Double] {
        let ldab = bandLeadingDimension(lower: kl, upper: ku)
        var norm = 0.0
        firstBad = nil
        var band = [Double](repeating: 0, count: ldab * n)
        a.withUnsafeBufferPointer { src in
            band.withUnsafeMutableBufferPointer { dst in
                for j in 0..<n {
                    var s = 0.0
                    for i in Swift.max(0, j - ku)...Swift.min(n - 1, j + kl) {
                        let v = src[i + j * n]
                        if !v.isFinite && firstBad == nil { firstBad = i + j * n }
                        dst[kl + ku + i - j + j * ldab] = v
                        s += Swift.abs(v)
                    }
                    norm = Swift.max(norm, s.isFinite ? s : Double.greatestFiniteMagnitude)
                }
            }
        }
        oneNorm = norm
        return band
    }

    /// The smallest `(kl, ku)` such that every entry of the column-major
    /// `n × n` matrix `a` outside the band is zero. Column `j` is read only
    /// outside the band found so far (rows `0..<j−ku` and `j+kl+1..<n`), so
    /// a narrow band costs about `n²` reads, with no early exit in the
    /// common all-zero case (the reads vectorize).
    static func bandwidths(_ a: [Double], order n: Int) -> (lower: Int, upper: Int) {
        var kl = 0, ku = 0
        a.withUnsafeBufferPointer { e in
            guard let base = e.baseAddress else { return }
            for j in 0..<n {
                let column = base + j * n
                // Above the band: any nonzero in rows 0..<(j − ku)? Then find the topmost.
                let top = j - ku
                if top > 0 {
                    var any: UInt64 = 0   // bit patterns without the sign bit: nonzero ⇔ entry ≠ 0 (NaN included)
                    for i in 0..<top { any |= column[i].bitPattern &<< 1 }
                    if any != 0 {
                        var i = 0
                        while column[i] == 0 { i += 1 }
                        ku = j - i
                    }
                }
                // Below the band: rows (j + kl + 1)..<n.
                let bottom = j + kl + 1
                if bottom < n {
                    var any: UInt64 = 0
                    for i in bottom..<n { any |= column[i].bitPattern &<< 1 }
                    if any != 0 {
                        var i = n - 1
                        while column[i] == 0 { i -= 1 }
                        kl = i - j
                    }
                }
            }
        }
        return (kl, ku)
    }

    /// Solves `A X = B` or `Aᵀ X = B` in place for the `k` columns of the
    /// `n × k` block `b` with the factors of `LAPACKKernels.gbtrf(_:lower:upper:_:pivots:)`:
    /// `dgbtrs`'s algorithm as plain loops (LAPACK's per-column BLAS calls
    /// cost more than the `O(n(2kl + ku))` flops of a narrow band). Each
    /// substitution step multiplies by the pivot's reciprocal instead of
    /// dividing: the reciprocal does not depend on the running solution, so its
    /// division leaves the dependency chain (the result differs from
    /// `dgbtrs`'s by rounding).
    static func gbtrsSwift(transpose: Bool, _ n: Int, lower kl: Int, upper ku: Int, rightHandSides k: Int,
                           _ ab: UnsafePointer<Double>, pivots: UnsafePointer<LAPACKInt>,
                           _ b: UnsafeMutablePointer<Double>) {
        if k < 4 {
            for column in 0..<k {
                let x = b + column * n
                if kl == 1 && ku == 1 {
                    if transpose { tridiagonalBandSolveTransposed(n, ab, pivots, x) } else { tridiagonalBandSolve(n, ab, pivots, x) }
                } else if transpose { bandSolveTransposed(n, kl, ku, ab, pivots, x) } else { bandSolve(n, kl, ku, ab, pivots, x) }
            }
            return
        }
        // Many right-hand sides: work on a row-major copy, so that every step is
        // a contiguous loop across the right-hand sides (vectorized, with no
        // one-column recurrence of divisions and dependent updates).
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n * k) { scratch in
            let y = scratch.baseAddress!
            for c in 0..<k { for i in 0..<n { y[i * k + c] = b[i + c * n] } }
            if transpose { bandSolveTransposedRows(n, kl, ku, ab, pivots, y, k) } else { bandSolveRows(n, kl, ku, ab, pivots, y, k) }
            for c in 0..<k { for i in 0..<n { b[i + c * n] = y[i * k + c] } }
        }
    }

    /// ``bandSolve(_:_:_:_:_:_:)`` on `k` row-major right-hand sides `y` (`n × k`, row `i` at `y + i·k`).
    static func bandSolveRows(_ n: Int, _ kl: Int, _ ku: Int, _ ab: UnsafePointer<Double>,
                              _ pivots: UnsafePointer<LAPACKInt>, _ y: UnsafeMutablePointer<Double>, _ k: Int) {
        let ldab = bandLeadingDimension(lower: kl, upper: ku), kd = kl + ku
        if kl > 0 {
            for j in 0..<(n - 1) {
                let p = Int(pivots[j]) - 1
                if p != j { for c in 0..<k { swap(&y[p * k + c], &y[j * k + c]) } }
                let rowJ = y + j * k, l = ab + kd + j * ldab
                for r in 1...Swift.min(kl, n - 1 - j) {
                    let factor = l[r]
                    if factor == 0 { continue }
                    let row = y + (j + r) * k
                    for c in 0..<k { row[c] -= factor * rowJ[c] }
                }
            }
        }
        for j in stride(from: n - 1, through: 0, by: -1) {
            let u = ab + kd - j + j * ldab, rowJ = y + j * k
            let r = 1 / u[j]
            for c in 0..<k { rowJ[c] *= r }
            for i in Swift.max(0, j - kd)..<j {
                let factor = u[i]
                if factor == 0 { continue }
                let row = y + i * k
                for c in 0..<k { row[c] -= factor * rowJ[c] }
            }
        }
    }

    /// ``bandSolveTransposed(_:_:_:_:_:_:)`` on `k` row-major right-hand sides.
    static func bandSolveTransposedRows(_ n: Int, _ kl: Int, _ ku: Int, _ ab: UnsafePointer<Double>,
                                        _ pivots: UnsafePointer<LAPACKInt>, _ y: UnsafeMutablePointer<Double>,
                                        _ k: Int) {
        let ldab = bandLeadingDimension(lower: kl, upper: ku), kd = kl + ku
        for j in 0..<n {
            let u = ab + kd - j + j * ldab, rowJ = y + j * k
            for i in Swift.max(0, j - kd)..<j {
                let factor = u[i]
                let row = y + i * k
                for c in 0..<k { rowJ[c] -= factor * row[c] }
            }
            let r = 1 / u[j]
            for c in 0..<k { rowJ[c] *= r }
        }
        if kl > 0 {
            for j in stride(from: n - 2, through: 0, by: -1) {
                let l = ab + kd + j * ldab, rowJ = y + j * k
                for r in 1...Swift.min(kl, n - 1 - j) {
                    let factor = l[r]
                    let row = y + (j + r) * k
                    for c in 0..<k { rowJ[c] -= factor * row[c] }
                }
                let p = Int(pivots[j]) - 1
                if p != j { for c in 0..<k { swap(&y[p * k + c], &y[j * k + c]) } }
            }
        }
    }

    /// `x ← A⁻¹x` from band LU factors (`L` with its interchanges, then `U`).
    @inline(__always)
    static func bandSolve(_ n: Int, _ kl: Int, _ ku: Int, _ ab: UnsafePointer<Double>,
                          _ pivots: UnsafePointer<LAPACKInt>, _ x: UnsafeMutablePointer<Double>) {
        let ldab = bandLeadingDimension(lower: kl, upper: ku), kd = kl + ku
        if kl > 0 {
            for j in 0..<(n - 1) {
                let p = Int(pivots[j]) - 1
                if p != j { swap(&x[p], &x[j]) }
                let xj = x[j]
                if xj == 0 { continue }
                let l = ab + kd + j * ldab
                for r in 1...Swift.min(kl, n - 1 - j) { x[j + r] -= l[r] * xj }
            }
        }
        for j in stride(from: n - 1, through: 0, by: -1) {
            let u = ab + kd - j + j * ldab   // u[i] = U[i, j]
            let xj = x[j] * (1 / u[j])
            x[j] = xj
            if xj == 0 { continue }
            for i in Swift.max(0, j - kd)..<j { x[i] -= u[i] * xj }
        }
    }

    /// `x ← A⁻ᵀx` from band LU factors (`Uᵀ`, then `Lᵀ` with the interchanges in reverse).
    @inline(__always)
    static func bandSolveTransposed(_ n: Int, _ kl: Int, _ ku: Int, _ ab: UnsafePointer<Double>,
                                    _ pivots: UnsafePointer<LAPACKInt>, _ x: UnsafeMutablePointer<Double>) {
        let ldab = bandLeadingDimension(lower: kl, upper: ku), kd = kl + ku
        for j in 0..<n {
            let u = ab + kd - j + j * ldab
            var s = x[j]
            for i in Swift.max(0, j - kd)..<j { s -= u[i] * x[i] }
            x[j] = s * (1 / u[j])
        }
        if kl > 0 {
            for j in stride(from: n - 2, through: 0, by: -1) {
                let l = ab + kd + j * ldab
                var s = x[j]
                for r in 1...Swift.min(kl, n - 1 - j) { s -= l[r] * x[j + r] }
                x[j] = s
                let p = Int(pivots[j]) - 1
                if p != j { swap(&x[p], &x[j]) }
            }
        }
    }

    /// `dgbcon`'s estimate with ``bandSolve(_:_:_:_:_:_:)`` products: the
    /// same `dlacn2` iteration on the same operator `A⁻¹`, without
    /// `dlatbs`'s scaling (an overflowing product gives `0`, "singular").
    static func gbconSwift(_ n: Int, lower kl: Int, upper ku: Int, _ ab: UnsafePointer<Double>,
                           pivots: UnsafePointer<LAPACKInt>, anorm: Double) -> Double {
        SmallLUKernels.reciprocalConditionEstimate(n, anorm: anorm,
                                                   inverse: { bandSolve(n, kl, ku, ab, pivots, $0) },
                                                   inverseTransposed: { bandSolveTransposed(n, kl, ku, ab, pivots, $0) })
    }
}
