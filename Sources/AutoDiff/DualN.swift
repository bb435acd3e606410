import RealModule

/// A forward-mode dual number with `N` tangent directions at once:
/// `value + Σₖ partials[k]·εₖ`, with `εⱼεₖ = 0` for all `j, k`.
///
/// One evaluation of `f` on `DualN<N>` inputs seeded with `N` columns of a
/// matrix `V` gives `J(x)·V`; an `m × n` Jacobian takes `⌈n/N⌉` evaluations
/// (seed an identity block). The partials live inline
/// (`InlineArray<N, Double>`): no heap allocation. Every rule is the
/// one-direction rule of ``Dual`` applied to each partial, `f′(a)` computed
/// once; see `DualN+ElementaryFunctions.swift`.
///
/// Comparisons look at the value only. Constants enter as `DualN(k)`
/// (or `T(k)` in generic code).
@frozen
public struct DualN<let N: Int>: DifferentiableScalar {
    /// The value part.
    public var value: Double
    /// The `N` directional derivatives.
    public var partials: InlineArray<N, Double>

    /// Creates `value + Σ partials[k]·εₖ`.
    @inlinable @inline(__always)
    public init(_ value: Double, partials: InlineArray<N, Double>) {
        self.value = value
        self.partials = partials
    }

    /// A constant: every partial is zero.
    @inlinable @inline(__always)
    public init(_ constant: Double) {
        self.init(constant, partials: InlineArray(repeating: 0))
    }

    /// The value seeded along direction `k` (`partials[k] = 1`, others 0).
    @inlinable
    public init(_ value: Double, seed k: Int) {
        precondition(k >= 0 && k < N, "DualN: seed direction \(k) outside 0..<\(N)")
        var p = InlineArray<N, Double>(repeating: 0)
        p[k] = 1
        self.init(value, partials: p)
    }

    /// `value`, with `partials = s · x.partials`.
    @inlinable @inline(__always)
    init(_ value: Double, _ x: DualN, _ s: Double) {
        var p = InlineArray<N, Double>(repeating: 0)
        for k in 0..<N { p[k] = s * x.partials[k] }
        self.init(value, partials: p)
    }

    /// `value`, with `partials = x.partials / d` (divided, not multiplied by
    /// `1/d`, so that every partial is bit-identical to the ``Dual`` rule's).
    @inlinable @inline(__always)
    init(_ value: Double, _ x: DualN, dividedBy d: Double) {
        var p = InlineArray<N, Double>(repeating: 0)
        for k in 0..<N { p[k] = x.partials[k] / d }
        self.init(value, partials: p)
    }

    /// `value`, with `partials = s · x.partials + t · y.partials`.
    @inlinable @inline(__always)
    init(_ value: Double, _ x: DualN, _ s: Double, _ y: DualN, _ t: Double) {
        var p = InlineArray<N, Double>(repeating: 0)
        for k in 0..<N { p[k] = s * x.partials[k] + t * y.partials[k] }
        self.init(value, partials: p)
    }

    /// The value itself.
    @inlinable @inline(__always)
    public var primal: Double { value }

    /// The integer `value`, all partials zero.
    @inlinable
    public init(integerLiteral value: Int) { self.init(Double(value)) }

    /// The integer `source` when `Double` represents it exactly.
    @inlinable
    public init?<I: BinaryInteger>(exactly source: I) {
        guard let v = Double(exactly: source) else { return nil }
        self.init(v)
    }

    /// Zero, all partials zero.
    @inlinable
    public static var zero: DualN { DualN(0) }

    /// `|x|`, see ``abs(_:)``.
    @inlinable
    public var magnitude: DualN { DualN.abs(self) }
}

// MARK: Arithmetic

extension DualN {
    /// (a + Σbₖεₖ) + (c + Σdₖεₖ) = (a + c) + Σ(bₖ + dₖ)εₖ
    @inlinable @inline(__always)
    public static func + (x: DualN, y: DualN) -> DualN {
        var p = InlineArray<N, Double>(repeating: 0)
        for k in 0..<N { p[k] = x.partials[k] + y.partials[k] }
        return DualN(x.value + y.value, partials: p)
    }

