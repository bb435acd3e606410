/// The products of a square form of three or five diagonals whose off-diagonal runs are constants
/// (``DiagonalOffsetConstantRuns``), with and without Jacobi-CG's new direction (kernel helpers: raw
/// pointers, no checks inside the loops; the callers check lengths and the runs).
extension DiagonalOffsetKernels {
    /// Jacobi-CG's direction update `p ← D⁻¹r + βp`, done inside the product pass.
    struct JacobiDirection {
        let beta: Double
        let residual: UnsafePointer<Double>
        let inverseDiagonal: UnsafePointer<Double>
    }

    /// The most rows formed between two catch-ups of the direction, so that the entries of `p` the
    /// update writes are still in the first-level cache when the product reads them.
    private static let chunk = 256

    /// `q = A p` (or `Aᵀp`) with the constant runs multiplied as scalars, returning `pᵀq` when `dot`;
    /// with `direction`, `p ← D⁻¹r + βp` first, in the same pass (each entry updated before it is read).
    ///
    /// ```
    /// qₙ = Σ_{t ≠ main} cₜ · p[n + sₜ] + a_nn · pₙ      n in the interior, not an exception
    /// qₙ = Σₜ d[vₜ + n] · p[n + sₜ]                     otherwise (the general kernels' row)
    /// ```
    ///
    /// Every entry of `q` (and `p`) has the general kernels' bits; `pᵀq` is summed in another order.
    ///
    /// - Parameters:
    ///   - rows: the order of the square matrix, `≥ 1`.
    ///   - offsets: its three or five offsets, increasing, the middle one `0`.
    ///   - d: its diagonals.
    ///   - constants: `cₜ` per run (``DiagonalOffsetConstantRuns/constants``).
    ///   - exceptions: the rows (or, transposed, the columns) that meet a non-constant value, increasing.
    ///   - transposed: `true` for `q = Aᵀp`.
    ///   - direction: the direction update to make in the pass, or `nil`.
    ///   - p: length `rows`; written only with `direction`.
    ///   - q: length `rows`, overwritten.
    ///   - dot: whether to sum `pᵀq`.
    ///   - vector: whether the rows between exceptions run on the AVX2 kernel
    ///     (``vectorRows(five:_:_:_:_:_:_:dot:_:direction:)``, the same bits); only when ``vectorKernels``.
    /// - Returns: `pᵀq` when `dot`, else `0`.
    static func constantRunProduct(rows: Int, _ offsets: UnsafeBufferPointer<Int>, _ d: UnsafePointer<Double>,
                                   constants: UnsafeBufferPointer<Double>, exceptions: UnsafeBufferPointer<Int>,
                                   transposed: Bool, direction: JacobiDirection?,
                                   _ p: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
                                   dot: Bool, vector: Bool) -> Double {
        let terms = offsets.count
        let middle = terms / 2
        precondition((terms == 3 || terms == 5) && offsets[middle] == 0, "constantRunProduct: not a stencil's form")
        precondition(!vector || vectorKernels, "constantRunProduct: no AVX2 kernel on this processor")
        return withShifts(terms) { vShift, xShift, low, high in
            let (first, last, ahead) = squareShifts(rows: rows, offsets, transposed: transposed, vShift, xShift, low, high)
            var updated = 0
            // The direction up to `end` (every row below `end` reads p only there).
            func advance(_ end: Int) {
                guard let u = direction else { return }
                let end = Swift.min(rows, end)
                guard updated < end else { return }
                updateJacobiDirection(updated, end, beta: u.beta, u.residual, u.inverseDiagonal, p)
                updated = end
            }
            var total = 0.0
            func edge(_ n: Int) {
                var s = 0.0
                for t in 0..<terms where low[t] <= n && n < high[t] { s += d[vShift[t] + n] * p[xShift[t] + n] }
                q[n] = s
                if dot { total += p[n] * s }
            }
            advance(first + ahead)
            for n in 0..<first { edge(n) }
            let v = (d + vShift[0], d + vShift[1], d + vShift[2], d + vShift[terms - 2], d + vShift[terms - 1])
            let x = (UnsafePointer(p + xShift[0]), UnsafePointer(p + xShift[1]), UnsafePointer(p + xShift[2]),
                     UnsafePointer(p + xShift[terms - 2]), UnsafePointer(p + xShift[terms - 1]))
            let c = terms == 5 ? (constants[0], constants[1], constants[3], constants[4]) : (constants[0], constants[2], 0, 0)
            let vm = d + vShift[middle]
            var sums = (even: SIMD2<Double>(), odd: SIMD2<Double>(), total: 0.0)
            var k = 0
            while k < exceptions.count && exceptions[k] < first { k += 1 }
            var n = first
            while n < last {
                var stop = Swift.min(last, n + chunk)
                if k < exceptions.count { stop = Swift.min(stop, exceptions[k]) }
                if stop > n {
                    if let u = direction {
                        // The direction kept at least four rows ahead of what the product reads, two
                        // pairs per four rows while that stays inside the matrix.
                        advance(n + 4 + ahead)
                        let delta = updated - n
                        let shifted = (u.inverseDiagonal + delta, u.residual + delta, p + delta, u.beta, rows - delta)
                        n = vector
                            ? vectorRows(five: terms == 5, n, stop, c, vm, x, q, dot: dot, &sums, direction: shifted)
                            : terms == 5
                            ? constantRows(five: true, n, stop, c, vm, x, q, dot: dot, &sums, direction: shifted)
                            : constantRows(five: false, n, stop, c, vm, x, q, dot: dot, &sums, direction: shifted)
                        updated = Swift.max(updated, Swift.min(rows, n + delta))
                        // Stopped by the end of the direction rather than of the segment: the rest of it.
                        if n + 4 <= stop { advance(rows) }
                    }
                    if n < stop {
                        n = vector
                            ? vectorRows(five: terms == 5, n, stop, c, vm, x, q, dot: dot, &sums, direction: nil)
                            : terms == 5
                            ? constantRows(five: true, n, stop, c, vm, x, q, dot: dot, &sums, direction: nil)
                            : constantRows(five: false, n, stop, c, vm, x, q, dot: dot, &sums, direction: nil)
                    }
                }
                if n < last && k < exceptions.count && exceptions[k] == n {
                    advance(n + 1 + ahead)
                    let (v0, v1, v2, v3, v4) = v
                    let (x0, x1, x2, x3, x4) = x
                    var y = v0[n] * x0[n] + v1[n] * x1[n] + v2[n] * x2[n]
                    if terms == 5 { y = y + v3[n] * x3[n] + v4[n] * x4[n] }
                    q[n] = y
                    if dot { total += p[n] * y }
                    n += 1
                    k += 1
                }
            }
            advance(rows)
            for n in last..<rows { edge(n) }
            return total + sums.total + (sums.even + sums.odd).sum()
        }
    }

