/// The band LU factorization of ``BandSolveKernels/gbtf2Swift(_:lower:upper:_:pivots:)`` for one
/// bandwidth each side (`kl = ku = 1`), the entries that one column's step passes to the next kept
/// in registers instead of stored and reloaded, and each interchange a selection between two
/// registers. Every operation is the general loops' own, in the same order, and every slot they
/// write is written with the same value (the slots they never touch are not touched): the factors,
/// pivots and `info` are bit for bit theirs.
///
/// ```
/// ab[4j + 0] = U[j−2, j]   ab[4j + 1] = U[j−1, j]   ab[4j + 2] = U[j, j]   ab[4j + 3] = L[j+1, j]
///
/// step j < n − 1, on  d = A[j, j],  s = A[j+1, j],  e = A[j, j+1],  d₁ = A[j+1, j+1],  e₂ = A[j+1, j+2]:
///     ab[4(j+2)] = 0                                   (the fill-in slot of column j + 2)
///     swap rows j, j+1 when |s| > |d|:   (d, s), (e, d₁), (ab[4(j+2)], e₂) exchanged (the last while j + 2 < n)
///     pivot 0: info = j + 1, nothing else changes
///     l = s · (1/d);   d₁ −= l e (e ≠ 0);   e₂ −= l · ab[4(j+2)] (swapped, non-zero)
/// ```
extension BandSolveKernels {
    /// Factors the `n × n` band matrix with `kl = ku = 1` in `ab` (LAPACK band storage, four rows
    /// per column) in place, as ``gbtf2Swift(_:lower:upper:_:pivots:)`` does.
    ///
    /// - Returns: LAPACK's `info`: `0`, or the one-based column of the first exactly zero pivot.
    static func tridiagonalFactor(_ n: Int, _ ab: UnsafeMutablePointer<Double>,
                                  pivots: UnsafeMutablePointer<LAPACKInt>) -> LAPACKInt {
        guard n > 0 else { return 0 }
        var info: LAPACKInt = 0
        // `d` is column j's diagonal slot, `e` column j+1's slot of row j, as the earlier steps left them.
        var d = ab[2], e = n > 1 ? ab[5] : 0
        for j in 0..<(n - 1) {
            let column = ab + 4 * j, next = column + 4
            let s = column[3]
            var d1 = next[2], f2 = 0.0, e2 = 0.0
            let third = j + 2 < n
            if third { e2 = next[5] }
            let swapped = Swift.abs(s) > Swift.abs(d)
            pivots[j] = LAPACKInt(swapped ? j + 2 : j + 1)
            if (swapped ? s : d) == 0 {
                if info == 0 { info = LAPACKInt(j + 1) }
                column[2] = d
                next[1] = e
                if third { next[4] = 0 }
                (d, e) = (d1, e2)
                continue
            }
            var pivot = d, below = s, e1 = e
            if swapped {
                (pivot, below) = (s, d)
                (e1, d1) = (d1, e)
                (f2, e2) = (e2, f2)
            }
            let l = below * (1 / pivot)
            column[2] = pivot
            column[3] = l
            if e1 != 0 { d1 -= l * e1 }
            if f2 != 0 { e2 -= l * f2 }
            next[1] = e1
            if third { next[4] = f2 }
            (d, e) = (d1, e2)
        }
        ab[4 * (n - 1) + 2] = d
        pivots[n - 1] = LAPACKInt(n)
        if d == 0 && info == 0 { info = LAPACKInt(n) }
        return info
    }
}
