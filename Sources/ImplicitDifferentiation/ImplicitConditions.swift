import AutoDiff
import LinearAlgebra

/// Conditions `F(x, y) = 0` that the output of a forward solver satisfies,
/// written once, generic over the scalar.
///
/// The invariant is `conditions(x: x, y: solver(x)) == 0`. The library
/// evaluates the same code with `Double` (the residual check), with dual
/// numbers (to materialize `A = ∂F/∂y` and `B = ∂F/∂x`; at `m ≤ 16` the
/// residual check reads the value of that dual evaluation) and on a tape (for
/// matrix-free products), so write it for any `T: DifferentiableScalar`:
///
/// ```swift
/// struct HeronConditions: ImplicitConditions {
///     func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
///         zip(x, y).map { x, y in (y + x / y) / T(2) - y }   // constants as T(2)
///     }
/// }
/// ```
///
/// Constants must enter as `T(k)` (or integer literals): a `Double` literal
/// such as `0.5` does not convert to `T` by itself, the classic mistake.
/// The result may have more entries than `y` (`k ≥ m`), in which case the
/// derivative is a least-squares solve.
///
/// Conditions on many unknowns may also write `F` into a buffer the library
/// keeps between calls (``evaluate(x:y:into:)``), which spares the allocation of
/// `F`'s output on dual numbers at every linearization.
public protocol ImplicitConditions: Sendable {
    /// Evaluates `F(x, y)`; returns `k ≥ y.count` values.
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T]

    /// Evaluates `F(x, y)` into `output`, reusing its storage: the in-place form
    /// of ``callAsFunction(x:y:)``, with the same values.
    ///
    /// ```
    /// output ← F(x, y)        output.count = k afterwards
    /// ```
    ///
    /// `output` may arrive with the values of an earlier evaluation, or with another
    /// length; write every entry, and resize it only when its length is not `k`
    /// (e.g. `if output.count != k { output = [T](repeating: 0, count: k) }`).
    /// The default assigns ``callAsFunction(x:y:)``'s result, so conditions that do
    /// not implement this form are evaluated as before. The tape-free evaluation on
    /// dual lanes (``Representation/sparse``, or the automatic plan on a cached
    /// sparse structure) calls this form with a buffer it keeps between calls, so
    /// that conditions implementing it allocate nothing for `F`'s output there.
    ///
    /// - Parameters:
    ///   - x: the input, length `n`.
    ///   - y: the solution, length `m`.
    ///   - output: on return, `F(x, y)`: `k` values, as many as ``callAsFunction(x:y:)``
    ///     returns. Another length is refused with
    ///     ``ImplicitDifferentiationError/dimensionMismatch(_:)``.
    func evaluate<T: DifferentiableScalar>(x: [T], y: [T], into output: inout [T])
}

extension ImplicitConditions {
    /// Assigns ``callAsFunction(x:y:)``'s result to `output`.
    ///
    /// - Parameters:
    ///   - x: the input, length `n`.
    ///   - y: the solution, length `m`.
    ///   - output: on return, `F(x, y)`.
    @inlinable
    public func evaluate<T: DifferentiableScalar>(x: [T], y: [T], into output: inout [T]) {
        output = self(x: x, y: y)
    }
}

/// Conditions `F(x, y, z) = 0` that also read a byproduct `z` of the forward
/// solver (a dual variable, an active set, extra arguments, …), which is
/// never differentiated.
///
/// Use this form when the solver returns more than `y`; the byproduct is the
/// channel for non-differentiated arguments too (the solver receives them and
/// passes on what the conditions need).
public protocol ImplicitConditionsWithByproduct<Byproduct>: Sendable {
    /// What the forward solver hands to the conditions besides `y`.
    associatedtype Byproduct: Sendable
    /// Evaluates `F(x, y, z)`; returns `k ≥ y.count` values.
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T], byproduct: Byproduct) -> [T]

    /// Evaluates `F(x, y, z)` into `output`, reusing its storage: the in-place form
    /// of ``callAsFunction(x:y:byproduct:)``, as ``ImplicitConditions/evaluate(x:y:into:)``
    /// is for conditions without a byproduct.
    ///
    /// ```
    /// output ← F(x, y, z)     output.count = k afterwards
    /// ```
    ///
    /// The default assigns ``callAsFunction(x:y:byproduct:)``'s result.
    ///
    /// - Parameters:
    ///   - x: the input, length `n`.
    ///   - y: the solution, length `m`.
    ///   - byproduct: the forward solver's byproduct `z`.
    ///   - output: on return, `F(x, y, z)`: `k` values, as many as
    ///     ``callAsFunction(x:y:byproduct:)`` returns. Another length is refused with
    ///     ``ImplicitDifferentiationError/dimensionMismatch(_:)``.
    func evaluate<T: DifferentiableScalar>(x: [T], y: [T], byproduct: Byproduct, into output: inout [T])
}

extension ImplicitConditionsWithByproduct {
    /// Assigns ``callAsFunction(x:y:byproduct:)``'s result to `output`.
    ///
    /// - Parameters:
    ///   - x: the input, length `n`.
    ///   - y: the solution, length `m`.
    ///   - byproduct: the forward solver's byproduct `z`.
    ///   - output: on return, `F(x, y, z)`.
    @inlinable
    public func evaluate<T: DifferentiableScalar>(x: [T], y: [T], byproduct: Byproduct, into output: inout [T]) {
        output = self(x: x, y: y, byproduct: byproduct)
    }
}

