import LinearAlgebra

// Sparsity detection by index-set propagation (forward mode over the
// Boolean semiring): every node carries the set of inputs it depends on,
// the union of its parents' sets; an output's set is a row of the Jacobian's
// pattern. Reference: A. Griewank & A. Walther, "Evaluating Derivatives",
// 2nd ed., SIAM 2008, §7.1 (propagating index domains); the tracer view is
// that of Walther, "Computing sparse Hessians with automatic differentiation",
// ACM TOMS 34 (2008).
//
// Deviations from the textbook:
//  1. The pattern is local: an edge whose recorded partial is exactly zero
//     at this point (d = 0, e.g. `x·y` at `y = 0`, `max` on the side not
//     taken, `abs` at 0) is dropped. The result is the pattern of the
//     Jacobian at the recorded point, branches as taken — a superset of its
//     non-zeros that differs only by numerical cancellation along different
//     paths (`(x + y) − y`). A NaN partial is kept.
//  2. A custom node (a `recordCustom` operation) contributes the pattern
//     its `pattern` closure returns (`M·v`: the non-zeros of `M`), or, when
//     it gives none, a dense block: each output depends on every input.
//  3. A set is released after its node's last use, so memory is bounded by
//     the sets alive at once, not by the tape's length times the set size.

extension TapeRecording {
    /// The pattern of the Jacobian `∂outputs/∂inputs` at the recorded point
    /// (`outputCount × inputCount`), by index-set propagation through the
    /// recorded nodes, one pass.
    ///
    /// ```
    /// S(input j) = {j},   S(wₖ) = ⋃ { S(parent) : ∂wₖ/∂parent ≠ 0 },   row i = S(output i)
    /// ```
    ///
    /// Partials that are exactly zero at this point are dropped (the pattern
    /// of the derivative here, branches as taken); custom nodes contribute
    /// the pattern they declare, or a dense block when they declare none.
    /// Cost: the sum over nodes of their parents' set sizes.
    ///
    /// - Returns: the pattern, `outputCount × inputCount`.
    public func jacobianPattern() -> SparsityPattern {
        var tracer = IndexSetTracer(self)
        return tracer.run()
    }
}

/// The state of one index-set propagation over a recording.
struct IndexSetTracer {
    let recording: TapeRecording
    /// The input set of each node (empty: constant, released, or not yet reached).
    var sets: [[Int32]]
    /// The last node reading each node's set (`Int.max` for outputs: never released).
    var lastUse: [Int]

    init(_ recording: TapeRecording) {
        self.recording = recording
        let count = recording.nodeCount
        sets = [[Int32]](repeating: [], count: count)
        lastUse = [Int](repeating: 0, count: count)
    }

    mutating func run() -> SparsityPattern {
        let r = recording
        markLastUses()
        for j in 0..<r.inputCount { sets[1 + j] = [Int32(j)] }
        var k = 1 + r.inputCount
        for c in r.customs {
            traceSegment(k, c.outputStart)
            traceCustom(c)
            k = c.outputStart + c.outputCount
        }
        traceSegment(k, r.nodeCount)
        // Row i of the pattern is the set of output i; rows are built as the
        // columns of the transpose, then transposed once.
        var pointers = [0], columns: [Int] = []
        pointers.reserveCapacity(r.outputCount + 1)
        for (i, index) in r.outputIndices.enumerated() {
            if r.outputScales[i] != 0 { columns.append(contentsOf: sets[Int(index)].lazy.map(Int.init)) }
            pointers.append(columns.count)
        }
        return SparsityPattern(unchecked: r.inputCount, r.outputCount, pointers, columns).transposed()
    }

    /// `lastUse[p]` = the last node that reads `p`; a custom node reads its inputs at its first output.
    mutating func markLastUses() {
        let r = recording
        for k in (1 + r.inputCount)..<r.nodeCount {
            let n = r.nodes[k]
            lastUse[Int(n.i0)] = k
            lastUse[Int(n.i1)] = k
        }
        for c in r.customs {
            for i in c.inputs { lastUse[Int(i)] = Swift.max(lastUse[Int(i)], c.outputStart) }
        }
        for i in r.outputIndices { lastUse[Int(i)] = Int.max }
        lastUse[0] = Int.max
    }

    /// Propagates through the ordinary nodes `from..<to`.
    mutating func traceSegment(_ from: Int, _ to: Int) {
        guard from < to else { return }
        for k in from..<to {
            let n = recording.nodes[k]
            let p0 = Int(n.i0), p1 = Int(n.i1)
            let use0 = n.d0 != 0 || n.d0.isNaN, use1 = (n.d1 != 0 || n.d1.isNaN) && !(use0 && p1 == p0)
            switch (use0, use1) {
            case (true, true): sets[k] = mergeSorted(sets[p0], sets[p1])
            case (true, false): sets[k] = sets[p0]
            case (false, true): sets[k] = sets[p1]
            case (false, false): sets[k] = []
            }
            release(p0, after: k)
            release(p1, after: k)
        }
    }

    /// Propagates through one custom node: its declared pattern, or a dense block.
    mutating func traceCustom(_ c: CustomNode) {
        let live = c.inputs.indices.filter { c.inputScales[$0] != 0 }
        if let declared = c.pattern?() {
            precondition(declared.rows == c.outputCount && declared.columns == c.inputs.count,
                         "custom node: pattern is \(declared.rows)×\(declared.columns), "
                         + "expected \(c.outputCount)×\(c.inputs.count)")
            let rowsOfPattern = declared.transposed()   // column r: the inputs output r depends on
            for r in 0..<c.outputCount {
                var s: [Int32] = []
                for q in rowsOfPattern.rows(inColumn: r) where c.inputScales[q] != 0 {
                    s = mergeSorted(s, sets[Int(c.inputs[q])])
                }
                sets[c.outputStart + r] = s
            }
        } else {
            var s: [Int32] = []
            for q in live { s = mergeSorted(s, sets[Int(c.inputs[q])]) }
            for r in 0..<c.outputCount { sets[c.outputStart + r] = s }   // shared storage, copy-on-write
        }
        for i in c.inputs { release(Int(i), after: c.outputStart) }
    }

    mutating func release(_ node: Int, after k: Int) {
        if lastUse[node] == k { sets[node] = [] }
    }
}

/// The union of two increasing arrays, increasing.
func mergeSorted(_ a: [Int32], _ b: [Int32]) -> [Int32] {
    if a.isEmpty { return b }
    if b.isEmpty { return a }
    var out = [Int32]()
    out.reserveCapacity(a.count + b.count)
    var i = 0, j = 0
    while i < a.count && j < b.count {
        if a[i] < b[j] { out.append(a[i]); i += 1 }
        else if b[j] < a[i] { out.append(b[j]); j += 1 }
        else { out.append(a[i]); i += 1; j += 1 }
    }
    out.append(contentsOf: a[i...])
    out.append(contentsOf: b[j...])
    return out
}
