import LinearAlgebra

/// An immutable recording of one evaluation: nodes with their local partial
/// derivatives, the independent variables (nodes `1...inputCount`), the
/// dependent ones, and the custom nodes. Made by ``Tape/finish(inputs:outputs:)``.
///
/// Sweeps never mutate it: each sweep works in a scratch buffer of one
/// `Double` per node, taken from a small lock-protected pool (or allocated
/// when every pooled buffer is in use), so any number of threads may sweep
/// one recording at once, and a steady loop of sweeps allocates nothing.
/// Adjoint buffers live in their own pool and are kept all-zero between
/// sweeps (each reverse sweep zeroes every slot after reading it), so a
/// reverse sweep never clears the whole buffer up front.
public final class TapeRecording: @unchecked Sendable {
    @usableFromInline let nodes: UnsafeMutablePointer<TapeNode>
    private let block: RawBlock?
    /// Number of nodes, slot 0 and the inputs included.
    public let nodeCount: Int
    /// Number of independent variables.
    public let inputCount: Int
    /// Node index of each output (0 for a constant output).
    @usableFromInline let outputIndices: [Int32]
    /// Derivative of each output with respect to its node (0 for a constant output).
    @usableFromInline let outputScales: [Double]
    /// The outputs' values at the recorded point.
    public let outputValues: [Double]
    @usableFromInline let customs: [CustomNode]
    private let pool = Locked<[Scratch]>([])
    private let zeroedPool = Locked<[Scratch]>([])

    /// A pooled scratch buffer; only ever used by one sweep at a time.
    private struct Scratch: Sendable {
        let block: RawBlock
        var base: UnsafeMutablePointer<Double> { block.start.assumingMemoryBound(to: Double.self) }
    }

    init(nodes: UnsafeMutablePointer<TapeNode>, block: RawBlock?, count: Int, inputCount: Int,
         outputIndices: [Int32], outputScales: [Double], outputValues: [Double], customs: [CustomNode]) {
        self.nodes = nodes
        self.block = block
        self.nodeCount = count
        self.inputCount = inputCount
        self.outputIndices = outputIndices
        self.outputScales = outputScales
        self.outputValues = outputValues
        self.customs = customs
    }

    deinit {
        block?.release()
        pool.withLock { buffers in for b in buffers { b.block.release() } }
        zeroedPool.withLock { buffers in for b in buffers { b.block.release() } }
    }

    /// Number of dependent variables.
    public var outputCount: Int { outputIndices.count }

    /// Bytes held by the nodes (24 per node).
    public var nodeBytes: Int { nodeCount * MemoryLayout<TapeNode>.stride }

    /// Runs `body` with a scratch buffer of `nodeCount` doubles (contents undefined).
    @usableFromInline
    func withScratch<R>(_ body: (UnsafeMutablePointer<Double>) -> R) -> R {
        let scratch = pool.withLock { $0.popLast() } ?? Scratch(block: RawBlock(bytes: nodeCount * 8))
        defer { pool.withLock { $0.append(scratch) } }
        return body(scratch.base)
    }

    /// Runs `body` with an all-zero buffer of `nodeCount` doubles, which
    /// `body` must leave all-zero.
    @usableFromInline
    func withZeroedScratch<R>(_ body: (UnsafeMutablePointer<Double>) -> R) -> R {
        let scratch = zeroedPool.withLock { $0.popLast() } ?? {
            let s = Scratch(block: RawBlock(bytes: nodeCount * 8))
            s.base.initialize(repeating: 0, count: nodeCount)
            return s
        }()
        defer { zeroedPool.withLock { $0.append(scratch) } }
        return body(scratch.base)
    }