/// Adapts plain conditions to the byproduct form with `Byproduct == Void`.
@usableFromInline
struct ConditionsIgnoringByproduct<Base: ImplicitConditions>: ImplicitConditionsWithByproduct {
    @usableFromInline let base: Base
    @inlinable init(_ base: Base) { self.base = base }
    @inlinable
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T], byproduct: Void) -> [T] {
        base(x: x, y: y)
    }
    @inlinable
    func evaluate<T: DifferentiableScalar>(x: [T], y: [T], byproduct: Void, into output: inout [T]) {
        base.evaluate(x: x, y: y, into: &output)
    }
}

/// Conditions written by hand on `Double`, for users who have something
/// faster than automatic differentiation (BLAS calls, a sparse matrix, an
/// analytic Jacobian).
///
/// Give either the products (`jvp`, `vjp`) or the matrices (`jacobians`);
/// the library never mixes in automatic or numerical differentiation.
///
/// ```
/// jvp(x, y, z, ẋ, ẏ) = B ẋ + A ẏ         (ẋ or ẏ may be nil: zero)
/// vjp(x, y, z, u)    = (Bᵀu, Aᵀu)
/// jacobians(x, y, z) = (B, A)            B = ∂F/∂x (k×n), A = ∂F/∂y (k×m)
/// ```
public struct HandwrittenConditions<Byproduct: Sendable>: Sendable {
    @usableFromInline let value: @Sendable ([Double], [Double], Byproduct) -> [Double]
    @usableFromInline let jvp: (@Sendable ([Double], [Double], Byproduct, [Double]?, [Double]?) -> [Double])?
    @usableFromInline let vjp: (@Sendable ([Double], [Double], Byproduct, [Double]) -> (x: [Double], y: [Double]))?
    @usableFromInline let jacobians: (@Sendable ([Double], [Double], Byproduct) -> (x: Matrix, y: Matrix))?

    /// Conditions given by their value and matrix-free products.
    ///
    /// - Parameters:
    ///   - value: `F(x, y, z)`.
    ///   - jvp: `B ẋ + A ẏ`, where a `nil` direction is zero.
    ///   - vjp: `(Bᵀu, Aᵀu)`.
    public init(value: @escaping @Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct) -> [Double],
                jvp: @escaping @Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct,
                                          _ dx: [Double]?, _ dy: [Double]?) -> [Double],
                vjp: @escaping @Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct,
                                          _ u: [Double]) -> (x: [Double], y: [Double])) {
        self.value = value
        self.jvp = jvp
        self.vjp = vjp
        self.jacobians = nil
    }

    /// Conditions given by their value and their two Jacobian matrices.
    ///
    /// - Parameters:
    ///   - value: `F(x, y, z)`.
    ///   - jacobians: `(B, A)` with `B = ∂F/∂x` (`k × n`) and `A = ∂F/∂y` (`k × m`).
    public init(value: @escaping @Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct) -> [Double],
                jacobians: @escaping @Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct)
                    -> (x: Matrix, y: Matrix)) {
        self.value = value
        self.jvp = nil
        self.vjp = nil
        self.jacobians = jacobians
    }
}

extension HandwrittenConditions where Byproduct == Void {
    /// Conditions without byproduct, given by value and products.
    public init(value: @escaping @Sendable (_ x: [Double], _ y: [Double]) -> [Double],
                jvp: @escaping @Sendable (_ x: [Double], _ y: [Double], _ dx: [Double]?, _ dy: [Double]?) -> [Double],
                vjp: @escaping @Sendable (_ x: [Double], _ y: [Double], _ u: [Double]) -> (x: [Double], y: [Double])) {
        self.init(value: { x, y, _ in value(x, y) },
                  jvp: { x, y, _, dx, dy in jvp(x, y, dx, dy) },
                  vjp: { x, y, _, u in vjp(x, y, u) })
    }

    /// Conditions without byproduct, given by value and Jacobian matrices `(B, A)`.
    public init(value: @escaping @Sendable (_ x: [Double], _ y: [Double]) -> [Double],
                jacobians: @escaping @Sendable (_ x: [Double], _ y: [Double]) -> (x: Matrix, y: Matrix)) {
        self.init(value: { x, y, _ in value(x, y) }, jacobians: { x, y, _ in jacobians(x, y) })
    }
}

/// Black-box conditions available only on `Double`, differentiated by central
/// finite differences — because the user asked for it by choosing this type.
///
/// Products with `A` and `B` cost two evaluations of `F` each; `A` is
/// materialized with `2m` evaluations, and `Bᵀu` needs `B` (`2n`
/// evaluations). Expect about half the digits of an exact derivative.
public struct FiniteDifferenceConditions<Byproduct: Sendable>: Sendable {
    @usableFromInline let value: @Sendable ([Double], [Double], Byproduct) -> [Double]

    /// Wraps `F(x, y, z)` for differentiation by central differences.
    public init(_ value: @escaping @Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct) -> [Double]) {
        self.value = value
    }
}

extension FiniteDifferenceConditions where Byproduct == Void {
    /// Wraps `F(x, y)` for differentiation by central differences.
    public init(_ value: @escaping @Sendable (_ x: [Double], _ y: [Double]) -> [Double]) {
        self.value = { x, y, _ in value(x, y) }
    }
}
