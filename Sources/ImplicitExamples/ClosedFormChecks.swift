import ImplicitDifferentiation

/// The error every check of the examples (and their tests) reports:
///
/// ```
/// e = ‖a − b‖₂ / ‖b‖₂      (‖a − b‖₂ when b = 0)
/// ```
///
/// - Parameters:
///   - a: the computed value.
///   - b: the reference.
/// - Returns: `e`; `∞` for mismatched lengths or a NaN.
package func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    var d = 0.0, r = 0.0
    for (x, y) in zip(a, b) { d += (x - y) * (x - y); r += y * y }
    let e = r > 0 ? (d / r).squareRoot() : d.squareRoot()
    return e.isNaN ? .infinity : e
}

extension DerivativeCheck {
    /// The JVP, VJP and full-Jacobian checks against a closed-form Jacobian
    /// `J(lin)` of the solution:
    ///
    /// ```
    /// lin.jvp(ẋ) ≈ J ẋ      lin.vjp(ȳ) ≈ Jᵀ ȳ      lin.jacobian() ≈ J
    /// ```
    ///
    /// - Parameters:
    ///   - jacobian: the closed form, evaluated at the linearization.
    ///   - dx: the tangent `ẋ`, length `n`.
    ///   - ybar: the cotangent `ȳ`, length `m`.
    ///   - quantities: the three quantities, for the report.
    ///   - jacobianSkipReason: non-`nil` to skip the full Jacobian at this size.
    /// - Returns: the three checks, in the order JVP, VJP, Jacobian.
    static func closedForm(jacobian: @escaping @Sendable (ImplicitLinearization<Byproduct>) -> Matrix,
                           tangent dx: [Double], cotangent ybar: [Double],
                           quantities: (jvp: String, vjp: String, jacobian: String),
                           jacobianSkipReason: String?) -> [DerivativeCheck] {
        [
            DerivativeCheck(mode: .jvp, quantity: quantities.jvp, reference: .closedForm,
                            compute: { lin throws(ImplicitDifferentiationError) in try lin.jvp(dx) },
                            expected: { lin in jacobian(lin) * dx }),
            DerivativeCheck(mode: .vjp, quantity: quantities.vjp, reference: .closedForm,
                            compute: { lin throws(ImplicitDifferentiationError) in try lin.vjp(ybar) },
                            expected: { lin in jacobian(lin).transposedTimes(ybar) }),
            DerivativeCheck(mode: .jacobian, quantity: quantities.jacobian, reference: .closedForm,
                            skipReason: jacobianSkipReason,
                            compute: { lin throws(ImplicitDifferentiationError) in try lin.jacobian().elements },
                            expected: { lin in jacobian(lin).elements }),
        ]
    }
}
