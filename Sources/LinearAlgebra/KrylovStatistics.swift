/// What a Krylov solve did: one struct for every method.
///
/// ```
/// converged  ⇔  ‖r‖ ≤ atol + rtol·‖b‖      r = b − A x
/// ```
///
/// ``residualNorm`` is the true `‖b − A x‖` recomputed at the end for GMRES,
/// BiCGStab and conjugate gradients; LSMR reports its recurrence estimate.
public struct KrylovStatistics: Sendable, Equatable, CustomStringConvertible {
    /// The method's name ("GMRES", "BiCGStab", "CG", "LSMR").
    public var method: String
    /// How the solve ended.
    public var status: KrylovStatus
    /// Iterations performed (`≥ 0`); see each method for what one iteration is.
    public var iterations: Int
    /// Calls of `apply` plus calls of `applyTransposed` on the operator,
    /// including residual recomputations.
    public var operatorApplications: Int
    /// `‖b − A x₀‖` (`‖b‖` without an initial guess; NaN for non-finite input).
    public var initialResidualNorm: Double
    /// `‖b − A x‖` for the returned `x` (LSMR: its estimate).
    public var residualNorm: Double
    /// LSMR only: the estimate of the normal-equations residual `‖Aᵀ r‖`
    /// (of `(A M⁻¹)ᵀ r` when preconditioned); `nil` for the other methods.
    public var normalEquationsResidualNorm: Double?
    /// Residual norms `[‖r₀‖, ‖r₁‖, …]`, one per iteration, when
    /// `KrylovOptions.recordHistory` (Krylov module) is set; `nil` otherwise. These are the
    /// method's own estimates (GMRES: the Givens least-squares residual).
    public var history: [Double]?
    /// `‖b‖` of the right-hand side as given, when the caller recorded it
    /// (`KrylovLinearSolve` does): failure messages then state the residual
    /// relative to it, `‖r‖ / ‖b‖`.
    public var rightHandSideNorm: Double?

    /// Creates statistics (the solvers fill them; public for tests and adapters).
    ///
    /// - Parameters: see the properties.
    public init(method: String, status: KrylovStatus, iterations: Int, operatorApplications: Int,
                initialResidualNorm: Double, residualNorm: Double,
                normalEquationsResidualNorm: Double? = nil, history: [Double]? = nil,
                rightHandSideNorm: Double? = nil) {
        self.method = method
        self.status = status
        self.iterations = iterations
        self.operatorApplications = operatorApplications
        self.initialResidualNorm = initialResidualNorm
        self.residualNorm = residualNorm
        self.normalEquationsResidualNorm = normalEquationsResidualNorm
        self.history = history
        self.rightHandSideNorm = rightHandSideNorm
    }

    /// `‖r‖ / ‖b‖` when ``rightHandSideNorm`` is known and positive, else `nil`.
    public var relativeResidualNorm: Double? {
        guard let b = rightHandSideNorm, b > 0 else { return nil }
        return residualNorm / b
    }

    /// One line, e.g. `GMRES converged after 37 iterations, 38 operator
    /// applications, ‖r‖ = 3.1e-11`, or for a failure `GMRES did not converge
    /// (max iterations reached) after …, ‖r‖/‖b‖ = 2.0e-3: increase
    /// maxIterations or restart, or add a preconditioner` — the advice names
    /// only settings the method has (``KrylovStatus/advice(method:)``).
    public var description: String {
        let counts = "after \(iterations) iteration\(iterations == 1 ? "" : "s"), "
            + "\(operatorApplications) operator application\(operatorApplications == 1 ? "" : "s"), "
            + (relativeResidualNorm.map { "‖r‖/‖b‖ = \(shortScientific($0)), " } ?? "")
            + "‖r‖ = \(shortScientific(residualNorm))"
            + (normalEquationsResidualNorm.map { ", ‖Aᵀr‖ = \(shortScientific($0))" } ?? "")
        switch status {
        case .converged:
            return "\(method) converged \(counts)"
        case .zeroRightHandSide:
            return "\(method) returned x = 0 at once (zero right-hand side)"
        default:
            return "\(method) did not converge (\(status.reason)) \(counts): \(status.advice(method: method))"
        }
    }
}

/// `3.1e-11`: two significant digits, no Foundation.
func shortScientific(_ x: Double) -> String {
    if x == 0 { return "0" }
    if !x.isFinite { return "\(x)" }
    var m = Swift.abs(x), e = 0
    while m >= 10 { m /= 10; e += 1 }
    while m < 1 { m *= 10; e -= 1 }
    var r = (m * 10).rounded() / 10
    if r >= 10 { r /= 10; e += 1 }
    return (x < 0 ? "-" : "") + "\(r)e\(e)"
}
