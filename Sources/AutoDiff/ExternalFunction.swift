/// A function `g: Rᵖ → R^q` that the AD layer does not trace through, known
/// only by its value and its derivative products — the hook by which an
/// implicit function (or any black box with hand-written derivatives) enters
/// generic differentiable code as a single operation.
///
/// Call it from generic code with ``DifferentiableScalar/callExternal(_:_:)``:
///
/// | scalar            | what happens                                                     |
/// |-------------------|------------------------------------------------------------------|
/// | `Double`          | ``value(_:)``                                                    |
/// | ``Dual``          | value through `Base`, tangent by ``jvp(at:value:tangent:)`` in `Base` |
/// | ``DualN``         | ``value(_:)``, then ``jvp(at:value:tangents:)`` on all directions |
/// | ``TapeScalar``    | ``value(_:)``, then **one custom node** whose forward sweep calls ``jvp(at:value:tangent:)`` on `Double` and whose reverse sweep calls ``vjp(at:value:cotangent:)`` |
///
/// The JVP is generic so that nested duals (second derivatives) can
/// differentiate it in turn; an implementation that is only ever used at
/// first order may compute it on primal values and lift the result with `T(_:)`.
public protocol ExternalFunction: Sendable {
    /// `y = g(x)` on primal values.
    func value(_ x: [Double]) -> [Double]

    /// `ẏ = J(x)·ẋ`, where `y = g(x)` is given (already computed), all in `T`.
    func jvp<T: DifferentiableScalar>(at x: [T], value y: [T], tangent dx: [T]) -> [T]

    /// Several JVPs at one point (one per direction in `tangents`); the
    /// default calls ``jvp(at:value:tangent:)`` once per direction. Override
    /// it to share a factorization across directions.
    func jvp(at x: [Double], value y: [Double], tangents: [[Double]]) -> [[Double]]

    /// `x̄ = J(x)ᵀ·ȳ` on primal values, where `y = g(x)` is given.
    func vjp(at x: [Double], value y: [Double], cotangent: [Double]) -> [Double]
}

extension ExternalFunction {
    /// One ``jvp(at:value:tangent:)`` per direction.
    public func jvp(at x: [Double], value y: [Double], tangents: [[Double]]) -> [[Double]] {
        tangents.map { jvp(at: x, value: y, tangent: $0) }
    }
}
