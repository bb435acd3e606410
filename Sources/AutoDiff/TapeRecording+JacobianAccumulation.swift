import LinearAlgebra

// The whole Jacobian from one reverse sweep: vertex elimination by output owner.
//
// A reverse sweep carries one adjoint per node, ∂(uᵀF)/∂node for one cotangent u. To get every
// row of ∂F/∂inputs at once, each node's adjoint becomes a vector over the outputs, ∂F_i/∂node
// for every i. Most intermediate nodes of conditions written as loops feed exactly one output
// (every node of row i of a log-sum-exp, every node of one stencil row), so the vector is stored
// as an owner i and one scalar; only nodes that feed several outputs (a precomputed `y / 2` read
// by every row) keep a short list of (output, value) pairs. This is the "vector reverse mode"
// with sparse adjoints of A. Griewank & A. Walther, "Evaluating Derivatives", 2nd ed., SIAM
// 2008, §7.2, specialised to adjoints that are almost always a single entry.
//
// Deviations from the textbook:
//  1. A node's adjoint is complete when the sweep reaches it (every consumer comes later on the
//     tape), so a shared node's list is compacted then — duplicates of one output summed through a
//     dense scratch row — and pushed to its parents; lists are appended to without search before.
//  2. The work is bounded: past `sharedEntryLimit` appended list entries the accumulation stops
//     and declines (returns `nil`), so a long partial-sum chain read by every output
//     (Xᵀ(Xw − t) written as loops: every node of Xw − t feeds all m outputs) costs a bounded
//     fraction of a sweep instead of m times the tape.
//  3. As in the reverse sweep, a node whose adjoint is exactly zero passes nothing on, and an
//     edge whose recorded partial is exactly zero is not followed (so 0·∞ does not reach an
//     input); a NaN partial is followed.
//  4. Custom (array-level) nodes are not supported: a recording with one declines.

/// What one ``TapeRecording/accumulateJacobian(sharedEntryLimit:_:)`` did.
public struct JacobianAccumulationSummary: Sendable, Hashable {
    /// Nodes that fed more than one output and kept a list of (output, value) pairs.
    public let sharedNodes: Int
    /// List entries appended to those nodes (the work beyond one pass over the nodes).
    public let sharedEntries: Int
}

extension TapeRecording {
    /// Every entry of the Jacobian `∂outputs/∂inputs` from one reverse pass
    /// over the nodes, handed to `scatter` (which must add, not store: one
    /// entry may arrive in several parts).
    ///
    /// ```
    /// J[i, j] = Σ over paths from input j to output i of the product of the partials on the path
    /// ```
    ///
    /// Each node carries the outputs it feeds and `∂F_i/∂node` for each: one
    /// owner and a scalar for a node that feeds one output, a short list for
    /// a node that feeds several. Cost: one pass over the nodes plus the
    /// list entries, at most `sharedEntryLimit`.
    ///
    /// - Parameters:
    ///   - sharedEntryLimit: the most list entries the accumulation may
    ///     append, `≥ 0`; past it, it stops and returns `nil`.
    ///   - scatter: called with `(output i, input j, v)`: add `v` to `J[i, j]`.
    /// - Returns: what the accumulation did, or `nil` when it declined (the
    ///   limit was reached, or the recording has a custom node); `scatter`
    ///   may then have received part of the entries, which must be discarded.
    public func accumulateJacobian(sharedEntryLimit: Int,
                                   _ scatter: (_ output: Int, _ input: Int, _ value: Double) -> Void)
        -> JacobianAccumulationSummary?
    {
        precondition(sharedEntryLimit >= 0, "accumulateJacobian: sharedEntryLimit must be ≥ 0")
        return withoutActuallyEscaping(scatter) { scatter in
            var sink = ClosureSink(body: scatter)
            return accumulate(sharedEntryLimit: sharedEntryLimit, into: &sink)
        }
    }

    /// ``accumulateJacobian(sharedEntryLimit:_:)`` into `sink` (specialized for each sink type).
    func accumulate<Sink: JacobianSink>(sharedEntryLimit: Int, into sink: inout Sink) -> JacobianAccumulationSummary? {
        guard customs.isEmpty else { return nil }
        var accumulator = JacobianAccumulator(self, limit: sharedEntryLimit)
        defer { accumulator.release() }
        return accumulator.run(&sink)
    }
}

/// Where the accumulation puts the Jacobian's entries; `add` must add, not store.
protocol JacobianSink {
    /// Adds `value` to `J[row, input]`.
    mutating func add(row: Int, input: Int, value: Double)
}

/// A sink that calls a closure per entry.
private struct ClosureSink: JacobianSink {
    let body: (Int, Int, Double) -> Void
    @inline(__always)
    func add(row: Int, input: Int, value: Double) { body(row, input, value) }
}

