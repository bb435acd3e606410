import LinearAlgebra

/// The scale of the terms of `F` at `(x, y)`, against which
/// ``ResidualTolerance/relative(_:)`` measures the residual.
///
/// ```
/// s = ‖A y‖₂ + ‖B x‖₂        A = ∂F/∂y,  B = ∂F/∂x  at (x, y)
/// ```
///
/// Each term is one directional derivative (a product with the point itself),
/// so inputs that `F` does not depend on contribute nothing, and `s` scales
/// with `F` (multiplying `F` by `c` multiplies `s` by `|c|`). A term that is
/// not finite (an infinite derivative times a zero coordinate) is left out;
/// the later stages refuse non-finite derivatives themselves.
struct ResidualScale: Sendable, Equatable {
    /// `‖A y‖₂`, or 0 when not finite.
    let stateTerm: Double
    /// `‖B x‖₂`, or 0 when not finite.
    let inputTerm: Double

    /// Measures the terms needed to decide `‖F‖ ≤ tol · s`: `A y` as given (`ay`, summed
    /// where `A` was evaluated), else from `a` when `A` is already materialized (no
    /// product, no tape recording), else one product with `A`; then `B x`, one product
    /// with `B`, only when `tol · ‖A y‖` (finite) does not already admit `residualNorm` —
    /// the second term cannot change the verdict then, and is left at 0.
    ///
    /// - Parameters:
    ///   - residualNorm: `‖F(x, y)‖₂`.
    ///   - tolerance: the relative tolerance `tol`.
    ///   - ay: `A y` at this point, when the evaluation of `A` summed it (length `k`).
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)`` when a
    ///   product's length differs from `k`, the length of `F` on `Double`
    ///   (conditions whose output length depends on the scalar type).
    init(_ local: LocalConditions, x: [Double], y: [Double], a: Matrix?, admitting residualNorm: Double,
         tolerance: Double, ay given: [Double]? = nil) throws(ImplicitDifferentiationError) {
        let k = local.k
        var ay = [Double]()
        if let given, given.count == k {
            ay = given
        } else if let a {
            ay = [Double](repeating: 0, count: k)
            guard a.rows == k, a.columns == y.count else {
                throw .dimensionMismatch("∂F/∂y is \(a.rows)×\(a.columns), expected \(k)×\(y.count) (F's length on "
                    + "Double × y's length); F's length must not depend on the scalar type")
            }
            BLAS.gemv(1, a, y, 0, &ay)
        } else {
            ay = [Double](repeating: 0, count: k)
            local.a.apply(y, &ay)
        }
        let stateTerm = euclideanNorm(ay)
        if stateTerm.isFinite, residualNorm <= tolerance * stateTerm {
            self.init(stateTerm: stateTerm, inputTerm: 0)
            return
        }
        let bx = local.b.applied(x)
        guard bx.count == k else {
            throw .dimensionMismatch("the conditions returned \(k) values on Double but \(bx.count) on dual numbers; "
                + "F's length must not depend on the scalar type")
        }
        self.init(stateTerm: stateTerm, inputTerm: euclideanNorm(bx))
    }

    init(stateTerm: Double, inputTerm: Double) {
        self.stateTerm = stateTerm.isFinite ? stateTerm : 0
        self.inputTerm = inputTerm.isFinite ? inputTerm : 0
    }

    /// `tol · s`, summed term by term so that it cannot overflow before a term does.
    func bound(_ tolerance: Double) -> Double { tolerance * stateTerm + tolerance * inputTerm }
}

extension ResidualTolerance {
    /// Refuses a NaN or infinite `‖F(x, y)‖` at once, before `A` is built
    /// (unless the check is disabled); the reported bound of `.relative` is
    /// then 0, its scale not having been measured.
    ///
    /// - Throws: ``ImplicitDifferentiationError/residualTooLarge(residualNorm:tolerance:)``.
    func refuseNonFinite(_ residualNorm: Double) throws(ImplicitDifferentiationError) {
        guard !residualNorm.isFinite else { return }
        switch self {
        case .disabled: return
        case .absolute(let t): throw .residualTooLarge(residualNorm: residualNorm, tolerance: t)
        case .relative: throw .residualTooLarge(residualNorm: residualNorm, tolerance: 0)
        }
    }

    /// Checks `‖F(x, y)‖` against this tolerance and returns the bound used
    /// (`nil` when disabled). A NaN residual always fails.
    ///
    /// - Parameters:
    ///   - residualNorm: `‖F(x, y)‖₂`.
    ///   - scale: the terms of `F` at the point, given the relative tolerance
    ///     (measured for `.relative` only).
    /// - Throws: ``ImplicitDifferentiationError/residualTooLarge(residualNorm:tolerance:)``.
    func check(residualNorm: Double, scale: (_ tolerance: Double) throws(ImplicitDifferentiationError) -> ResidualScale)
        throws(ImplicitDifferentiationError) -> Double?
    {
        let bound: Double
        switch self {
        case .disabled: return nil
        case .absolute(let tol): bound = tol
        case .relative(let tol): bound = try scale(tol).bound(tol)
        }
        if !(residualNorm <= bound) { throw .residualTooLarge(residualNorm: residualNorm, tolerance: bound) }
        return bound
    }
}
