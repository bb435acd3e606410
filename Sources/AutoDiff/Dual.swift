import RealModule

// Dual numbers in one paragraph.
//
// A dual number is a + bε with a new symbol ε that is NOT zero but whose
// square is: ε ≠ 0, ε² = 0. Expanding any smooth f in a Taylor series,
//
//     f(a + bε) = f(a) + f′(a)·bε + ½f″(a)·b²ε² + … = f(a) + f′(a)·b ε,
//
// so evaluating a program on a + 1ε returns f(a) in the value part and the
// exact derivative f′(a) in the ε part: forward-mode AD, with no truncation
// error. Worked example, f(x) = x·x + 3x at x = 2, seeded with tangent 1:
//
//     (2 + ε)(2 + ε) = 4 + 4ε + ε² = 4 + 4ε
//     3·(2 + ε)      = 6 + 3ε
//     sum            = 10 + 7ε        f(2) = 10, f′(2) = 2·2 + 3 = 7 ✓
//
// Seeding a vector x with tangent v gives J(x)·v (a JVP) in one evaluation.
// The base may itself be a dual, Dual<Dual<Double>>: with ε₁, ε₂ both
// nilpotent and ε₁ε₂ ≠ 0, the ε₁ε₂ part carries a second derivative.
// Every rule below has its formula in the comment above its body.

/// A forward-mode dual number `value + tangent·ε` with `ε² = 0`.
///
/// `Base` is `Double` for first derivatives, or another dual
/// (`Dual<Dual<Double>>`) for second derivatives. Comparisons look at the
/// value only. Constants enter as `Dual(k)` (or `T(k)` in generic code).
///
/// ```swift
/// let x = Dual(2.0, tangent: 1.0)
/// let y = x * x + Dual(3) * x        // y.value == 10, y.tangent == 7
/// ```
@frozen
public struct Dual<Base: DifferentiableScalar>: DifferentiableScalar {
    /// The value part `a` of `a + bε`.
    public var value: Base
    /// The tangent part `b` of `a + bε`: the directional derivative.
    public var tangent: Base

    /// Creates `value + tangent·ε`.
    @inlinable @inline(__always)
    public init(_ value: Base, tangent: Base) {
        self.value = value
        self.tangent = tangent
    }

    /// A constant: `constant + 0ε`.
    @inlinable @inline(__always)
    public init(_ constant: Double) {
        self.init(Base(constant), tangent: .zero)
    }

    /// The `Double` under every layer.
    @inlinable
    public var primal: Double { value.primal }

    /// The integer `value + 0ε`.
    @inlinable
    public init(integerLiteral value: Int) {
        self.init(Base(Double(value)), tangent: .zero)
    }

    /// The integer `source + 0ε` when `Base` represents it exactly.
    @inlinable
    public init?<I: BinaryInteger>(exactly source: I) {
        guard let v = Base(exactly: source) else { return nil }
        self.init(v, tangent: .zero)
    }

    /// `0 + 0ε`.
    @inlinable
    public static var zero: Dual { Dual(.zero, tangent: .zero) }

    /// `|a + bε|`, see ``abs(_:)``.
    @inlinable
    public var magnitude: Dual { Dual.abs(self) }
}

// MARK: Arithmetic

extension Dual {
    /// (a + bε) + (c + dε) = (a + c) + (b + d)ε
    @inlinable @inline(__always)
    public static func + (x: Dual, y: Dual) -> Dual {
        Dual(x.value + y.value, tangent: x.tangent + y.tangent)
    }

    /// (a + bε) − (c + dε) = (a − c) + (b − d)ε
    @inlinable @inline(__always)
    public static func - (x: Dual, y: Dual) -> Dual {
        Dual(x.value - y.value, tangent: x.tangent - y.tangent)
    }

    /// −(a + bε) = −a − bε
    @inlinable @inline(__always)
    public static prefix func - (x: Dual) -> Dual {
        Dual(-x.value, tangent: -x.tangent)
    }

    /// (a + bε)(c + dε) = ac + (ad + bc)ε
    @inlinable @inline(__always)
    public static func * (x: Dual, y: Dual) -> Dual {
        Dual(x.value * y.value, tangent: x.value * y.tangent + x.tangent * y.value)
    }

    /// (a + bε)/(c + dε) = a/c + (b − (a/c)·d)/c ε
    @inlinable @inline(__always)
    public static func / (x: Dual, y: Dual) -> Dual {
        let q = x.value / y.value
        return Dual(q, tangent: (x.tangent - q * y.tangent) / y.value)
    }

    /// Adds in place.
    @inlinable @inline(__always)
    public static func += (x: inout Dual, y: Dual) { x = x + y }
    /// Subtracts in place.
    @inlinable @inline(__always)
    public static func -= (x: inout Dual, y: Dual) { x = x - y }
    /// Multiplies in place.
    @inlinable @inline(__always)
    public static func *= (x: inout Dual, y: Dual) { x = x * y }
    /// Divides in place.
    @inlinable @inline(__always)
    public static func /= (x: inout Dual, y: Dual) { x = x / y }

    /// Negates in place.
    @inlinable @inline(__always)
    public mutating func negate() { self = -self }
}

// MARK: Comparison (value part only)

extension Dual {
    /// Equal values (tangents are ignored, as in every comparison).
    @inlinable @inline(__always)
    public static func == (x: Dual, y: Dual) -> Bool { x.value == y.value }

    /// Ordered by value only.
    @inlinable @inline(__always)
    public static func < (x: Dual, y: Dual) -> Bool { x.value < y.value }
}

// MARK: Non-smooth helpers

extension Dual {
    /// |a + bε| = |a| + sign(a)·b ε          (+b at a = 0)
    @inlinable
    public static func abs(_ x: Dual) -> Dual { x.value < .zero ? -x : x }

    /// max(a + bε, c + dε) = whichever has the larger value (the first at a tie)
    @inlinable
    public static func max(_ x: Dual, _ y: Dual) -> Dual { y.value > x.value ? y : x }

    /// min(a + bε, c + dε) = whichever has the smaller value (the first at a tie)
    @inlinable
    public static func min(_ x: Dual, _ y: Dual) -> Dual { y.value < x.value ? y : x }
}

// MARK: External functions

extension Dual {
    /// Value through `Base`, tangent by the function's JVP evaluated in `Base`.
    @inlinable
    public static func callExternal<E: ExternalFunction>(_ function: E, _ x: [Dual]) -> [Dual] {
        let values = x.map(\.value)
        let tangents = x.map(\.tangent)
        let y = Base.callExternal(function, values)
        let dy = function.jvp(at: values, value: y, tangent: tangents)
        precondition(dy.count == y.count, "callExternal: JVP length \(dy.count) differs from value length \(y.count)")
        return (0..<y.count).map { Dual(y[$0], tangent: dy[$0]) }
    }
}

extension Dual: CustomStringConvertible {
    /// `a + bε`.
    public var description: String { "\(value) + \(tangent)ε" }
}