/// A sink into dense column-major storage: `columns[j]` is the start of column `j` (`rows` entries).
struct DenseColumnsSink: ResettableJacobianSink {
    let columns: UnsafePointer<UnsafeMutablePointer<Double>>
    let rows: Int
    let count: Int
    @inline(__always)
    func add(row: Int, input: Int, value: Double) { columns[input][row] += value }
    func reset() { for j in 0..<count { columns[j].update(repeating: 0, count: rows) } }
}

/// One list entry of a shared node: `∂F_row/∂node = value`.
struct SharedAdjoint {
    var row: Int32
    var value: Double
}

/// The state of one accumulation. `owner[k]`: `-1` no consumer reached node
/// `k` yet (dead so far), `i ≥ 0` node `k` feeds only output `i` with adjoint
/// `adjoint[k]`, `≤ -2` node `k` is shared, its list is `lists[-2 - owner[k]]`.
struct JacobianAccumulator {
    let recording: TapeRecording
    let limit: Int
    let inputCount: Int
    let owner: UnsafeMutablePointer<Int32>
    let adjoint: UnsafeMutablePointer<Double>
    /// The memory of `adjoint` (first) and `owner`: one block, so that a large one is a
    /// cached mapping reused by the next accumulation (see ``RawBlock``).
    let block: RawBlock
    var lists: [[SharedAdjoint]] = []
    var entries = 0
    var overflow = false
    /// Compaction scratch, one slot per output, made on the first shared node.
    var rowSum: [Double] = []
    var rowMark: [Int] = []
    var order: [Int32] = []

    init(_ recording: TapeRecording, limit: Int) {
        self.recording = recording
        self.limit = limit
        inputCount = recording.inputCount
        let count = recording.nodeCount
        block = RawBlock(bytes: 12 * count)
        // `adjoint[k]` is written before it is read (when node k gets its owner): left uninitialized.
        adjoint = block.start.bindMemory(to: Double.self, capacity: count)
        owner = (block.start + 8 * count).bindMemory(to: Int32.self, capacity: count)
        owner.initialize(repeating: -1, count: count)
    }

    func release() { block.release() }

    mutating func run<Sink: JacobianSink>(_ sink: inout Sink) -> JacobianAccumulationSummary? {
        let r = recording
        for (i, index) in r.outputIndices.enumerated() where index != 0 && r.outputScales[i] != 0 {
            add(Int(index), row: Int32(truncatingIfNeeded: i), value: r.outputScales[i], &sink)
        }
        // The pointers and the input count in locals: the stores through `owner` and `adjoint`
        // then do not force them to be re-read from `self` on every node.
        let nodes = r.nodes, owner = self.owner, adjoint = self.adjoint, inputs = inputCount
        /// `add` for a parent of a node owned by `row`; `false` when the limit was passed.
        @inline(__always)
        func pass(_ p: Int, _ value: Double, _ row: Int32) -> Bool {
            if p <= inputs { sink.add(row: Int(row), input: p - 1, value: value); return true }
            if Self.addOwned(p, row: row, value: value, owner: owner, adjoint: adjoint) { return true }
            share(p, row: row, value: value)
            return !overflow
        }
        var k = r.nodeCount - 1
        while k > inputs {
            let o = owner[k]
            if o >= 0 {
                let w = adjoint[k]
                if w != 0 {
                    let n = nodes[k]
                    if n.i0 != 0 && n.d0 != 0 && !pass(Int(n.i0), n.d0 * w, o) { break }
                    if n.i1 != 0 && n.d1 != 0 && !pass(Int(n.i1), n.d1 * w, o) { break }
                }
            } else if o <= -2 {
                pushShared(k, list: Int(-2 - o), &sink)
                if overflow { break }
            }
            k -= 1
        }
        if overflow { return nil }
        return JacobianAccumulationSummary(sharedNodes: lists.count, sharedEntries: entries)
    }

    /// Adds `value` to `∂F_row/∂node p`, or to `J[row, p − 1]` when `p` is an input.
    @inline(__always)
    mutating func add<Sink: JacobianSink>(_ p: Int, row: Int32, value: Double, _ sink: inout Sink) {
        if p <= inputCount { return sink.add(row: Int(row), input: p - 1, value: value) }
        if !Self.addOwned(p, row: row, value: value, owner: owner, adjoint: adjoint) { share(p, row: row, value: value) }
    }

    /// Adds `value` to node `p`'s scalar adjoint when `p` feeds no output yet or only `row`
    /// (taking `row` as its owner); `false`, with nothing changed, when `p` feeds another
    /// output or is shared already (the caller then shares it).
    @inline(__always)
    static func addOwned(_ p: Int, row: Int32, value: Double,
                         owner: UnsafeMutablePointer<Int32>, adjoint: UnsafeMutablePointer<Double>) -> Bool {
        let q = owner[p]
        if q == row {
            adjoint[p] += value
        } else if q == -1 {
            owner[p] = row
            adjoint[p] = value
        } else {
            return false
        }
        return true
    }