    /// Rows `start ..< end` (inside the interior, none an exception) with the runs' constants, by
    /// pairs in the general kernels' order of terms; their part of `pᵀq` added to `sums` when `dot`.
    ///
    /// With `direction` `(D⁻¹, r, p, β, count)`, shifted `δ` rows ahead of the product (`δ` at least
    /// four beyond the farthest entry a row reads), each four rows also update the direction at their
    /// rows `+ δ` while those are below `count`; the rows then stop at the first four that would pass
    /// it. Returns the row reached (`end` without a direction).
    @inline(__always)
    private static func constantRows(five: Bool, _ start: Int, _ end: Int, _ c: (Double, Double, Double, Double),
                                     _ vm: UnsafePointer<Double>,
                                     _ x: TermPointers,
                                     _ q: UnsafeMutablePointer<Double>, dot: Bool,
                                     _ sums: inout (even: SIMD2<Double>, odd: SIMD2<Double>, total: Double),
                                     direction: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafeMutablePointer<Double>,
                                                 Double, Int)?) -> Int {
        typealias V = SIMD2<Double>
        let (x0, x1, x2, x3, x4) = x
        // The main diagonal's p: the middle term (x2 of five, x1 of three).
        let xm = five ? x2 : x1
        let (c0, c1, c2, c3) = (V(repeating: c.0), V(repeating: c.1), V(repeating: c.2), V(repeating: c.3))
        @inline(__always) func pair(_ n: Int) -> V {
            var y: V
            if five {
                y = c0 * loadPair(x0 + n) + c1 * loadPair(x1 + n) + loadPair(vm + n) * loadPair(x2 + n)
                y = y + c2 * loadPair(x3 + n) + c3 * loadPair(x4 + n)
            } else {
                y = c0 * loadPair(x0 + n) + loadPair(vm + n) * loadPair(x1 + n) + c1 * loadPair(x2 + n)
            }
            storePair(y, q + n)
            return loadPair(xm + n) * y
        }
        var n = start
        if let (mu, ru, pu, beta, count) = direction {
            let b = V(repeating: beta)
            while n &+ 4 <= end && n &+ 4 <= count {
                let a = pair(n), e = pair(n &+ 2)
                if dot { sums.even += a; sums.odd += e }
                storePair(loadPair(mu + n) * loadPair(ru + n) + b * loadPair(pu + n), pu + n)
                storePair(loadPair(mu + n + 2) * loadPair(ru + n + 2) + b * loadPair(pu + n + 2), pu + n + 2)
                n &+= 4
            }
            return n
        }
        while n &+ 4 <= end {
            let a = pair(n), b = pair(n &+ 2)
            if dot { sums.even += a; sums.odd += b }
            n &+= 4
        }
        if n + 2 <= end {
            let a = pair(n)
            if dot { sums.even += a }
            n += 2
        }
        if n < end {
            var y: Double
            if five {
                y = c.0 * x0[n] + c.1 * x1[n] + vm[n] * x2[n]
                y = y + c.2 * x3[n] + c.3 * x4[n]
            } else {
                y = c.0 * x0[n] + vm[n] * x1[n] + c.1 * x2[n]
            }
            q[n] = y
            if dot { sums.total += xm[n] * y }
        }
        return end
    }
}
