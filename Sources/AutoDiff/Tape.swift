import LinearAlgebra

/// One recorded operation `wₖ = φ(w_{i0}, w_{i1})`, stored as its parents and
/// its local partial derivatives `d0 = ∂φ/∂w_{i0}`, `d1 = ∂φ/∂w_{i1}`: 24 bytes.
///
/// Unary operations point their second parent at slot 0 with `d1 = 0`; slot 0
/// is the "constant" slot whose tangent is always 0, so sweeps need no branch.
@frozen @usableFromInline
struct TapeNode {
    @usableFromInline var i0: Int32
    @usableFromInline var i1: Int32
    @usableFromInline var d0: Double
    @usableFromInline var d1: Double

    @inlinable @inline(__always)
    init(_ i0: Int32, _ i1: Int32, _ d0: Double, _ d1: Double) {
        self.i0 = i0; self.i1 = i1; self.d0 = d0; self.d1 = d1
    }
}

/// A custom node: an operation with many inputs and outputs whose
/// derivative products are closures (see ``TapeScalar/recordCustom(inputs:outputValues:jvp:vjp:)``).
/// Its outputs occupy the placeholder nodes `outputStart ..< outputStart + outputCount`.
@usableFromInline
struct CustomNode: Sendable {
    @usableFromInline let inputs: [Int32]
    @usableFromInline let inputScales: [Double]
    @usableFromInline let outputStart: Int
    @usableFromInline let outputCount: Int
    @usableFromInline let jvp: @Sendable ([Double]) -> [Double]
    @usableFromInline let vjp: @Sendable ([Double]) -> [Double]
    /// The pattern of the node's Jacobian (`outputCount × inputs.count`),
    /// computed on demand by sparsity detection; `nil` means a dense block.
    @usableFromInline let pattern: (@Sendable () -> SparsityPattern)?

    @usableFromInline
    init(inputs: [Int32], inputScales: [Double], outputStart: Int, outputCount: Int,
         jvp: @escaping @Sendable ([Double]) -> [Double], vjp: @escaping @Sendable ([Double]) -> [Double],
         pattern: (@Sendable () -> SparsityPattern)? = nil) {
        self.inputs = inputs; self.inputScales = inputScales; self.outputStart = outputStart; self.outputCount = outputCount
        self.jvp = jvp; self.vjp = vjp; self.pattern = pattern
    }
}

/// The growable node storage a ``Tape`` records into: a raw, contiguous,
/// preallocated buffer reached through a pointer (no class property access,
/// hence no dynamic exclusivity checks, on the hot path).
@usableFromInline
struct TapeBuffer {
    @usableFromInline var nodes: UnsafeMutablePointer<TapeNode>
    @usableFromInline var block: RawBlock?
    @usableFromInline var inputCount = 0
    @usableFromInline var reserve: Int
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int
    @usableFromInline var customs: [CustomNode] = []

    /// Storage for `capacity` nodes, allocated lazily by the first push.
    @usableFromInline
    init(capacity: Int) {
        self.capacity = 0
        self.reserve = Swift.max(capacity, 16)
        block = nil
        nodes = UnsafeMutablePointer(bitPattern: MemoryLayout<TapeNode>.alignment)!
        count = 1   // slot 0, the constant slot, is never stored: sweeps never read it
    }

    /// Appends a node and returns its index.
    @inlinable @inline(__always)
    mutating func push(_ i0: Int32, _ i1: Int32, _ d0: Double, _ d1: Double) -> Int32 {
        if _slowPath(count >= capacity) { grow() }
        (nodes + count).initialize(to: TapeNode(i0, i1, d0, d1))
        let index = Int32(truncatingIfNeeded: count)
        count &+= 1
        return index
    }

    /// Allocates the reserved capacity, or doubles it (cold path).
    @usableFromInline @inline(never)
    mutating func grow() {
        let newCapacity = Swift.max(reserve, 2 * capacity, count + 1)
        precondition(newCapacity <= Int(Int32.max), "Tape: more than 2³¹ nodes recorded")
        let newBlock = RawBlock(bytes: newCapacity * MemoryLayout<TapeNode>.stride)
        let bigger = newBlock.start.bindMemory(to: TapeNode.self, capacity: newCapacity)
        if let block {
            // Slot 0 and the input slots hold nothing; only operation nodes are copied.
            let first = 1 + inputCount
            if count > first { (bigger + first).moveInitialize(from: nodes + first, count: count - first) }
            block.release()
        }
        block = newBlock
        nodes = bigger
        capacity = newCapacity
    }

