import CLAPACK

/// Band LU helpers (`dgbtrf`, `dgbtrs`, `dgbcon`) on LAPACK's band storage:
/// for bandwidths `kl` (below the diagonal) and `ku` (above), `A[i, j]` is
/// `ab[kl + ku + i − j + j·ldab]` with `ldab = 2·kl + ku + 1`; the top `kl`
/// rows are room for the fill-in of partial pivoting.
extension LAPACKKernels {
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

    @inlinable
    static func gbtrf(_ n: Int, lower kl: Int, upper ku: Int, _ ab: UnsafeMutablePointer<Double>,
                      pivots: UnsafeMutablePointer<LAPACKInt>) -> LAPACKInt {
        LAPACKE_dgbtrf_work(layout, int(n), int(n), int(kl), int(ku), ab,
                            int(bandLeadingDimension(lower: kl, upper: ku)), pivots)
    }

    @inlinable
    static func gbtrs(transpose: Bool, _ n: Int, lower kl: Int, upper ku: Int, rightHandSides k: Int,
                      _ ab: UnsafePointer<Double>, pivots: UnsafePointer<LAPACKInt>,
                      _ b: UnsafeMutablePointer<Double>) -> LAPACKInt {
        LAPACKE_dgbtrs_work(layout, char(transpose ? "T" : "N"), int(n), int(kl), int(ku), int(k), ab,
                            int(bandLeadingDimension(lower: kl, upper: ku)), pivots, b, int(n))
    }

    /// Reciprocal 1-norm condition estimate from band LU factors; `anorm = ‖A‖₁`.
    static func gbcon(_ n: Int, lower kl: Int, upper ku: Int, _ ab: UnsafePointer<Double>,
                      pivots: UnsafePointer<LAPACKInt>, anorm: Double, rcond: inout Double) -> LAPACKInt {
        var work = [Double](repeating: 0, count: 3 * n)
        var iwork = [LAPACKInt](repeating: 0, count: n)
        return LAPACKE_dgbcon_work(layout, char("1"), int(n), int(kl), int(ku), ab,
                                   int(bandLeadingDimension(lower: kl, upper: ku)), pivots, anorm, &rcond,
                                   &work, &iwork)
    }
}