    /// (a + Σbₖεₖ) − (c + Σdₖεₖ) = (a − c) + Σ(bₖ − dₖ)εₖ
    @inlinable @inline(__always)
    public static func - (x: DualN, y: DualN) -> DualN {
        var p = InlineArray<N, Double>(repeating: 0)
        for k in 0..<N { p[k] = x.partials[k] - y.partials[k] }
        return DualN(x.value - y.value, partials: p)
    }

    /// −(a + Σbₖεₖ) = −a − Σbₖεₖ
    @inlinable @inline(__always)
    public static prefix func - (x: DualN) -> DualN {
        var p = InlineArray<N, Double>(repeating: 0)
        for k in 0..<N { p[k] = -x.partials[k] }
        return DualN(-x.value, partials: p)
    }

    /// (a + Σbₖεₖ)(c + Σdₖεₖ) = ac + Σ(c·bₖ + a·dₖ)εₖ
    @inlinable @inline(__always)
    public static func * (x: DualN, y: DualN) -> DualN {
        DualN(x.value * y.value, x, y.value, y, x.value)
    }

    /// (a + Σbₖεₖ)/(c + Σdₖεₖ) = a/c + Σ(bₖ − (a/c)·dₖ)/c εₖ
    @inlinable @inline(__always)
    public static func / (x: DualN, y: DualN) -> DualN {
        let q = x.value / y.value
        var p = InlineArray<N, Double>(repeating: 0)
        for k in 0..<N { p[k] = (x.partials[k] - q * y.partials[k]) / y.value }
        return DualN(q, partials: p)
    }

    /// Adds in place.
    @inlinable @inline(__always)
    public static func += (x: inout DualN, y: DualN) { x = x + y }
    /// Subtracts in place.
    @inlinable @inline(__always)
    public static func -= (x: inout DualN, y: DualN) { x = x - y }
    /// Multiplies in place.
    @inlinable @inline(__always)
    public static func *= (x: inout DualN, y: DualN) { x = x * y }
    /// Divides in place.
    @inlinable @inline(__always)
    public static func /= (x: inout DualN, y: DualN) { x = x / y }

    /// Negates in place.
    @inlinable @inline(__always)
    public mutating func negate() { self = -self }

    /// Equal values (partials are ignored, as in every comparison).
    @inlinable @inline(__always)
    public static func == (x: DualN, y: DualN) -> Bool { x.value == y.value }

    /// Ordered by value only.
    @inlinable @inline(__always)
    public static func < (x: DualN, y: DualN) -> Bool { x.value < y.value }

    /// |a + Σbₖεₖ| = |a| + sign(a)·Σbₖεₖ          (+ at a = 0)
    @inlinable
    public static func abs(_ x: DualN) -> DualN { x.value < 0 ? -x : x }

    /// max: whichever has the larger value (the first at a tie)
    @inlinable
    public static func max(_ x: DualN, _ y: DualN) -> DualN { y.value > x.value ? y : x }

    /// min: whichever has the smaller value (the first at a tie)
    @inlinable
    public static func min(_ x: DualN, _ y: DualN) -> DualN { y.value < x.value ? y : x }

    /// Value by ``ExternalFunction/value(_:)``, the `N` tangents by one
    /// batched ``ExternalFunction/jvp(at:value:tangents:)``.
    @inlinable
    public static func callExternal<E: ExternalFunction>(_ function: E, _ x: [DualN]) -> [DualN] {
        let values = x.map(\.value)
        let y = function.value(values)
        let directions = (0..<N).map { k in x.map { $0.partials[k] } }
        let dy = function.jvp(at: values, value: y, tangents: directions)
        precondition(dy.count == N && dy.allSatisfy { $0.count == y.count },
                     "callExternal: batched JVP has the wrong shape")
        return (0..<y.count).map { i in
            var p = InlineArray<N, Double>(repeating: 0)
            for k in 0..<N { p[k] = dy[k][i] }
            return DualN(y[i], partials: p)
        }
    }
}
