/// Structure a caller declares about a linear operator.
///
/// The declaration is a promise, **not checked**: no method verifies that an
/// operator declared ``symmetric`` satisfies `Aᵀ = A` or that one declared
/// ``positiveDefinite`` satisfies `xᵀA x > 0`. Solvers use it only to choose
/// an algorithm (conjugate gradients needs both) or to reuse `apply` as the
/// transpose of a symmetric operator. A wrong declaration gives wrong answers
/// or a `KrylovStatus/indefinite` status, never a trap.
///
/// ```
/// symmetric:         Aᵀ = A
/// positiveDefinite:  xᵀ A x > 0 for every x ≠ 0
/// ```
public struct OperatorStructure: OptionSet, Sendable, Hashable {
    /// The raw bits of the option set.
    public let rawValue: Int

    /// Creates a structure from its raw bits.
    ///
    /// - Parameter rawValue: the bits; unknown bits are kept but ignored.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `Aᵀ = A` (declared, unchecked).
    public static let symmetric = OperatorStructure(rawValue: 1 << 0)
    /// `xᵀ A x > 0` for every `x ≠ 0` (declared, unchecked).
    public static let positiveDefinite = OperatorStructure(rawValue: 1 << 1)
}
