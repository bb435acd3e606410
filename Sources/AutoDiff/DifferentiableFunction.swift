/// A function `f: Rⁿ → Rᵐ` written once, generically over the scalar, so that
/// the drivers in ``AD`` can evaluate it with `Double`, duals and the tape.
///
/// Swift has no generic closures, so the function is a conforming value:
///
/// ```swift
/// struct Rosenbrock: DifferentiableFunction {
///     func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
///         var s = T.zero
///         for i in 0..<(x.count - 1) {
///             let a = x[i + 1] - x[i] * x[i], b = T(1) - x[i]
///             s += T(100) * a * a + b * b          // constants enter as T(k)
///         }
///         return [s]
///     }
/// }
/// ```
///
/// The output length must not depend on the scalar type, and branches must
/// depend on values only (comparisons look at primal values anyway).
public protocol DifferentiableFunction {
    /// `f(x)`, evaluated in `T`.
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T]
}

/// A function `F: Rⁿ × Rᵐ → Rᵏ` of two vector arguments, written generically:
/// the shape of the implicit layer's conditions `F(x, y) = 0`.
///
/// The drivers differentiate with respect to `x`, `y` or both (see
/// ``ArgumentSelection``); the argument not differentiated enters as constants.
public protocol DifferentiableBivariateFunction {
    /// `F(x, y)`, evaluated in `T`.
    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T]

    /// `F(x, y)`, evaluated in `T` and written into `output`, which may hold the
    /// values of an earlier evaluation (of any length) and should be reused.
    ///
    /// ```
    /// output ← F(x, y)        output.count = k afterwards
    /// ```
    ///
    /// The default assigns ``callAsFunction(_:_:)``'s result. A function that writes
    /// its entries into `output` in place (resizing it only when its length is not
    /// `k`) lets a caller that keeps `output` between evaluations, such as
    /// ``AD/compressedJacobians(of:x:y:a:b:verifySeed:workspace:multiplyingY:)``
    /// with a ``CompressedDualWorkspace``, evaluate without allocating it.
    ///
    /// - Parameters:
    ///   - x: the first argument, length `n`.
    ///   - y: the second argument, length `m`.
    ///   - output: on return, `F(x, y)` (length `k`).
    func evaluate<T: DifferentiableScalar>(_ x: [T], _ y: [T], into output: inout [T])
}

extension DifferentiableBivariateFunction {
    /// Assigns ``callAsFunction(_:_:)``'s result to `output`.
    ///
    /// - Parameters:
    ///   - x: the first argument, length `n`.
    ///   - y: the second argument, length `m`.
    ///   - output: on return, `F(x, y)` (length `k`).
    @inlinable
    public func evaluate<T: DifferentiableScalar>(_ x: [T], _ y: [T], into output: inout [T]) {
        output = self(x, y)
    }
}

/// Which arguments of a ``DifferentiableBivariateFunction`` to differentiate.
public enum ArgumentSelection: Sendable, Hashable {
    /// `∂F/∂x` only (`y` enters as constants).
    case x
    /// `∂F/∂y` only (`x` enters as constants).
    case y
    /// Both `∂F/∂x` and `∂F/∂y`.
    case both

    /// `true` for `.x` and `.both`.
    @inlinable public var includesX: Bool { self != .y }
    /// `true` for `.y` and `.both`.
    @inlinable public var includesY: Bool { self != .x }
}

/// How ``AD/jacobian(of:at:mode:)`` builds a Jacobian.
public enum JacobianMode: Sendable, Hashable {
    /// Forward when `⌈n/8⌉ ≤ m` passes, otherwise reverse (fewer passes wins).
    case automatic
    /// `⌈n/8⌉` evaluations with ``DualN```<8>`, eight columns per pass.
    case forward
    /// One tape recording, then `m` reverse sweeps, one row each.
    case reverse
}