    /// `add` for a node that feeds, or now starts to feed, a second output (the cold path).
    @inline(never)
    mutating func share(_ p: Int, row: Int32, value: Double) {
        let q = owner[p]
        if q >= 0 {
            guard lists.count < Int(Int32.max) - 2 else { overflow = true; return }
            lists.append([SharedAdjoint(row: q, value: adjoint[p]), SharedAdjoint(row: row, value: value)])
            owner[p] = -2 - Int32(lists.count - 1)
            entries += 2
        } else {
            lists[Int(-2 - q)].append(SharedAdjoint(row: row, value: value))
            entries += 1
        }
        if entries > limit { overflow = true }
    }

    /// Node `k`'s complete list, duplicates summed, passed on to its parents.
    @inline(never)
    mutating func pushShared<Sink: JacobianSink>(_ k: Int, list index: Int, _ sink: inout Sink) {
        let list = lists[index]
        lists[index] = []
        if rowMark.isEmpty {
            rowMark = [Int](repeating: -1, count: recording.outputCount)
            rowSum = [Double](repeating: 0, count: recording.outputCount)
        }
        order.removeAll(keepingCapacity: true)
        for e in list {
            let i = Int(e.row)
            if rowMark[i] != index {
                rowMark[i] = index
                rowSum[i] = e.value
                order.append(e.row)
            } else {
                rowSum[i] += e.value
            }
        }
        let n = recording.nodes[k]
        for (p, d) in [(n.i0, n.d0), (n.i1, n.d1)] where p != 0 && d != 0 {
            for row in order {
                let w = rowSum[Int(row)]
                if w != 0 { add(Int(p), row: row, value: d * w, &sink) }
                if overflow { return }
            }
        }
    }
}

extension BivariateLinearization {
    /// `B = ∂F/∂x` (k×n) and `A = ∂F/∂y` (k×m) as dense matrices from one
    /// accumulation over the recording
    /// (``TapeRecording/accumulateJacobian(sharedEntryLimit:_:)``), instead of
    /// `n + m` forward or `k` reverse sweeps.
    ///
    /// ```
    /// [B | A] = ∂F/∂(x, y)     one reverse pass, each node's adjoint a sparse vector over the outputs
    /// ```
    ///
    /// The caller checks the `8·k·(n + m)` bytes against its memory limit first.
    ///
    /// - Parameter sharedEntryLimit: the accumulation's work limit beyond one
    ///   pass (see ``TapeRecording/accumulateJacobian(sharedEntryLimit:_:)``).
    /// - Returns: `x`: `B`, `y`: `A`, or `nil` when the accumulation declined.
    public func accumulatedJacobians(sharedEntryLimit: Int) -> (x: Matrix, y: Matrix)? {
        let k = outputCount, n = xCount, m = yCount
        // The arrays are filled first and handed to the matrices after, so that no write goes
        // through `Matrix.elements` (whose observer must not see a half-filled matrix).
        var bx = [Double](repeating: 0, count: k * n), ay = [Double](repeating: 0, count: k * m)
        let summary = bx.withUnsafeMutableBufferPointer { bx in
            ay.withUnsafeMutableBufferPointer { ay in
                // Column j of [B | A]: the inputs are x then y. With no rows (or no inputs) nothing is
                // ever added, and the placeholder address is never read.
                let nowhere = UnsafeMutablePointer<Double>(bitPattern: MemoryLayout<Double>.alignment)!
                let bStart = bx.baseAddress ?? nowhere, aStart = ay.baseAddress ?? nowhere
                let columns = [UnsafeMutablePointer<Double>](uninitializedCount: n + m) { c in
                    for j in 0..<n { (c.baseAddress! + j).initialize(to: bStart + k * j) }
                    for j in 0..<m { (c.baseAddress! + n + j).initialize(to: aStart + k * j) }
                }
                return columns.withUnsafeBufferPointer { c in
                    var sink = DenseColumnsSink(columns: c.baseAddress ?? UnsafePointer(OpaquePointer(nowhere)),
                                                rows: k, count: n + m)
                    if recording.accumulateBySegments(into: &sink) {
                        return Optional(JacobianAccumulationSummary(sharedNodes: 0, sharedEntries: 0))
                    }
                    return recording.accumulate(sharedEntryLimit: sharedEntryLimit, into: &sink)
                }
            }
        }
        guard summary != nil else { return nil }
        return (Matrix(rows: k, columns: n, elements: bx), Matrix(rows: k, columns: m, elements: ay))
    }
}
