/// The band LU kernels for a tridiagonal matrix (`kl = ku = 1`) on LAPACK's
/// band storage: ``BandSolveKernels/gbtf2Swift(_:lower:upper:_:pivots:)``,
/// ``BandSolveKernels/bandSolve(_:_:_:_:_:_:)`` and
/// ``BandSolveKernels/bandSolveTransposed(_:_:_:_:_:_:)`` with the bandwidths
/// fixed, so that every step is straight-line code instead of loops over one
/// or two band entries. Same pivots, same `info`, and the same operations in
/// the same order: the results are bit-identical to the general kernels'.
///
/// ```
/// column j of the storage (ldab = 4):  [U(j−2, j), U(j−1, j), U(j, j), L(j+1, j)]
///
/// factor, column j:  p = argmax(|A[j, j]|, |A[j+1, j]|), swap rows j, p over columns j … ju,
///                    l = A[j+1, j] · (1 / A[j, j]),  A[j+1, j+c] −= l · A[j, j+c]   (c = 1, 2)
/// solve:             x[j+1] −= l_j x[j] (after the swap);  x[j] = (x[j] − u₂x[j+2] − u₁x[j+1]) / u₀
/// transposed:        x[j] = (x[j] − u₂x[j−2] − u₁x[j−1]) / u₀;  x[j] −= l_j x[j+1], then the swap
/// ```
///
/// Deviation from LAPACK's `dgttrf`/`dgttrs`: the storage is the band's
/// (`dgbtrf`'s), so the factors feed the band condition estimate unchanged.
extension BandSolveKernels {
    /// Factors the tridiagonal `n × n` band in `ab` (`kl = ku = 1`, leading dimension 4) in place,
    /// as ``gbtf2Swift(_:lower:upper:_:pivots:)`` does.
    ///
    /// - Returns: LAPACK's `info`: `0`, or the one-based column of the first exactly zero pivot.
    static func tridiagonalFactor(_ n: Int, _ ab: UnsafeMutablePointer<Double>,
                                  pivots: UnsafeMutablePointer<LAPACKInt>) -> LAPACKInt {
        var info: LAPACKInt = 0
        var ju = 0
        for j in 0..<n {
            let column = ab + 4 * j   // column[2] = A[j, j], column[3] = A[j + 1, j]
            if j + 2 < n { ab[4 * (j + 2)] = 0 }   // the fill-in row of column j + 2
            let last = j == n - 1
            let jp = !last && Swift.abs(column[3]) > Swift.abs(column[2]) ? 1 : 0
            pivots[j] = LAPACKInt(j + jp + 1)
            guard column[2 + jp] != 0 else {
                if info == 0 { info = LAPACKInt(j + 1) }
                continue
            }
            ju = Swift.max(ju, Swift.min(j + 1 + jp, n - 1))
            // Row j of column j + c sits at ab[2 − c + 4(j + c)], row j + 1 one entry below.
            if jp != 0 {
                for c in 0...(ju - j) {
                    let row = ab + 2 - c + 4 * (j + c)
                    let t = row[1]
                    row[1] = row[0]
                    row[0] = t
                }
            }
            if last { continue }
            let reciprocal = 1 / column[2]
            let l = column[3] * reciprocal
            column[3] = l
            let next = ab + 4 * (j + 1)   // next[1] = A[j, j+1], next[2] = A[j+1, j+1]
            if next[1] != 0 { next[2] -= l * next[1] }
            if ju == j + 2 {
                let second = ab + 4 * (j + 2)   // second[0] = A[j, j+2], second[1] = A[j+1, j+2]
                if second[0] != 0 { second[1] -= l * second[0] }
            }
        }
        return info
    }

    /// `x ← A⁻¹x` from the tridiagonal band factors of ``tridiagonalFactor(_:_:pivots:)``.
    @inline(__always)
    static func tridiagonalSolve(_ n: Int, _ ab: UnsafePointer<Double>, _ pivots: UnsafePointer<LAPACKInt>,
                                 _ x: UnsafeMutablePointer<Double>) {
        guard n > 0 else { return }
        for j in 0..<(n - 1) {
            let p = Int(pivots[j]) - 1
            if p != j { swap(&x[p], &x[j]) }
            x[j + 1] -= ab[4 * j + 3] * x[j]
        }
        // Back substitution by rows, subtracting in the column-oriented kernel's order (j + 2 first).
        var x1 = x[n - 1] / ab[4 * (n - 1) + 2], x2 = 0.0
        x[n - 1] = x1
        if n > 1 {
            var j = n - 2
            while true {
                var s = x[j]
                if j + 2 < n { s -= ab[4 * (j + 2)] * x2 }
                s -= ab[4 * (j + 1) + 1] * x1
                let xj = s / ab[4 * j + 2]
                x[j] = xj
                x2 = x1
                x1 = xj
                if j == 0 { break }
                j -= 1
            }
        }
    }

    /// `x ← A⁻ᵀx` from the tridiagonal band factors of ``tridiagonalFactor(_:_:pivots:)``.
    @inline(__always)
    static func tridiagonalSolveTransposed(_ n: Int, _ ab: UnsafePointer<Double>, _ pivots: UnsafePointer<LAPACKInt>,
                                           _ x: UnsafeMutablePointer<Double>) {
        guard n > 0 else { return }
        var x1 = 0.0, x2 = 0.0   // x[j − 1], x[j − 2] as solved
        for j in 0..<n {
            let u = ab + 4 * j   // u[0] = U[j−2, j], u[1] = U[j−1, j], u[2] = U[j, j]
            var s = x[j]
            if j >= 2 { s -= u[0] * x2 }
            if j >= 1 { s -= u[1] * x1 }
            let xj = s / u[2]
            x[j] = xj
            x2 = x1
            x1 = xj
        }
        if n > 1 {
            for j in stride(from: n - 2, through: 0, by: -1) {
                x[j] -= ab[4 * j + 3] * x[j + 1]
                let p = Int(pivots[j]) - 1
                if p != j { swap(&x[p], &x[j]) }
            }
        }
    }
}
