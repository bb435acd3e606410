/// The off-diagonal runs of a square stencil's diagonal form when each holds one constant, but for a
/// few rows: the constant-coefficient part of a discretization (the 2-D Laplacian's `−1`s) beside a
/// varying main diagonal.
///
/// A form of three or five diagonals whose middle one is the main diagonal qualifies when every
/// other run `t` equals one constant `cₜ` (same value and same sign, so `−0.0 ≠ 0.0` and a NaN
/// is never a constant) at all its rows inside the matrix but a few, its exceptions (the zeros where
/// a 2-D stencil's grid line ends, or any other value). The products then multiply `p` by `cₜ`
/// instead of loading the run, and form each row that meets an exception from the stored values:
///
/// ```
/// (A p)ₙ = Σₜ cₜ · p[n + oₜ] + a_nn · pₙ          n not in rowExceptions
/// (Aᵀp)ₙ = Σₜ cₜ · p[n − oₜ] + a_nn · pₙ          n not in columnExceptions
/// rowExceptions    = { i : vₜ[i] ≠ cₜ for some t }
/// columnExceptions = { i + oₜ : vₜ[i] ≠ cₜ for some t }
/// ```
///
/// `cₜ · p` has the bits of `vₜ[n] · p` wherever `vₜ[n]` is `cₜ`, so every entry of the products is
/// the general kernels' to the bit.
package struct DiagonalOffsetConstantRuns: Sendable, Equatable {
    /// `cₜ` for every run, `0` at the main diagonal's place.
    package let constants: [Double]
    /// The rows, increasing, where some off-diagonal run is not its constant.
    package let rowExceptions: [Int]
    /// The columns, increasing, of those entries (the rows of `Aᵀ` that meet them).
    package let columnExceptions: [Int]

    /// The constant runs of a square form, or `nil` when it does not qualify: not three or five
    /// diagonals, the middle one not the main diagonal, or more than `rows / 8` rows (or columns)
    /// meet an exception.
    ///
    /// Each run's constant is its first value inside the matrix, or, when that one is an exception
    /// itself (a 2-D stencil's first line end), the first value that differs from it.
    ///
    /// - Parameters:
    ///   - rows: the order of the matrix.
    ///   - offsets: increasing offsets `column − row`.
    ///   - values: `offsets.count · rows` values (``DiagonalOffsetMatrix/values``).
    /// - Returns: the runs' constants and exceptions, or `nil`.
    package static func detect(rows: Int, offsets: [Int], values: [Double]) -> DiagonalOffsetConstantRuns? {
        let terms = offsets.count
        guard terms == 3 || terms == 5, offsets[terms / 2] == 0, values.count == terms * rows, rows >= 8 else {
            return nil
        }
        let limit = rows / 8
        var constants = [Double](repeating: 0, count: terms)
        var rowExceptions: [Int] = [], columnExceptions: [Int] = [], misses: [Int] = []
        for t in 0..<terms where t != terms / 2 {
            let o = offsets[t]
            let low = Swift.max(0, -o), high = Swift.min(rows, rows - o)
            guard low < high else { return nil }
            // Same value and sign, never NaN: the same bits, and the constant itself not a NaN.
            var c = values[t * rows + low]
            if !DiagonalOffsetKernels.mismatches(values, from: t * rows + low, to: t * rows + high, of: c,
                                                 limit: limit, into: &misses) {
                guard let other = misses.first(where: { $0 > t * rows + low }) else { return nil }
                c = values[other]
                guard DiagonalOffsetKernels.mismatches(values, from: t * rows + low, to: t * rows + high, of: c,
                                                       limit: limit, into: &misses) else { return nil }
            }
            guard !c.isNaN else { return nil }
            constants[t] = c
            for k in misses {
                rowExceptions.append(k - t * rows)
                columnExceptions.append(k - t * rows + o)
            }
        }
        func increasing(_ list: [Int]) -> [Int] {
            var list = list.sorted()
            var kept = 0
            for k in list.indices where k == 0 || list[k] != list[k - 1] {
                list[kept] = list[k]
                kept += 1
            }
            return Array(list[..<kept])
        }
        let rowsMet = increasing(rowExceptions), columnsMet = increasing(columnExceptions)
        guard rowsMet.count <= limit, columnsMet.count <= limit else { return nil }
        return DiagonalOffsetConstantRuns(constants: constants, rowExceptions: rowsMet, columnExceptions: columnsMet)
    }
}

extension DiagonalOffsetKernels {
    /// The positions `k` in `start ..< end` where `values[k]` has other bits than `c`, increasing, into
    /// `found` (cleared first); `false` as soon as there are more than `limit` of them (then `found`
    /// holds the first `limit + 1`). Sixteen values are compared at a time (the bits' differences
    /// or-ed together), and only a block that holds a difference is looked at one by one.
    static func mismatches(_ values: [Double], from start: Int, to end: Int, of c: Double, limit: Int,
                           into found: inout [Int]) -> Bool {
        found.removeAll(keepingCapacity: true)
        return values.withUnsafeBufferPointer { v in
            guard let base = v.baseAddress else { return true }
            return base.withMemoryRebound(to: UInt64.self, capacity: v.count) { bits in
                let pattern = c.bitPattern
                func look(_ from: Int, _ to: Int) -> Bool {
                    for i in from..<to where bits[i] != pattern {
                        found.append(i)
                        if found.count > limit { return false }
                    }
                    return true
                }
                var k = start
                while k &+ 16 <= end {
                    var differ: UInt64 = 0
                    for i in k..<(k &+ 16) { differ |= bits[i] ^ pattern }
                    if differ != 0 { guard look(k, k &+ 16) else { return false } }
                    k &+= 16
                }
                return look(k, end)
            }
        }
    }
}
