/// Jacobi-preconditioned conjugate gradients' new direction and its product in one pass over a
/// square matrix of three or five diagonals (kernel helpers: raw pointers, no checks inside the loops).
extension DiagonalOffsetKernels {
    /// Whether ``directionAndProduct(rows:_:_:transposed:beta:_:_:_:_:)`` runs fused for this many diagonals.
    static func fusesDirection(terms: Int) -> Bool { terms == 3 || terms == 5 }

    /// The direction update and the product with its curvature, in one sweep:
    ///
    /// ```
    /// p ← D⁻¹r + β p,   q ← A p  (or Aᵀp),   returns pᵀq
    /// ```
    ///
    /// Row `n` of the product reads `p` up to `n + s` (`s` the largest forward shift of the
    /// diagonals), so the sweep updates `p` that far ahead of the rows it forms: every entry of `p`
    /// is updated once, before it is first read. Each entry of `p` and `q` has the bits of the
    /// separate passes; `pᵀq` is summed in two interleaved partial sums.
    ///
    /// - Parameters:
    ///   - rows: the order of the square matrix.
    ///   - offsets: its three or five offsets, increasing.
    ///   - d: its diagonals (``DiagonalOffsetMatrix/values``).
    ///   - transposed: `true` for `q = Aᵀp`.
    ///   - beta: `β`.
    ///   - r: the residual, length `rows`.
    ///   - inverseDiagonal: `D⁻¹`, length `rows`.
    ///   - p: the direction, length `rows`, updated.
    ///   - q: length `rows`, overwritten.
    ///   - vector: whether the interior rows run on the AVX2 kernel (``vectorInterior(five:first:last:rows:lead:beta:_:_:_:_:_:_:)``,
    ///     the same bits); only when ``vectorKernels``.
    /// - Returns: `pᵀq` of the updated `p`.
    static func directionAndProduct(rows: Int, _ offsets: UnsafeBufferPointer<Int>, _ d: UnsafeBufferPointer<Double>,
                                    transposed: Bool, beta: Double, _ r: UnsafeBufferPointer<Double>,
                                    _ inverseDiagonal: UnsafeBufferPointer<Double>,
                                    _ p: UnsafeMutableBufferPointer<Double>, _ q: UnsafeMutableBufferPointer<Double>,
                                    vector: Bool) -> Double {
        let terms = offsets.count
        precondition(fusesDirection(terms: terms), "directionAndProduct: \(terms) diagonals, not 3 or 5")
        precondition(!vector || vectorKernels, "directionAndProduct: no AVX2 kernel on this processor")
        guard rows > 0, let dp = d.baseAddress, let rp = r.baseAddress, let mp = inverseDiagonal.baseAddress,
              let pp = p.baseAddress, let qp = q.baseAddress else { return 0 }
        return withShifts(terms) { vShift, xShift, low, high in
            let (first, last, ahead) = squareShifts(rows: rows, offsets, transposed: transposed, vShift, xShift, low, high)
            var total = 0.0
            func edge(_ n: Int) {
                var s = 0.0
                for t in 0..<terms where low[t] <= n && n < high[t] { s += dp[vShift[t] + n] * pp[xShift[t] + n] }
                qp[n] = s
                total += pp[n] * s
            }
            // The interior reads four rows ahead of the updated part: rows n ..< n + 4 read p below n + 4 + ahead.
            let lead = 4 + ahead
            updateJacobiDirection(0, Swift.min(rows, first + lead), beta: beta, rp, mp, pp)
            for n in 0..<first { edge(n) }
            let v = (dp + vShift[0], dp + vShift[1], dp + vShift[2], dp + vShift[terms - 2], dp + vShift[terms - 1])
            let x = (UnsafePointer(pp + xShift[0]), UnsafePointer(pp + xShift[1]), UnsafePointer(pp + xShift[2]),
                     UnsafePointer(pp + xShift[terms - 2]), UnsafePointer(pp + xShift[terms - 1]))
            // The two stencil widths as separate loops (`five` a constant in each).
            total += vector
                ? vectorInterior(five: terms == 5, first: first, last: last, rows: rows, lead: lead, beta: beta, v, x, rp, mp, pp, qp)
                : terms == 5
                ? interior(five: true, first: first, last: last, rows: rows, lead: lead, beta: beta, v, x, rp, mp, pp, qp)
                : interior(five: false, first: first, last: last, rows: rows, lead: lead, beta: beta, v, x, rp, mp, pp, qp)
            for n in last..<rows { edge(n) }
            return total
        }
    }

    /// Rows `first ..< last` of the product (every term inside the matrix), updating the direction
    /// `lead` rows ahead while that stays inside, then the rest of the direction; returns their part of `pᵀq`.
    @inline(__always)
    private static func interior(five: Bool, first: Int, last: Int, rows: Int, lead: Int, beta: Double,
                                 _ v: TermPointers,
                                 _ x: TermPointers,
                                 _ rp: UnsafePointer<Double>, _ mp: UnsafePointer<Double>,
                                 _ pp: UnsafeMutablePointer<Double>, _ qp: UnsafeMutablePointer<Double>) -> Double {
        let (v0, v1, v2, v3, v4) = v
        let (x0, x1, x2, x3, x4) = x
        let b = SIMD2<Double>(repeating: beta)
        @inline(__always) func row(_ n: Int) -> SIMD2<Double> {
            var y = loadPair(v0 + n) * loadPair(x0 + n) + loadPair(v1 + n) * loadPair(x1 + n) + loadPair(v2 + n) * loadPair(x2 + n)
            if five { y = y + loadPair(v3 + n) * loadPair(x3 + n) + loadPair(v4 + n) * loadPair(x4 + n) }
            storePair(y, qp + n)
            return loadPair(pp + n) * y
        }
        var even = SIMD2<Double>(), odd = SIMD2<Double>()
        var total = 0.0
        var n = first
        // Rows n ..< n + 4, then the direction at n + lead ..< n + lead + 4 (read from the next step on).
        let pu = pp + lead, ru = rp + lead, mu = mp + lead
        while n &+ 4 <= last && n &+ lead &+ 4 <= rows {
            even += row(n)
            odd += row(n + 2)
            storePair(loadPair(mu + n) * loadPair(ru + n) + b * loadPair(pu + n), pu + n)
            storePair(loadPair(mu + n + 2) * loadPair(ru + n + 2) + b * loadPair(pu + n + 2), pu + n + 2)
            n += 4
        }
        updateJacobiDirection(Swift.max(Swift.min(rows, first + lead), Swift.min(rows, n + lead)), rows, beta: beta, rp, mp, pp)
        while n + 4 <= last {
            even += row(n)
            odd += row(n + 2)
            n += 4
        }
        if n + 2 <= last {
            even += row(n)
            n += 2
        }
        while n < last {
            var y = v0[n] * x0[n] + v1[n] * x1[n] + v2[n] * x2[n]
            if five { y = y + v3[n] * x3[n] + v4[n] * x4[n] }
            qp[n] = y
            total += pp[n] * y
            n += 1
        }
        return total + (even + odd).sum()
    }
}
