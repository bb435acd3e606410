/// The band LU factorization with partial pivoting as plain loops: LAPACK's
/// unblocked `dgbtf2` (the routine `dgbtrf` itself calls when the band is
/// narrower than its block size), on the same band storage, with the same
/// pivots, the same multipliers and the same `info`.
///
/// ```
/// for j = 0 ..< n:
///     p = the first row of max |A[j…j+kl, j]|            (idamax)
///     swap rows j and p over columns j … ju               (ju: the last column touched so far)
///     A[j+1…, j] *= 1 / A[j, j]                           (the multipliers, dscal)
///     A[j+1…, j+1…ju] −= A[j+1…, j] · A[j, j+1…ju]        (rank-1 update, dger)
/// ```
///
/// Deviations from `dgbtf2`:
///  1. The fill-in rows of the storage are zeroed per column as in `dgbtf2`,
///     but the BLAS calls are inlined loops: on a band of a few diagonals one
///     BLAS call per column costs more than its arithmetic.
///  2. The rank-1 update skips a column whose pivot-row entry is zero, as the
///     reference `dger` does (the result is the same for finite entries).
extension BandSolveKernels {
    /// The widest band (`kl + ku`) factored by ``gbtf2Swift(_:lower:upper:_:pivots:)``
    /// instead of LAPACK's blocked `dgbtrf`.
    static let narrowBand = 8

    /// Factors the `n × n` band matrix in `ab` (LAPACK band storage with `kl`
    /// rows of room for pivoting, ``bandLeadingDimension(lower:upper:)``) in place.
    ///
    /// - Returns: LAPACK's `info`: `0`, or the one-based column of the first
    ///   exactly zero pivot (the factorization is completed, as in `dgbtf2`).
    static func gbtf2Swift(_ n: Int, lower kl: Int, upper ku: Int, _ ab: UnsafeMutablePointer<Double>,
                           pivots: UnsafeMutablePointer<LAPACKInt>) -> LAPACKInt {
        if kl == 1 && ku == 1 { return tridiagonalFactor(n, ab, pivots: pivots) }
        return gbtf2General(n, lower: kl, upper: ku, ab, pivots: pivots)
    }

    /// ``gbtf2Swift(_:lower:upper:_:pivots:)``'s loops for every bandwidth (``tridiagonalFactor(_:_:pivots:)``
    /// gives their results for `kl = ku = 1`).
    static func gbtf2General(_ n: Int, lower kl: Int, upper ku: Int, _ ab: UnsafeMutablePointer<Double>,
                             pivots: UnsafeMutablePointer<LAPACKInt>) -> LAPACKInt {
        let ld = bandLeadingDimension(lower: kl, upper: ku), kv = ku + kl
        // The fill-in elements of the first columns (rows above the band of A).
        if ku + 1 < Swift.min(kv, n) {
            for j in (ku + 1)..<Swift.min(kv, n) {
                for i in (kv - j)..<kl { ab[i + j * ld] = 0 }
            }
        }
        var info: LAPACKInt = 0
        var ju = 0
        for j in 0..<n {
            let column = ab + j * ld   // column[kv + r] = A[j + r, j]
            if j + kv < n {
                let fill = ab + (j + kv) * ld
                for i in 0..<kl { fill[i] = 0 }
            }
            let km = Swift.min(kl, n - 1 - j)
            var jp = 0, largest = Swift.abs(column[kv])
            if km > 0 {
                for r in 1...km where Swift.abs(column[kv + r]) > largest {
                    largest = Swift.abs(column[kv + r])
                    jp = r
                }
            }
            pivots[j] = LAPACKInt(j + jp + 1)
            guard column[kv + jp] != 0 else {
                if info == 0 { info = LAPACKInt(j + 1) }
                continue
            }
            ju = Swift.max(ju, Swift.min(j + ku + jp, n - 1))
            // Row j of A[:, c] sits at ab[kv − (c − j) + c·ld]: one step right is ld − 1 in memory.
            if jp != 0 {
                for c in 0...(ju - j) {
                    let row = ab + kv - c + (j + c) * ld
                    let t = row[jp]
                    row[jp] = row[0]
                    row[0] = t
                }
            }
            guard km > 0 else { continue }
            let reciprocal = 1 / column[kv]
            for r in 1...km { column[kv + r] *= reciprocal }
            if ju > j {
                for c in 1...(ju - j) {
                    let target = ab + kv - c + (j + c) * ld   // target[r] = A[j + r, j + c]
                    let u = target[0]
                    if u == 0 { continue }
                    for r in 1...km { target[r] -= column[kv + r] * u }
                }
            }
        }
        return info
    }
}
