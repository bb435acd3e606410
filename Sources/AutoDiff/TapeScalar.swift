import LinearAlgebra
import RealModule

/// The reverse-mode scalar: a value plus the index of the tape node that
/// produced it. Every operation on tape scalars appends one node (its
/// parents and local partial derivatives) to the ``Tape`` it came from.
///
/// Constants (`TapeScalar(k)`, literals) belong to no tape and record
/// nothing; an operation on constants only is a constant. Linear operations
/// with a constant (`−x`, `c·x`, `x/c`, `x ± c`) record nothing either: a
/// variable stands for `scale · w_index`, and the scale is folded into the
/// partials of the next recorded node (for the Bratu operator this cuts the
/// tape from 8 to 5 nodes per element). Comparisons look at
/// the value only. Make variables with ``Tape/input(_:)``; they are valid
/// until the tape's ``Tape/finish(inputs:outputs:)``.
///
/// The type is `Sendable` because ``DifferentiableScalar`` requires it, but a
/// tape scalar must stay on the thread that owns its tape.
@frozen
public struct TapeScalar: DifferentiableScalar, @unchecked Sendable {
    /// The value computed during the recording (read-only: a changed value
    /// would no longer match the partials recorded for it).
    public let value: Double
    /// The derivative of this variable with respect to node `index`: the
    /// variable is `scale · w_index` as far as derivatives go.
    @usableFromInline var scale: Double
    /// The node index; 0 for constants.
    @usableFromInline var index: Int32
    /// The storage this variable records into; `nil` for constants.
    @usableFromInline var tape: UnsafeMutablePointer<TapeBuffer>?

    @inlinable @inline(__always)
    init(_ value: Double, index: Int32, scale: Double = 1, tape: UnsafeMutablePointer<TapeBuffer>?) {
        self.value = value; self.scale = scale; self.index = index; self.tape = tape
    }

    /// A constant, recorded nowhere.
    @inlinable @inline(__always)
    public init(_ constant: Double) { self.init(constant, index: 0, scale: 0, tape: nil) }

    /// `true` for a constant (no tape, zero derivative).
    @inlinable
    public var isConstant: Bool { tape == nil }

    /// The value.
    @inlinable @inline(__always)
    public var primal: Double { value }

    /// An integer constant.
    @inlinable
    public init(integerLiteral value: Int) { self.init(Double(value)) }

    /// An integer constant, when `Double` represents it exactly.
    @inlinable
    public init?<I: BinaryInteger>(exactly source: I) {
        guard let v = Double(exactly: source) else { return nil }
        self.init(v)
    }

    /// The constant 0.
    @inlinable
    public static var zero: TapeScalar { TapeScalar(0) }

    /// `|x|`, see ``abs(_:)``.
    @inlinable
    public var magnitude: TapeScalar { TapeScalar.abs(self) }

    /// Records `w = φ(x)` with `∂φ/∂x = d` (times `x`'s scale).
    @inlinable @inline(__always)
    static func unary(_ x: TapeScalar, _ value: Double, _ d: Double) -> TapeScalar {
        guard let tape = x.tape else { return TapeScalar(value) }
        return TapeScalar(value, index: tape.pointee.push(x.index, 0, d * x.scale, 0), tape: tape)
    }

    /// Records `w = φ(x, y)` with `∂φ/∂x = dx`, `∂φ/∂y = dy` (times the scales);
    /// a constant operand contributes nothing (its scale is 0).
    ///
    /// Both operands on one node (`u·u`, `u + 2u`) record a unary node with the
    /// summed partial `dx·sₓ + dy·s_y`: a reverse sweep then adds into that
    /// node's adjoint once, not twice in a row (a dependent load–add–store chain).
    @inlinable @inline(__always)
    static func binary(_ x: TapeScalar, _ y: TapeScalar, _ value: Double, _ dx: Double, _ dy: Double) -> TapeScalar {
        guard let tape = x.tape ?? y.tape else { return TapeScalar(value) }
        assert(x.tape == nil || y.tape == nil || x.tape == y.tape, "TapeScalar: operands from two different tapes")
        if x.index == y.index && y.tape != nil && x.tape != nil {
            return TapeScalar(value, index: tape.pointee.push(x.index, 0, dx * x.scale + dy * y.scale, 0), tape: tape)
        }
        return TapeScalar(value, index: tape.pointee.push(x.index, y.index, dx * x.scale, dy * y.scale), tape: tape)
    }

    /// `x` with value `value` and derivative `s·ẋ`: no node.
    @inlinable @inline(__always)
    static func scaled(_ x: TapeScalar, _ value: Double, _ s: Double) -> TapeScalar {
        TapeScalar(value, index: x.index, scale: x.scale * s, tape: x.tape)
    }
}

// MARK: Arithmetic: each records one node with the partials in the comment.

extension TapeScalar {
    /// w = x + y:  ∂w/∂x = 1, ∂w/∂y = 1          (x + c, c + y: no node)
    @inlinable @inline(__always)
    public static func + (x: TapeScalar, y: TapeScalar) -> TapeScalar {
        if y.tape == nil { return scaled(x, x.value + y.value, 1) }
        if x.tape == nil { return scaled(y, x.value + y.value, 1) }
        return binary(x, y, x.value + y.value, 1, 1)
    }

    /// w = x − y:  ∂w/∂x = 1, ∂w/∂y = −1         (x − c, c − y: no node)
    @inlinable @inline(__always)
    public static func - (x: TapeScalar, y: TapeScalar) -> TapeScalar {
        if y.tape == nil { return scaled(x, x.value - y.value, 1) }
        if x.tape == nil { return scaled(y, x.value - y.value, -1) }
        return binary(x, y, x.value - y.value, 1, -1)
    }