    /// Forward sweep: `seed(t + 1)` writes the inputs' tangents, then every
    /// node's tangent `tₖ = d0·t_{i0} + d1·t_{i1}` follows, and the outputs'
    /// tangents are written to `out` (`outputCount` doubles).
    @usableFromInline
    func forward(seed: (UnsafeMutablePointer<Double>) -> Void, into out: UnsafeMutablePointer<Double>) {
        withScratch { t in
            t[0] = 0
            seed(t + 1)
            var k = 1 + inputCount
            for c in customs {
                forwardSegment(t, k, c.outputStart)
                let dy = c.jvp(c.inputs.indices.map { c.inputScales[$0] * t[Int(c.inputs[$0])] })
                precondition(dy.count == c.outputCount, "custom node: JVP returned \(dy.count) values, expected \(c.outputCount)")
                for j in 0..<c.outputCount { t[c.outputStart + j] = dy[j] }
                k = c.outputStart + c.outputCount
            }
            forwardSegment(t, k, nodeCount)
            for (j, i) in outputIndices.enumerated() { out[j] = outputScales[j] * t[Int(i)] }
        }
    }

    /// `tₖ = d0·t_{i0} + d1·t_{i1}` for `k` in `from..<to` (`from ≥ 1`).
    ///
    /// A node's parent is very often the node just before it (`x·y·z`,
    /// `a + b + c`): the previous tangent is then taken from a register, not
    /// re-loaded from the slot just stored, which would put a store-to-load
    /// forwarding delay on the sweep's critical path. Same operations and
    /// same rounding as loading it (the stored value is that register).
    @inline(__always)
    private func forwardSegment(_ t: UnsafeMutablePointer<Double>, _ from: Int, _ to: Int) {
        guard from < to else { return }
        var node = nodes + from
        var k = from
        var last = t[k - 1]
        while k < to {
            let n = node.pointee
            let previous = Int32(truncatingIfNeeded: k &- 1)
            let t0 = n.i0 == previous ? last : t[Int(n.i0)]
            let t1 = n.i1 == previous ? last : t[Int(n.i1)]
            last = n.d0 * t0 + n.d1 * t1
            t[k] = last
            node += 1
            k &+= 1
        }
    }

    /// Reverse sweep: the outputs' adjoints are seeded from `cotangent`
    /// (`outputCount` doubles), each node passes `aₖ·d` to its parents, and
    /// `read(a + 1)` reads the inputs' adjoints. Every slot is zero again afterwards.
    @usableFromInline
    func reverse(cotangent: UnsafePointer<Double>, read: (UnsafeMutablePointer<Double>) -> Void) {
        withZeroedScratch { a in
            for (j, i) in outputIndices.enumerated() { a[Int(i)] += outputScales[j] * cotangent[j] }
            var k = nodeCount
            for c in customs.reversed() {
                reverseSegment(a, c.outputStart + c.outputCount, k)
                let ybar = (0..<c.outputCount).map { a[c.outputStart + $0] }
                (a + c.outputStart).update(repeating: 0, count: c.outputCount)
                let xbar = c.vjp(ybar)
                precondition(xbar.count == c.inputs.count, "custom node: VJP returned \(xbar.count) values, expected \(c.inputs.count)")
                for (j, i) in c.inputs.enumerated() { a[Int(i)] += c.inputScales[j] * xbar[j] }
                k = c.outputStart
            }
            reverseSegment(a, 1 + inputCount, k)
            read(a + 1)
            a.update(repeating: 0, count: 1 + inputCount)   // slot 0 and the inputs
        }
    }

    @inline(__always)
    private func reverseSegment(_ a: UnsafeMutablePointer<Double>, _ from: Int, _ to: Int) {
        var k = to - 1
        var node = nodes + k
        while k >= from {
            let w = a[k]
            if w != 0 {   // skip: keeps 0·∞ from a non-contributing node out of the inputs
                let n = node.pointee
                // A unary node's second parent is slot 0; adding its 0·w there
                // would chain every unary node through one memory cell, so the
                // dead update goes to the node's own (already consumed) slot.
                let i1 = n.i1 == 0 ? k : Int(n.i1)
                a[Int(n.i0)] += n.d0 * w
                a[i1] += n.d1 * w
                a[k] = 0   // last: leaves the slot clean for the next sweep
            }
            node -= 1
            k &-= 1
        }
    }
}
