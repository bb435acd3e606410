import LinearAlgebra

// Sparsity detection: the inputs each output depends on, found by a graph
// search backwards from the output through the recorded nodes. The sets are
// Griewank & Walther's index domains (A. Griewank & A. Walther, "Evaluating
// Derivatives", 2nd ed., SIAM 2008, §7.1), computed per output instead of
// propagated forward through every node.
//
// Deviations from the textbook:
//  1. The pattern is local: an edge whose recorded partial is exactly zero
//     at this point (d = 0, e.g. `x·y` at `y = 0`, `max` on the side not
//     taken, `abs` at 0) is not followed. The result is the pattern of the
//     Jacobian at the recorded point, branches as taken — a superset of its
//     non-zeros that differs only by numerical cancellation along different
//     paths (`(x + y) − y`). A NaN partial is followed.
//  2. A custom node (a `recordCustom` operation) contributes the pattern
//     its `pattern` closure returns (`M·v`: the non-zeros of `M`), or, when
//     it gives none, a dense block: each output depends on every input.
//  3. Backwards per output rather than forwards per node: no set is stored
//     per node (memory O(nodes), one stamp per node), and the cost is the
//     number of nodes each output reaches, summed over the outputs — the
//     nodes of its own stencil for local conditions; a long chain shared by
//     every output is walked once per output.

extension TapeRecording {
    /// The pattern of the Jacobian `∂outputs/∂inputs` at the recorded point
    /// (`outputCount × inputCount`), by a backward search from each output.
    ///
    /// ```
    /// row i = { j : a path from output i to input j whose partials are all non-zero here }
    /// ```
    ///
    /// Partials that are exactly zero at this point are not followed (the
    /// pattern of the derivative here, branches as taken); custom nodes
    /// contribute the pattern they declare, or a dense block when they
    /// declare none. Cost: the nodes each output reaches, summed over outputs.
    ///
    /// - Returns: the pattern, `outputCount × inputCount`.
    public func jacobianPattern() -> SparsityPattern {
        var walker = DependencyWalker(self)
        return walker.run()
    }
}

/// The state of the backward searches over one recording.
struct DependencyWalker {
    let recording: TapeRecording
    /// For each custom-node output slot, the custom node's index; -1 elsewhere (empty without custom nodes).
    var customOf: [Int]
    /// Each custom node's declared pattern, transposed (column r: the inputs of output r), made on first use.
    var declared: [SparsityPattern?]
    var declaredMade: [Bool]
    /// `stamp[k] == i`: node `k` was reached from output `i`.
    var stamp: [Int]
    var stack: [Int32] = []

    init(_ recording: TapeRecording) {
        self.recording = recording
        let count = recording.nodeCount
        stamp = [Int](repeating: -1, count: count)
        customOf = recording.customs.isEmpty ? [] : [Int](repeating: -1, count: count)
        for (c, node) in recording.customs.enumerated() {
            for k in node.outputStart..<(node.outputStart + node.outputCount) { customOf[k] = c }
        }
        declared = [SparsityPattern?](repeating: nil, count: recording.customs.count)
        declaredMade = [Bool](repeating: false, count: recording.customs.count)
    }

    mutating func run() -> SparsityPattern {
        let r = recording
        var pointers = [0], columns: [Int] = []
        pointers.reserveCapacity(r.outputCount + 1)
        var row: [Int] = []
        for (i, index) in r.outputIndices.enumerated() {
            row.removeAll(keepingCapacity: true)
            if r.outputScales[i] != 0 { search(from: index, output: i, into: &row) }
            columns.append(contentsOf: row)
            pointers.append(columns.count)
        }
        return Self.compressedColumns(rows: r.outputCount, columns: r.inputCount, rowPointers: pointers,
                                      columnIndices: columns)
    }

    /// The CSC pattern of the rows given in CSR form, each row's columns in
    /// any order: a counting sort by column, visiting the rows in order, so
    /// every column's rows come out increasing without sorting a row.
    static func compressedColumns(rows: Int, columns: Int, rowPointers: [Int], columnIndices: [Int]) -> SparsityPattern {
        var starts = [Int](repeating: 0, count: columns + 1)
        for j in columnIndices { starts[j + 1] += 1 }
        for j in 0..<columns { starts[j + 1] += starts[j] }
        var next = starts
        var rowIndices = [Int](repeating: 0, count: columnIndices.count)
        for i in 0..<rows {
            for k in rowPointers[i]..<rowPointers[i + 1] {
                let j = columnIndices[k]
                rowIndices[next[j]] = i
                next[j] += 1
            }
        }
        return SparsityPattern(unchecked: rows, columns, starts, rowIndices)
    }

    /// Collects into `row` the inputs reachable from node `start` (output `i`).
    mutating func search(from start: Int32, output i: Int, into row: inout [Int]) {
        let r = recording
        visit(start, i)
        while let top = stack.popLast() {
            let k = Int(top)
            if k <= r.inputCount {   // an input (slot 0, the constant slot, is never visited)
                row.append(k - 1)
            } else if !customOf.isEmpty && customOf[k] >= 0 {
                let c = customOf[k], node = r.customs[c], output = k - node.outputStart
                if let pattern = declaredPattern(c) {
                    for q in pattern.rows(inColumn: output) where node.inputScales[q] != 0 { visit(node.inputs[q], i) }
                } else {
                    for q in node.inputs.indices where node.inputScales[q] != 0 { visit(node.inputs[q], i) }
                }
            } else {
                let n = r.nodes[k]
                if n.d0 != 0 || n.d0.isNaN { visit(n.i0, i) }
                if n.d1 != 0 || n.d1.isNaN { visit(n.i1, i) }
            }
        }
    }

    mutating func visit(_ node: Int32, _ i: Int) {
        let k = Int(node)
        if k != 0 && stamp[k] != i {
            stamp[k] = i
            stack.append(node)
        }
    }

    /// Custom node `c`'s declared pattern, transposed and checked, or `nil` for a dense block.
    mutating func declaredPattern(_ c: Int) -> SparsityPattern? {
        if !declaredMade[c] {
            declaredMade[c] = true
            let node = recording.customs[c]
            if let p = node.pattern?() {
                precondition(p.rows == node.outputCount && p.columns == node.inputs.count,
                             "custom node: pattern is \(p.rows)×\(p.columns), expected \(node.outputCount)×\(node.inputs.count)")
                declared[c] = p.transposed()
            }
        }
        return declared[c]
    }
}