    /// Gives the storage back.
    @usableFromInline
    func release() { block?.release() }
}

/// A recording context for reverse mode: the ``TapeScalar`` values created
/// from it record every operation into its preallocated, contiguous storage.
///
/// A tape belongs to one thread at a time (it is not `Sendable`); two threads
/// differentiating at once each use their own tape. There is no global tape.
///
/// ```swift
/// let tape = Tape()
/// let x = tape.inputs([1, 2])                 // nodes 1 and 2
/// let y = [x[0] * x[1], TapeScalar.exp(x[0])]
/// let recording = tape.finish(inputs: x, outputs: y)
/// let lin = Linearization(recording)          // sweep it many times, from any thread
/// ```
///
/// Usually you call ``AD/linearize(_:at:)`` or
/// ``AD/linearize(_:x:y:)`` instead, which do exactly this.
///
/// - Important: A ``TapeScalar`` is valid only while its tape records, i.e.
///   until ``finish(inputs:outputs:)``; after that, do not compute with it.
public final class Tape {
    @usableFromInline let buffer: UnsafeMutablePointer<TapeBuffer>

    /// Creates an empty tape with room for `capacity` nodes before it grows.
    /// A good guess is 4–10 nodes per output for element-wise maps (inputs take a slot each).
    public init(capacity: Int = 1 << 12) {
        buffer = .allocate(capacity: 1)
        buffer.initialize(to: TapeBuffer(capacity: capacity))
    }

    deinit {
        buffer.pointee.release()
        buffer.deinitialize(count: 1)
        buffer.deallocate()
    }

    /// The number of nodes recorded so far (slot 0 and inputs included).
    public var nodeCount: Int { buffer.pointee.count }

    /// Records one independent variable. All inputs must be created before
    /// any operation is recorded.
    public func input(_ value: Double) -> TapeScalar {
        precondition(buffer.pointee.count == buffer.pointee.inputCount + 1,
                     "Tape: inputs must be created before any operation is recorded")
        buffer.pointee.inputCount += 1
        return TapeScalar(value, index: buffer.pointee.push(0, 0, 0, 0), tape: buffer)
    }

    /// Records independent variables, in order.
    public func inputs(_ values: [Double]) -> [TapeScalar] {
        let b = buffer
        precondition(b.pointee.count == b.pointee.inputCount + 1,
                     "Tape: inputs must be created before any operation is recorded")
        let first = b.pointee.count
        precondition(first + values.count < Int(Int32.max), "Tape: more than 2³¹ nodes recorded")
        b.pointee.inputCount += values.count
        b.pointee.count += values.count   // input slots are never read by a sweep: nothing to write
        return [TapeScalar](uninitializedCount: values.count) { out in
            for (k, v) in values.enumerated() {
                (out.baseAddress! + k).initialize(to: TapeScalar(v, index: Int32(truncatingIfNeeded: first + k), tape: b))
            }
        }
    }

    /// Ends the recording: hands the nodes to an immutable ``TapeRecording``
    /// with `inputs` (exactly the variables made by ``input(_:)``, in order) as
    /// its independent variables and `outputs` as its dependent ones. The tape
    /// is then empty and can record again.
    public func finish(inputs: [TapeScalar], outputs: [TapeScalar]) -> TapeRecording {
        let b = buffer
        let n = b.pointee.inputCount
        precondition(inputs.count == n, "Tape.finish: \(inputs.count) inputs given, \(n) recorded")
        inputs.withUnsafeBufferPointer { xs in
            for k in 0..<n where xs[k].index != Int32(truncatingIfNeeded: k + 1) || xs[k].tape != b || xs[k].scale != 1 {
                preconditionFailure("Tape.finish: input \(k) is not the tape's input variable \(k)")
            }
        }
        let m = outputs.count
        var values = [Double](repeating: 0, count: m)
        var indices = [Int32](repeating: 0, count: m)
        var scales = [Double](repeating: 0, count: m)
        outputs.withUnsafeBufferPointer { ys in
            for i in 0..<m {
                precondition(ys[i].tape == nil || ys[i].tape == b, "Tape.finish: an output belongs to another tape")
                values[i] = ys[i].value
                indices[i] = ys[i].index
                scales[i] = ys[i].scale
            }
        }
        let old = b.pointee
        b.pointee = TapeBuffer(capacity: Swift.max(old.reserve, old.capacity))
        return TapeRecording(nodes: old.nodes, block: old.block, count: old.count, inputCount: n,
                             outputIndices: indices, outputScales: scales, outputValues: values, customs: old.customs)
    }
}
