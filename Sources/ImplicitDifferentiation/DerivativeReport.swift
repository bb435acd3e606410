import Krylov
import RealModule

/// What a linearization did: the plan, the residual check, the linear
/// algebra performed so far, and any fallback.
///
/// A snapshot: read ``ImplicitLinearization/report`` again after more
/// derivatives to see the counters grow.
public struct DerivativeReport: Sendable, CustomStringConvertible {
    /// The representation and solver used, with the reason.
    public var plan: SolvePlan
    /// `‖F(x, y)‖₂` at the forward solution.
    public var residualNorm: Double
    /// The bound it was checked against (`nil`: check disabled). Under
    /// ``ResidualTolerance/relative(_:)``: `tol · ‖A y‖` when that already
    /// admits the residual (`‖B x‖` is then not measured), else `tol · (‖A y‖ + ‖B x‖)`.
    public var residualBound: Double?
    /// How the conditions were differentiated (automatic differentiation,
    /// hand-written products or Jacobians, finite differences).
    public var differentiation: String
    /// Number of matrix factorizations performed (0 on the operator path).
    public var factorizations: Int
    /// Reciprocal condition estimate of `A` when a factorization computed one, or a
    /// certified lower bound of it when ``reciprocalConditionIsLowerBound``.
    public var reciprocalCondition: Double?
    /// `true` when ``reciprocalCondition`` is a certified lower bound (a band LU of a
    /// strictly diagonally dominant `A`, whose bound already cleared the singularity
    /// threshold, so the estimate was not computed).
    public var reciprocalConditionIsLowerBound = false
    /// Numerical rank of `A` when a rank-revealing solve was used.
    public var rank: Int?
    /// A fallback or caveat, e.g. "LU found ∂F/∂y singular; used svd".
    public var note: String?
    /// Solves with `A` (JVPs, forward Jacobian columns).
    public var tangentSolves: Int
    /// Solves with `Aᵀ` (VJPs, reverse Jacobian rows).
    public var adjointSolves: Int
    /// Krylov iterations summed over all solves.
    public var krylovIterations: Int
    /// Operator applications (`A v` or `Aᵀ u`) summed over all Krylov solves.
    public var operatorApplications: Int
    /// Statistics of the most recent Krylov solve.
    public var lastKrylovStatistics: KrylovStatistics?

    /// A few lines a person can read.
    public var description: String {
        var lines = ["plan: \(plan)"]
        let bound = residualBound.map { " (bound \(shortNumber($0)))" } ?? " (check disabled)"
        lines.append("forward residual ‖F(x, y)‖ = \(shortNumber(residualNorm))\(bound); derivatives of F by \(differentiation)")
        var algebra = "factorizations: \(factorizations), tangent solves: \(tangentSolves), adjoint solves: \(adjointSolves)"
        if let rcond = reciprocalCondition {
            algebra += reciprocalConditionIsLowerBound ? ", rcond ≥ \(shortNumber(rcond)) (diagonal dominance)"
                : ", rcond ≈ \(shortNumber(rcond))"
        }
        if let rank { algebra += ", rank \(rank)" }
        lines.append(algebra)
        if krylovIterations > 0 || lastKrylovStatistics != nil {
            lines.append("Krylov: \(krylovIterations) iterations, \(operatorApplications) operator applications in all")
        }
        if let s = lastKrylovStatistics { lines.append("last solve: \(s.description)") }
        if let note { lines.append("note: \(note)") }
        return lines.joined(separator: "\n")
    }
}

/// Three significant digits for reports, facts and tables: `0.075`,
/// `1.43e-4`, `7.63e6` (non-finite values print as Swift does). The one
/// number formatter of the package: the examples and the command-line tool
/// use it too.
///
/// - Parameter x: any value.
/// - Returns: the short form.
package func shortNumber(_ x: Double) -> String {
    if x == 0 { return "0" }
    if !x.isFinite { return "\(x)" }   // Int(log10(±∞ or NaN)) would trap
    let a = Swift.abs(x)
    if a >= 1e-3 && a < 1e5 {
        let scaled = (x * 1000).rounded() / 1000
        return "\(scaled)"
    }
    let e = Int(Double.log10(a).rounded(.down))
    // Two steps: 10^e underflows to 0 below e = −323 (subnormal x).
    let mant = x / Double.pow(10, e / 2) / Double.pow(10, e - e / 2)
    return "\((mant * 100).rounded() / 100)e\(e)"
}
