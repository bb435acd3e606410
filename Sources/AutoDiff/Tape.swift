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
    @usableFromInline let outputStart: Int
    @usableFromInline let outputCount: Int
    @usableFromInline let jvp: @Sendable ([Double]) -> [Double]
    @usableFromInline let vjp: @Sendable ([Double]) -> [Double]

    @usableFromInline
    init(inputs: [Int32], outputStart: Int, outputCount: Int,
         jvp: @escaping @Sendable ([Double]) -> [Double], vjp: @escaping @Sendable ([Double]) -> [Double]) {
        self.inputs = inputs; self.outputStart = outputStart; self.outputCount = outputCount
        self.jvp = jvp; self.vjp = vjp
    }
}

/// The growable node storage a ``Tape`` records into: a raw, contiguous,
/// preallocated buffer reached through a pointer (no class property access,
/// hence no dynamic exclusivity checks, on the hot path).
@usableFromInline
struct TapeBuffer {
    @usableFromInline var nodes: UnsafeMutablePointer<TapeNode>
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int
    @usableFromInline var customs: [CustomNode] = []

    @usableFromInline
    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 16)
        nodes = .allocate(capacity: self.capacity)
        nodes.initialize(to: TapeNode(0, 0, 0, 0))   // slot 0: the constant slot
        count = 1
    }

    /// Appends a node and returns its index.
    @inlinable @inline(__always)
    mutating func push(_ i0: Int32, _ i1: Int32, _ d0: Double, _ d1: Double) -> Int32 {
        if _slowPath(count == capacity) { grow() }
        (nodes + count).initialize(to: TapeNode(i0, i1, d0, d1))
        let index = Int32(truncatingIfNeeded: count)
        count &+= 1
        return index
    }

    /// Doubles the capacity (cold path).
    @usableFromInline @inline(never)
    mutating func grow() {
        let newCapacity = capacity * 2
        precondition(newCapacity <= Int(Int32.max), "Tape: more than 2³¹ nodes recorded")
        let bigger = UnsafeMutablePointer<TapeNode>.allocate(capacity: newCapacity)
        bigger.moveInitialize(from: nodes, count: count)
        nodes.deallocate()
        nodes = bigger
        capacity = newCapacity
    }
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
    @usableFromInline var inputCount = 0

    /// Creates an empty tape with room for `capacity` nodes before it grows.
    /// A good guess is 8–10 nodes per output for element-wise maps.
    public init(capacity: Int = 1 << 12) {
        buffer = .allocate(capacity: 1)
        buffer.initialize(to: TapeBuffer(capacity: capacity))
    }

    deinit {
        buffer.pointee.nodes.deallocate()
        buffer.deinitialize(count: 1)
        buffer.deallocate()
    }

    /// The number of nodes recorded so far (slot 0 and inputs included).
    public var nodeCount: Int { buffer.pointee.count }

    /// Records one independent variable. All inputs must be created before
    /// any operation is recorded.
    @inlinable
    public func input(_ value: Double) -> TapeScalar {
        precondition(buffer.pointee.count == inputCount + 1,
                     "Tape: inputs must be created before any operation is recorded")
        inputCount += 1
        return TapeScalar(value, index: buffer.pointee.push(0, 0, 0, 0), tape: buffer)
    }

    /// Records independent variables, in order.
    @inlinable
    public func inputs(_ values: [Double]) -> [TapeScalar] { values.map { input($0) } }

    /// Ends the recording: hands the nodes to an immutable ``TapeRecording``
    /// with `inputs` (exactly the variables made by ``input(_:)``, in order) as
    /// its independent variables and `outputs` as its dependent ones. The tape
    /// is then empty and can record again.
    public func finish(inputs: [TapeScalar], outputs: [TapeScalar]) -> TapeRecording {
        precondition(inputs.count == inputCount, "Tape.finish: \(inputs.count) inputs given, \(inputCount) recorded")
        for (k, x) in inputs.enumerated() {
            precondition(x.index == Int32(k + 1) && x.tape == buffer,
                         "Tape.finish: input \(k) is not the tape's input variable \(k)")
        }
        for y in outputs {
            precondition(y.tape == nil || y.tape == buffer, "Tape.finish: an output belongs to another tape")
        }
        let old = buffer.pointee
        let capacity = old.capacity
        buffer.pointee = TapeBuffer(capacity: capacity)
        inputCount = 0
        return TapeRecording(nodes: old.nodes, count: old.count, inputCount: inputs.count,
                             outputIndices: outputs.map(\.index), outputValues: outputs.map(\.value),
                             customs: old.customs)
    }
}
