/// The band storage of a square sparse tridiagonal matrix (`kl = ku = 1`) filled and factored in
/// one pass over its compressed columns:
/// ``BandSolveKernels/fillBand(columnPointers:rowIndices:values:order:lower:upper:into:oneNorm:dominanceBound:)``
/// followed by ``BandSolveKernels/tridiagonalFactor(_:_:pivots:)``, with the same arithmetic in the
/// same order, so that the storage, pivots, `info`, 1-norm and dominance bound are bit for bit
/// theirs; each column of the storage is written once, when its step is done, instead of zeroed,
/// filled, and then read and written again by the factorization.
///
/// ```
/// read column j + 2 (its entries, ‖·‖₁ and dominance terms as fillBand takes them)
/// step j of the factorization on columns j, j + 1, j + 2 held in registers
/// write column j:  ab[4j …< 4j + 4] = U[j−2, j], U[j−1, j], U[j, j], L[j+1, j]   (0 where nothing is stored)
/// ```
extension BandSolveKernels {
    /// Fills `ab` (`4 × n`, LAPACK band storage of `kl = ku = 1`) from the compressed columns `cp`,
    /// `ri`, `values` of an `n × n` matrix and factors it in place (`dgbtf2`'s pivots in `pivots`).
    ///
    /// - Parameters:
    ///   - oneNorm: set to `‖A‖₁`, as
    ///     ``fillBand(columnPointers:rowIndices:values:order:lower:upper:into:oneNorm:dominanceBound:)`` sets it.
    ///   - dominanceBound: set to the certified bound, as `fillBand` sets it.
    ///   - info: set to LAPACK's `info` (the one-based column of the first exactly zero pivot, or `0`).
    /// - Returns: `false` when a stored entry lies outside the band (then `ab` and `pivots` are not meaningful).
    static func fillAndFactorTridiagonal(columnPointers cp: UnsafePointer<Int>, rowIndices ri: UnsafePointer<Int>,
                                         values: UnsafePointer<Double>, order n: Int,
                                         into ab: UnsafeMutablePointer<Double>,
                                         pivots: UnsafeMutablePointer<LAPACKInt>, oneNorm: inout Double,
                                         dominanceBound: inout Double, info: inout LAPACKInt) -> Bool {
        var inside = true, dominant = true, norm = 0.0
        var dominance = DominanceBound()
        info = 0
        // Column c's entries A[c−1, c], A[c, c], A[c+1, c] (0 where not stored), with its terms of ‖A‖₁
        // and of the bound.
        @inline(__always)
        func column(_ c: Int) -> (up: Double, diagonal: Double, down: Double) {
            var up = 0.0, diagonal = 0.0, down = 0.0
            var sum = 0.0, off = 0.0, magnitudeOfDiagonal = 0.0
            let start = cp[c], end = cp[c + 1]
            if end - start == 3 && ri[start] == c - 1 && ri[start + 1] == c && ri[start + 2] == c + 1 {
                // The three entries in row order: the loop's sums, in its order.
                (up, diagonal, down) = (values[start], values[start + 1], values[start + 2])
                magnitudeOfDiagonal = Swift.abs(diagonal)
                off = Swift.abs(up) + Swift.abs(down)
                sum = Swift.abs(up) + magnitudeOfDiagonal + Swift.abs(down)
            } else {
                for k in start..<end {
                    let i = ri[k]
                    guard i - c <= 1 && c - i <= 1 else { inside = false; continue }
                    let v = values[k], magnitude = Swift.abs(v)
                    if i < c { up = v } else if i == c { diagonal = v } else { down = v }
                    sum += magnitude
                    if i == c { magnitudeOfDiagonal = magnitude } else { off += magnitude }
                }
            }
            norm = Swift.max(norm, Swift.min(sum, Double.greatestFiniteMagnitude))   // sum ≥ 0, not NaN
            if dominant {
                let window = Swift.min(n - 1, c + 1) - Swift.max(0, c - 1) + 1
                dominant = dominance.add(diagonal: magnitudeOfDiagonal, offDiagonal: off, window: window)
            }
            return (up, diagonal, down)
        }
        guard n > 0 else {
            (oneNorm, dominanceBound) = (0, 1)
            return true
        }
        // Column j's slots 0 and 1 as the earlier steps left them (`p0`, `p1`); its diagonal and the entry
        // below it (`d`, `s`); column j + 1's slots 0 and 1 (`f`, `e`); column j + 1 as read (`next`).
        let first = column(0)
        var p0 = 0.0, p1 = 0.0, d = first.diagonal, s = first.down
        var next = n > 1 ? column(1) : (up: 0, diagonal: 0, down: 0)
        var f = 0.0, e = next.up
        for j in 0..<(n - 1) {
            let slots = ab + 4 * j
            var d1 = next.diagonal, f2 = 0.0, e2 = 0.0
            let s1 = next.down
            var after = (up: 0.0, diagonal: 0.0, down: 0.0)
            if j + 2 < n {
                after = column(j + 2)
                e2 = after.up
            }
            let swapped = Swift.abs(s) > Swift.abs(d)
            pivots[j] = LAPACKInt(swapped ? j + 2 : j + 1)
            var pivot = d, below = s, e1 = e
            if (swapped ? s : d) == 0 {
                if info == 0 { info = LAPACKInt(j + 1) }
            } else {
                if swapped {
                    (pivot, below) = (s, d)
                    (e1, d1) = (d1, e)
                    (f2, e2) = (e2, f2)
                }
                below = below * (1 / pivot)
                if e1 != 0 { d1 -= below * e1 }
                if f2 != 0 { e2 -= below * f2 }
            }
            slots[0] = p0
            slots[1] = p1
            slots[2] = pivot
            slots[3] = below
            (p0, p1) = (f, e1)
            (d, s) = (d1, s1)
            (f, e) = (f2, e2)
            next = after
        }
        let last = ab + 4 * (n - 1)
        last[0] = p0
        last[1] = p1
        last[2] = d
        last[3] = s
        pivots[n - 1] = LAPACKInt(n)
        if d == 0 && info == 0 { info = LAPACKInt(n) }
        oneNorm = norm
        dominanceBound = dominant ? dominance.bound : 0
        return inside
    }
}
