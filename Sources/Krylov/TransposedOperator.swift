/// The transpose `Aᵀ` of an operator, as a view: no copy, its `apply` is the
/// base operator's `applyTransposed` and vice versa.
///
/// ```
/// TransposedOperator(A).apply(x)           = Aᵀ x
/// TransposedOperator(A).applyTransposed(x) = A x
/// ```
///
/// The declared structure carries over (`(Aᵀ)ᵀ = A`, and `xᵀAᵀx = xᵀAx`).
public struct TransposedOperator<Base: LinearOperator>: LinearOperator {
    /// The operator `A` whose transpose this is.
    public let base: Base

    /// Creates the view `Aᵀ`.
    ///
    /// - Parameter base: an operator with `supportsTranspose == true`
    ///   (a precondition: without it, `Aᵀ x` cannot be computed).
    public init(_ base: Base) {
        precondition(base.supportsTranspose, "TransposedOperator: \(type(of: base)) does not support "
            + "applyTransposed(_:into:); give it a transpose to solve with Aᵀ")
        self.base = base
    }

    /// `base.columns`.
    public var rows: Int { base.columns }
    /// `base.rows`.
    public var columns: Int { base.rows }
    /// `base.structure`.
    public var structure: OperatorStructure { base.structure }
    /// Always `true`: the transpose of `Aᵀ` is `A`.
    public var supportsTranspose: Bool { true }

    /// Writes `y = Aᵀ x`.
    public func apply(_ x: [Double], into y: inout [Double]) { base.applyTransposed(x, into: &y) }

    /// Writes `y = A x`.
    public func applyTransposed(_ x: [Double], into y: inout [Double]) { base.apply(x, into: &y) }
}

extension TransposedOperator: Sendable where Base: Sendable {}

extension LinearOperator {
    /// The transposed view `Aᵀ` (see ``TransposedOperator``).
    public var transposed: TransposedOperator<Self> { TransposedOperator(self) }
}
