/// The loops of ``DiagonalOffsetMatrix`` on raw buffers (kernel helpers: no bounds or
/// uniqueness checks inside the loops; the callers check lengths).
enum DiagonalOffsetKernels {
    /// The distinct offsets `j − i` of the stored entries of a CSC pattern, increasing, or `nil`
    /// when there are more than `maximum`. A column's rows increase, so its offsets decrease: read
    /// from its last entry back, they increase and a cursor into the sorted list finds each one.
    static func offsets(columns n: Int, _ p: UnsafeBufferPointer<Int>, _ row: UnsafeBufferPointer<Int>,
                        maximum: Int) -> [Int]? {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: maximum + 1) { found in
            var count = 0
            for j in 0..<n {
                var t = 0
                var k = p[j + 1]
                let start = p[j]
                while k > start {
                    k -= 1
                    let o = j &- row[k]
                    while t < count && found[t] < o { t &+= 1 }
                    if t < count && found[t] == o { t &+= 1; continue }
                    guard count < maximum else { return nil }
                    var s = count
                    while s > t { found[s] = found[s - 1]; s -= 1 }
                    found[t] = o
                    count += 1
                    t &+= 1
                }
            }
            return Array(found[0..<count])
        }
    }

    /// Writes each stored entry `(i, j)` to `d[t · rows + i]`, where `offsets[t] = j − i`, and
    /// returns `false` at the first entry whose offset is not in `offsets` (`d` is zero-filled by
    /// the caller). A column's offsets increase from its last entry back, so the search for each
    /// one goes on from the previous one's.
    static func fill(columns n: Int, rows: Int, _ p: UnsafeBufferPointer<Int>, _ row: UnsafeBufferPointer<Int>,
                     _ v: UnsafeBufferPointer<Double>, offsets: UnsafeBufferPointer<Int>,
                     into d: UnsafeMutableBufferPointer<Double>) -> Bool {
        let count = offsets.count
        guard n > 0 else { return true }
        guard let dp = d.baseAddress, let op = offsets.baseAddress else { return p[n] == p[0] }
        var start = p[0]
        for j in 0..<n {
            let end = p[j + 1]
            var t = 0
            var k = end
            while k > start {
                k -= 1
                let i = row[k]
                let o = j &- i
                while t < count && op[t] != o { t &+= 1 }
                guard t < count else { return false }
                dp[t &* rows &+ i] = v[k]
                t &+= 1
            }
            start = end
        }
        return true
    }

    /// `y = A x`: `yᵢ = Σₜ d[t·rows + i] · x[i + oₜ]` over the terms with `0 ≤ i + oₜ < columns`;
    /// returns `xᵀy` when `dot` (square `A`), else `0`.
    static func multiply(rows: Int, columns: Int, _ offsets: UnsafeBufferPointer<Int>, _ d: UnsafeBufferPointer<Double>,
                         _ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>, dot: Bool) -> Double {
        withShifts(offsets.count) { valueShift, xShift, low, high in
            for (t, o) in offsets.enumerated() {
                (valueShift[t], xShift[t], low[t], high[t]) = (t * rows, o, -o, columns - o)
            }
            return shiftedSums(count: rows, valueShift, xShift, low, high, d, x, y, dot: dot)
        }
    }

    /// `y = Aᵀ x`: `yⱼ = Σₜ d[t·rows + j − oₜ] · x[j − oₜ]` over the terms with `0 ≤ j − oₜ < rows`;
    /// returns `xᵀy` when `dot` (square `A`), else `0`.
    static func multiplyTransposed(rows: Int, columns: Int, _ offsets: UnsafeBufferPointer<Int>,
                                   _ d: UnsafeBufferPointer<Double>, _ x: UnsafeBufferPointer<Double>,
                                   _ y: UnsafeMutableBufferPointer<Double>, dot: Bool) -> Double {
        withShifts(offsets.count) { valueShift, xShift, low, high in
            for (t, o) in offsets.enumerated() {
                (valueShift[t], xShift[t], low[t], high[t]) = (t * rows - o, -o, o, rows + o)
            }
            return shiftedSums(count: columns, valueShift, xShift, low, high, d, x, y, dot: dot)
        }
    }

    /// The shifts of a square matrix's terms for `A p` (or `Aᵀp`), written into the four arrays as
    /// ``multiply(rows:columns:_:_:_:_:dot:)`` (or its transpose) writes them, and the rows
    /// `first ..< last` where every term is inside the matrix, and `ahead`, the largest forward shift
    /// of `p` a row reads.
    static func squareShifts(rows: Int, _ offsets: UnsafeBufferPointer<Int>, transposed: Bool,
                             _ vShift: UnsafeMutableBufferPointer<Int>, _ xShift: UnsafeMutableBufferPointer<Int>,
                             _ low: UnsafeMutableBufferPointer<Int>, _ high: UnsafeMutableBufferPointer<Int>)
        -> (first: Int, last: Int, ahead: Int) {
        for (t, o) in offsets.enumerated() {
            (vShift[t], xShift[t], low[t], high[t]) = transposed ? (t * rows - o, -o, o, rows + o) : (t * rows, o, -o, rows - o)
        }
        var first = 0, last = rows, ahead = 0
        for t in offsets.indices {
            first = Swift.max(first, low[t])
            last = Swift.min(last, high[t])
            ahead = Swift.max(ahead, xShift[t])
        }
        first = Swift.min(first, rows)
        return (first, Swift.max(last, first), ahead)
    }

    /// One pointer per term of a three- or five-diagonal row, in the offsets' order: the diagonals'
    /// value runs, or the windows of the vector they multiply (three diagonals use the first three).
    typealias TermPointers = (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>,
                              UnsafePointer<Double>, UnsafePointer<Double>)

    /// Four scratch arrays of `count` integers on the stack.
    static func withShifts<R>(_ count: Int, _ body: (UnsafeMutableBufferPointer<Int>, UnsafeMutableBufferPointer<Int>,
                                                             UnsafeMutableBufferPointer<Int>, UnsafeMutableBufferPointer<Int>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * Swift.max(count, 1)) { s in
            let c = Swift.max(count, 1)
            let base = s.baseAddress!
            return body(.init(start: base, count: count), .init(start: base + c, count: count),
                        .init(start: base + 2 * c, count: count), .init(start: base + 3 * c, count: count))
        }
    }

    /// Rows per block of the interior loop: the block of `y` stays in the first-level cache while
    /// every diagonal is added to it.
    private static let block = 512

    /// `yₙ = Σₜ d[vₜ + n] · x[xₜ + n]` over the terms with `lowₜ ≤ n < highₜ`, for `n < count`, and
    /// `Σ xₙ yₙ` when `dot`. Rows where every term is present (the interior) run by blocks on SIMD2
    /// lanes, one diagonal at a time; the others term by term with the test.
    private static func shiftedSums(count: Int, _ vShift: UnsafeMutableBufferPointer<Int>,
                                    _ xShift: UnsafeMutableBufferPointer<Int>, _ low: UnsafeMutableBufferPointer<Int>,
                                    _ high: UnsafeMutableBufferPointer<Int>, _ d: UnsafeBufferPointer<Double>,
                                    _ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>,
                                    dot: Bool) -> Double {
        let terms = vShift.count
        guard count > 0 else { return 0 }
        guard terms > 0, let dp = d.baseAddress, let xp = x.baseAddress, let yp = y.baseAddress else {
            for n in 0..<count { y[n] = 0 }
            return 0
        }
        var first = 0, last = count
        for t in 0..<terms {
            first = Swift.max(first, low[t])
            last = Swift.min(last, high[t])
        }
        first = Swift.min(first, count)
        last = Swift.max(last, first)
        var total = 0.0
        func edge(_ n: Int) {
            var s = 0.0
            for t in 0..<terms where low[t] <= n && n < high[t] { s += dp[vShift[t] + n] * xp[xShift[t] + n] }
            yp[n] = s
            if dot { total += xp[n] * s }
        }
        for n in 0..<first { edge(n) }
        typealias V = SIMD2<Double>
        var even = V(), odd = V()
        var start = first
        if terms == 5 || terms == 3 {
            // Three or five diagonals (a 1-D or 2-D stencil): every term of a pair of rows in registers,
            // one pass, the terms added in the blocked loop's order (the same bits).
            let v0 = dp + vShift[0], x0 = xp + xShift[0], v1 = dp + vShift[1], x1 = xp + xShift[1]
            let v2 = dp + vShift[2], x2 = xp + xShift[2]
            let v3 = dp + vShift[terms - 2], x3 = xp + xShift[terms - 2]
            let v4 = dp + vShift[terms - 1], x4 = xp + xShift[terms - 1]
            var n = first
            while n + 2 <= last {
                var y = loadPair(v0 + n) * loadPair(x0 + n) + loadPair(v1 + n) * loadPair(x1 + n) + loadPair(v2 + n) * loadPair(x2 + n)
                if terms == 5 { y = y + loadPair(v3 + n) * loadPair(x3 + n) + loadPair(v4 + n) * loadPair(x4 + n) }
                storePair(y, yp + n)
                if dot { even += loadPair(xp + n) * y }
                n += 2
            }
            if n < last {
                var y = v0[n] * x0[n] + v1[n] * x1[n] + v2[n] * x2[n]
                if terms == 5 { y = y + v3[n] * x3[n] + v4[n] * x4[n] }
                yp[n] = y
                if dot { total += xp[n] * y }
            }
            start = last
        }
        while start < last {
            let end = Swift.min(start + block, last)
            let v0 = dp + vShift[0], x0 = xp + xShift[0]
            var n = start
            while n + 2 <= end {
                storePair(loadPair(v0 + n) * loadPair(x0 + n), yp + n)
                n += 2
            }
            if n < end { yp[n] = v0[n] * x0[n] }
            for t in 1..<terms {
                let vt = dp + vShift[t], xt = xp + xShift[t]
                n = start
                while n + 2 <= end {
                    storePair(loadPair(yp + n) + loadPair(vt + n) * loadPair(xt + n), yp + n)
                    n += 2
                }
                if n < end { yp[n] += vt[n] * xt[n] }
            }
            if dot {
                n = start
                while n + 4 <= end {
                    even += loadPair(xp + n) * loadPair(yp + n)
                    odd += loadPair(xp + n + 2) * loadPair(yp + n + 2)
                    n += 4
                }
                while n < end {
                    total += xp[n] * yp[n]
                    n += 1
                }
            }
            start = end
        }
        for n in last..<count { edge(n) }
        return total + (even + odd).sum()
    }
}
