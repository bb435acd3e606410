import LinearAlgebra
import RealModule

/// The scalar that differentiable code is written over: `Double`, ``Dual``,
/// ``DualN``, ``TapeScalar`` and nestings such as `Dual<Dual<Double>>`.
///
/// Modeled on swift-numerics' `Complex`: it refines `AlgebraicField` and
/// `ElementaryFunctions`, not `Real` (which would drag in all of
/// `FloatingPoint`). Comparisons (`<`, `==`, `max`, `min`, …) look at the
/// ``primal`` value only, so branches taken in differentiated code are the
/// branches the plain `Double` evaluation takes.
///
/// Write a function once, generically:
///
/// ```swift
/// func residual<T: DifferentiableScalar>(_ u: [T], lambda: Double) -> [T] {
///     u.map { ui in T(2) * ui - T(lambda) * T.exp(ui) }   // constants enter as T(k)
/// }
/// ```
///
/// - Important: **Constants enter as `T(k)`** — this is the classic mistake.
///   Integer literals work (`T` is `ExpressibleByIntegerLiteral`), floating-point
///   literals and `Double` variables must be wrapped: `T(0.5) * x`, `T(lambda)`.
///   Never route a differentiated value through `Double` and back
///   (`T(x.primal * 2)`): that compiles, and silently drops the derivative.
///
/// Rules not differentiable at a point (``abs(_:)`` at 0, ``max(_:_:)`` at a
/// tie, ``clamp(_:lower:upper:)`` at a bound) return one one-sided derivative;
/// they are exact away from those points.
public protocol DifferentiableScalar: AlgebraicField, ElementaryFunctions, Comparable, Sendable
where Magnitude == Self {
    /// Lifts a constant: zero derivative, and no node on a tape.
    init(_ constant: Double)

    /// The `Double` value underneath every tangent and tape layer.
    var primal: Double { get }

    /// `|x|`; derivative `sign(x)·ẋ` (taken as `+ẋ` at `x = 0`).
    static func abs(_ x: Self) -> Self

    /// The larger of `a` and `b` by primal value, with its derivative (`a` at a tie).
    static func max(_ a: Self, _ b: Self) -> Self

    /// The smaller of `a` and `b` by primal value, with its derivative (`a` at a tie).
    static func min(_ a: Self, _ b: Self) -> Self

    /// `x` clamped to `[lower, upper]` by primal value (`lower ≤ upper`);
    /// the derivative is that of whichever of the three is returned.
    static func clamp(_ x: Self, lower: Self, upper: Self) -> Self

    /// `xᵖ` for a constant exponent `p`; derivative `p·xᵖ⁻¹·ẋ`. Defined for
    /// `x > 0`, and for `x < 0` when `p` is an integer value.
    static func pow(_ x: Self, _ p: Double) -> Self

    /// Applies a function known only by its value and derivative products
    /// (see ``ExternalFunction``) to `x`, propagating this scalar's
    /// derivative information through it: `Double` evaluates it, duals apply
    /// its JVP to their tangents, and the tape records it as one custom node.
    static func callExternal<E: ExternalFunction>(_ function: E, _ x: [Self]) -> [Self]

    /// `op(M)·v` for a constant matrix `M` (`op(M) = M`, or `Mᵀ` when
    /// `transposed`), as one array operation: `Double` calls BLAS `gemv`,
    /// ``DualN`` one `gemm` on its value and partials, ``Dual`` the product of
    /// `Base` on its value and tangent, and ``TapeScalar`` records one node
    /// swept by `gemv` with `M` (forward) and `Mᵀ` (reverse).
    ///
    /// Write `M * v` and `M.transposedTimes(v)` rather than calling this
    /// directly. The default implementation, for other conforming types, is
    /// the scalar loop.
    ///
    /// - Parameters:
    ///   - matrix: `M`, a constant (no derivative flows into it).
    ///   - vector: `v`, length `M.columns` (`M.rows` when `transposed`).
    ///   - transposed: multiply by `Mᵀ` instead of `M`.
    /// - Returns: `op(M)·v`, length `M.rows` (`M.columns` when `transposed`).
    static func matrixProduct(_ matrix: Matrix, _ vector: [Self], transposed: Bool) -> [Self]
}

extension DifferentiableScalar {
    /// Default: `min(max(x, lower), upper)`.
    @inlinable
    public static func clamp(_ x: Self, lower: Self, upper: Self) -> Self {
        precondition(!(upper < lower), "clamp: lower bound above upper bound")
        if x < lower { return lower }
        if upper < x { return upper }
        return x
    }

    /// `x²`, a convenience for conditions (`x * x`).
    @inlinable
    public static func square(_ x: Self) -> Self { x * x }
}