    /// w = −x:  ∂w/∂x = −1                        (no node: the scale flips)
    @inlinable @inline(__always)
    public static prefix func - (x: TapeScalar) -> TapeScalar { scaled(x, -x.value, -1) }

    /// w = x·y:  ∂w/∂x = y, ∂w/∂y = x             (c·y, x·c: no node)
    @inlinable @inline(__always)
    public static func * (x: TapeScalar, y: TapeScalar) -> TapeScalar {
        if y.tape == nil { return scaled(x, x.value * y.value, y.value) }
        if x.tape == nil { return scaled(y, x.value * y.value, x.value) }
        return binary(x, y, x.value * y.value, y.value, x.value)
    }

    /// w = x/y:  ∂w/∂x = 1/y, ∂w/∂y = −w/y        (x/c: no node)
    @inlinable @inline(__always)
    public static func / (x: TapeScalar, y: TapeScalar) -> TapeScalar {
        let w = x.value / y.value
        if y.tape == nil { return scaled(x, w, 1 / y.value) }
        return binary(x, y, w, 1 / y.value, -w / y.value)
    }

    /// Adds in place.
    @inlinable @inline(__always)
    public static func += (x: inout TapeScalar, y: TapeScalar) { x = x + y }
    /// Subtracts in place.
    @inlinable @inline(__always)
    public static func -= (x: inout TapeScalar, y: TapeScalar) { x = x - y }
    /// Multiplies in place.
    @inlinable @inline(__always)
    public static func *= (x: inout TapeScalar, y: TapeScalar) { x = x * y }
    /// Divides in place.
    @inlinable @inline(__always)
    public static func /= (x: inout TapeScalar, y: TapeScalar) { x = x / y }

    /// Negates in place.
    @inlinable @inline(__always)
    public mutating func negate() { self = -self }

    /// Equal values (node identity is ignored).
    @inlinable @inline(__always)
    public static func == (x: TapeScalar, y: TapeScalar) -> Bool { x.value == y.value }

    /// Ordered by value only.
    @inlinable @inline(__always)
    public static func < (x: TapeScalar, y: TapeScalar) -> Bool { x.value < y.value }

    /// |x|: returns x or −x (∂ = sign x, +1 at 0)
    @inlinable
    public static func abs(_ x: TapeScalar) -> TapeScalar { x.value < 0 ? -x : x }

    /// max: whichever has the larger value (the first at a tie); no node
    @inlinable
    public static func max(_ x: TapeScalar, _ y: TapeScalar) -> TapeScalar { y.value > x.value ? y : x }

    /// min: whichever has the smaller value (the first at a tie); no node
    @inlinable
    public static func min(_ x: TapeScalar, _ y: TapeScalar) -> TapeScalar { y.value < x.value ? y : x }
}

// MARK: Custom nodes

extension TapeScalar {
    /// Records one custom node: an operation `y = g(x)` with `p` inputs and
    /// `q` outputs that the tape does not trace through. Its outputs are
    /// new variables with the given values; a forward sweep obtains their
    /// tangents from `jvp(ẋ)` (length `q` from length `p`), a reverse sweep
    /// adds `vjp(ȳ)` (length `p` from length `q`) to the inputs' adjoints.
    ///
    /// The closures run during sweeps, possibly on many threads at once, so
    /// they must be pure (`@Sendable`, no shared mutable state). When every
    /// input is a constant, nothing is recorded and constants are returned.
    ///
    /// - Parameters:
    ///   - inputs: the variables `x` (all from one tape, or constants).
    ///   - outputValues: `g(x)` on the inputs' values.
    ///   - jvp: `ẋ ↦ J·ẋ`.
    ///   - vjp: `ȳ ↦ Jᵀ·ȳ`.
    ///   - pattern: the pattern of `J` (`q × p`), called only by sparsity
    ///     detection (``TapeRecording/jacobianPattern()``); `nil` (default)
    ///     declares `J` dense, so each output depends on every input.
    /// - Returns: `q` variables holding `outputValues`.
    public static func recordCustom(inputs: [TapeScalar], outputValues: [Double],
                                    jvp: @escaping @Sendable ([Double]) -> [Double],
                                    vjp: @escaping @Sendable ([Double]) -> [Double],
                                    pattern: (@Sendable () -> SparsityPattern)? = nil) -> [TapeScalar] {
        guard let tape = inputs.lazy.compactMap(\.tape).first else { return outputValues.map(TapeScalar.init) }
        precondition(inputs.allSatisfy { $0.tape == nil || $0.tape == tape },
                     "recordCustom: inputs from different tapes")
        let start = tape.pointee.count
        let outputs = outputValues.map { TapeScalar($0, index: tape.pointee.push(0, 0, 0, 0), tape: tape) }
        tape.pointee.customs.append(CustomNode(inputs: inputs.map(\.index), inputScales: inputs.map(\.scale),
                                               outputStart: start,
                                               outputCount: outputValues.count, jvp: jvp, vjp: vjp,
                                               pattern: pattern))
        return outputs
    }

    /// Evaluates `function` on the values and records it as one custom node
    /// (JVP and VJP on `Double`, at this point).
    public static func callExternal<E: ExternalFunction>(_ function: E, _ x: [TapeScalar]) -> [TapeScalar] {
        let xv = x.map(\.value)
        let y = function.value(xv)
        return recordCustom(inputs: x, outputValues: y,
                            jvp: { function.jvp(at: xv, value: y, tangent: $0) },
                            vjp: { function.vjp(at: xv, value: y, cotangent: $0) })
    }
}
