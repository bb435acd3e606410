/// Where each stored entry of one sparsity pattern lands among the values of its diagonal form
/// (``DiagonalOffsetMatrix``), and which of those values no entry fills: found once per pattern,
/// so that the form of every matrix on that pattern is written without searching the offsets.
///
/// ```
/// slots[k] = t · rows + i      for the k-th stored entry (i, j), offsets[t] = j − i
/// holes    = { 0 ..< offsets.count · rows } ∖ { slots[k] }      (written 0)
/// ```
package struct DiagonalOffsetSlots: Sendable {
    /// The pattern the slots were found for.
    package let pattern: SparsityPattern
    /// The diagonals, as `column − row`, increasing.
    package let offsets: [Int]
    private let slots: [UInt32]
    private let holes: [UInt32]

    /// The slots of `pattern` on `offsets`.
    ///
    /// - Parameters:
    ///   - pattern: a sparsity pattern.
    ///   - offsets: distinct increasing offsets `column − row`.
    /// - Returns: `nil` when ``DiagonalOffsetMatrix/init(_:offsets:)`` would refuse a matrix on
    ///   `pattern`, or the form holds more than `UInt32.max` values.
    package init?(_ pattern: SparsityPattern, offsets: [Int]) {
        // The checked fill of the positions themselves: entry k's value is k + 1.
        let positions = (0..<pattern.nonZeroCount).map { Double($0 + 1) }
        guard let a = try? SparseMatrix(pattern: pattern, values: positions),
              let form = DiagonalOffsetMatrix(a, offsets: offsets),
              form.values.count <= Int(UInt32.max) else { return nil }
        var slots = [UInt32](repeating: 0, count: pattern.nonZeroCount), holes: [UInt32] = []
        for (p, v) in form.values.enumerated() {
            if v == 0 { holes.append(UInt32(p)) } else { slots[Int(v) - 1] = UInt32(p) }
        }
        self.pattern = pattern
        self.offsets = offsets
        self.slots = slots
        self.holes = holes
    }

    /// The diagonal form of `a` (``DiagonalOffsetMatrix/init(_:offsets:)``'s values), each entry written
    /// to its slot and each hole to `0`, into `storage` when that holds the form's size.
    ///
    /// `storage` is moved into the result and left empty; when another value still shares its elements,
    /// writing copies them first, so no other value changes.
    ///
    /// - Parameters:
    ///   - a: a matrix on ``pattern``.
    ///   - storage: a buffer to reuse (any contents); left empty.
    /// - Returns: `nil` when `a`'s pattern is not ``pattern``.
    package func form(_ a: SparseMatrix, reusing storage: inout [Double]) -> DiagonalOffsetMatrix? {
        var values: [Double] = []
        swap(&values, &storage)
        guard a.pattern == pattern else { return nil }
        let count = slots.count + holes.count
        if values.count != count { values = [Double](repeating: 0, count: count) }
        values.withUnsafeMutableBufferPointer { d in
            a.values.withUnsafeBufferPointer { v in
                slots.withUnsafeBufferPointer { s in
                    holes.withUnsafeBufferPointer { h in
                        DiagonalOffsetKernels.scatter(v, slots: s, holes: h, into: d)
                    }
                }
            }
        }
        return DiagonalOffsetMatrix(filled: a.rows, columns: a.columns, offsets: offsets, values: values)
    }
}

extension DiagonalOffsetKernels {
    /// `d[slots[k]] = v[k]` for every `k`, `d[h] = 0` for every hole `h` (all in range by construction).
    static func scatter(_ v: UnsafeBufferPointer<Double>, slots: UnsafeBufferPointer<UInt32>,
                        holes: UnsafeBufferPointer<UInt32>, into d: UnsafeMutableBufferPointer<Double>) {
        guard let dp = d.baseAddress else { return }
        if let vp = v.baseAddress, let sp = slots.baseAddress {
            for k in 0..<slots.count { dp[Int(sp[k])] = vp[k] }
        }
        for h in holes { dp[Int(h)] = 0 }
    }
}
