import LinearAlgebra

/// A scratch vector owned by a combinator, reused across products.
///
/// The first caller takes the stored buffer under a lock; a concurrent caller
/// that finds it taken gets a fresh temporary instead of waiting, so an
/// operator can be shared between threads and the single-threaded loop still
/// allocates nothing after the first product.
final class ScratchVector: Sendable {
    private let storage = Locked<[Double]>([])

    /// Runs `body` with a buffer of length `count` (contents unspecified).
    func withBuffer(count: Int, _ body: (inout [Double]) -> Void) {
        let reused: Bool? = storage.withLockIfAvailable { buffer in
            if buffer.count != count { buffer = [Double](repeating: 0, count: count) }
            body(&buffer)
            return true
        }
        if reused == nil {
            var temporary = [Double](repeating: 0, count: count)
            body(&temporary)
        }
    }
}

/// The scaled operator `α A`.
///
/// ```
/// (α A) x = α (A x),   (α A)ᵀ x = α (Aᵀ x)
/// ```
///
/// Declared structure: symmetry carries over; positive definiteness only for `α > 0`.
public struct ScaledOperator<Base: LinearOperator>: LinearOperator {
    /// `A`.
    public let base: Base
    /// `α`.
    public let scale: Double

    /// Creates `α A`.
    ///
    /// - Parameters:
    ///   - base: any operator.
    ///   - scale: `α`, any finite value.
    public init(_ base: Base, scale: Double) {
        self.base = base
        self.scale = scale
    }

    /// `base.rows`.
    public var rows: Int { base.rows }
    /// `base.columns`.
    public var columns: Int { base.columns }
    /// Symmetric if `A` is; positive definite if `A` is and `α > 0`.
    public var structure: OperatorStructure {
        var s = base.structure
        if !(scale > 0) { s.remove(.positiveDefinite) }
        return s
    }
    /// `base.supportsTranspose`.
    public var supportsTranspose: Bool { base.supportsTranspose }

    /// Writes `y = α A x`.
    public func apply(_ x: [Double], into y: inout [Double]) {
        base.apply(x, into: &y)
        if scale != 1 { BLAS.scal(scale, &y) }
    }

    /// Writes `y = α Aᵀ x`.
    public func applyTransposed(_ x: [Double], into y: inout [Double]) {
        base.applyTransposed(x, into: &y)
        if scale != 1 { BLAS.scal(scale, &y) }
    }
}

/// The sum `A + B` of two operators of the same shape.
///
/// ```
/// (A + B) x = A x + B x,   (A + B)ᵀ x = Aᵀ x + Bᵀ x
/// ```
///
/// Keeps one scratch vector for `B x` (see the type's thread note: concurrent
/// products are safe; only the first one reuses the scratch).
public struct SumOperator<Left: LinearOperator, Right: LinearOperator>: LinearOperator {
    /// `A`.
    public let left: Left
    /// `B`.
    public let right: Right
    let scratch = ScratchVector()

    /// Creates `A + B`.
    ///
    /// - Parameters:
    ///   - left: `A`, `m × n`.
    ///   - right: `B`, `m × n` (a precondition).
    public init(_ left: Left, _ right: Right) {
        precondition(left.rows == right.rows && left.columns == right.columns,
                     "SumOperator: shapes \(left.rows)×\(left.columns) and \(right.rows)×\(right.columns) differ")
        self.left = left
        self.right = right
    }

    /// `m`.
    public var rows: Int { left.rows }
    /// `n`.
    public var columns: Int { left.columns }
    /// The structure both operands declare (a sum of SPD operators is SPD).
    public var structure: OperatorStructure { left.structure.intersection(right.structure) }
    /// `true` when both operands support the transpose.
    public var supportsTranspose: Bool { left.supportsTranspose && right.supportsTranspose }

    /// Writes `y = A x + B x`.
    public func apply(_ x: [Double], into y: inout [Double]) {
        left.apply(x, into: &y)
        scratch.withBuffer(count: rows) { t in
            right.apply(x, into: &t)
            BLAS.axpy(1, t, &y)
        }
    }

    /// Writes `y = Aᵀ x + Bᵀ x`.
    public func applyTransposed(_ x: [Double], into y: inout [Double]) {
        left.applyTransposed(x, into: &y)
        scratch.withBuffer(count: columns) { t in
            right.applyTransposed(x, into: &t)
            BLAS.axpy(1, t, &y)
        }
    }
}

/// The composition `A B` (apply `B` first, then `A`).
///
/// ```
/// (A B) x = A (B x),   (A B)ᵀ x = Bᵀ (Aᵀ x)
/// ```
///
/// Declares no structure (a product of symmetric operators is not symmetric
/// in general). Keeps one scratch vector of length `B.rows`.
public struct ComposedOperator<Outer: LinearOperator, Inner: LinearOperator>: LinearOperator {
    /// `A`, applied second.
    public let outer: Outer
    /// `B`, applied first.
    public let inner: Inner
    let scratch = ScratchVector()

    /// Creates `A B`.
    ///
    /// - Parameters:
    ///   - outer: `A`, `m × k`.
    ///   - inner: `B`, `k × n` (a precondition: `A.columns == B.rows`).
    public init(_ outer: Outer, _ inner: Inner) {
        precondition(outer.columns == inner.rows,
                     "ComposedOperator: A is \(outer.rows)×\(outer.columns) but B is \(inner.rows)×\(inner.columns)")
        self.outer = outer
        self.inner = inner
    }

    /// `A.rows`.
    public var rows: Int { outer.rows }
    /// `B.columns`.
    public var columns: Int { inner.columns }
    /// `true` when both factors support the transpose.
    public var supportsTranspose: Bool { outer.supportsTranspose && inner.supportsTranspose }

    /// Writes `y = A (B x)`.
    public func apply(_ x: [Double], into y: inout [Double]) {
        scratch.withBuffer(count: inner.rows) { t in
            inner.apply(x, into: &t)
            outer.apply(t, into: &y)
        }
    }

    /// Writes `y = Bᵀ (Aᵀ x)`.
    public func applyTransposed(_ x: [Double], into y: inout [Double]) {
        scratch.withBuffer(count: inner.rows) { t in
            outer.applyTransposed(x, into: &t)
            inner.applyTransposed(t, into: &y)
        }
    }
}

extension LinearOperator {
    /// The scaled operator `α A` (see ``ScaledOperator``).
    ///
    /// - Parameter alpha: `α`, any finite value.
    public func scaled(by alpha: Double) -> ScaledOperator<Self> { ScaledOperator(self, scale: alpha) }

    /// The sum `A + B` (see ``SumOperator``).
    ///
    /// - Parameter other: `B`, same shape as `A`.
    public func adding<Other: LinearOperator>(_ other: Other) -> SumOperator<Self, Other> {
        SumOperator(self, other)
    }

    /// The composition `A B`, which applies `other` first (see ``ComposedOperator``).
    ///
    /// - Parameter other: `B`, with `B.rows == A.columns`.
    public func composed<Other: LinearOperator>(with other: Other) -> ComposedOperator<Self, Other> {
        ComposedOperator(self, other)
    }
}

extension ScaledOperator: Sendable where Base: Sendable {}
extension SumOperator: Sendable where Left: Sendable, Right: Sendable {}
extension ComposedOperator: Sendable where Outer: Sendable, Inner: Sendable {}
