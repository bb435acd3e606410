/// What the optimality helpers refuse, as a typed, `Sendable` error.
///
/// Invalid sets and penalties are caught where their parameters are given
/// (the throwing initializers of ``ConvexSet`` types such as ``L2Ball``);
/// a KKT point that is not one, or whose derivative is not defined, is caught
/// when the forward solver returns it (``KKTConditions/check(x:point:)``).
/// Inside an `ImplicitFunction` these arrive wrapped in
/// `ImplicitDifferentiationError.forwardSolverFailed`.
public enum OptimalityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A set or penalty parameter is invalid: a radius `≤ 0`, `lower > upper`,
    /// a zero normal, a rank-deficient constraint matrix, a NaN or infinity.
    case invalidParameter(String)
    /// Lengths disagree (a KKT point against its problem, a bound vector against a point).
    case dimensionMismatch(String)
    /// Inequalities `i` are active (`hᵢ ≈ 0`) with a zero multiplier
    /// (`μᵢ ≈ 0`): strict complementarity fails, the solution map has only
    /// one-sided derivatives there, and `A` is singular.
    case degenerateActiveSet(constraints: [Int])
    /// An inequality is violated: `hᵢ(x, y) > tolerance` at the returned point.
    case infeasibleInequality(constraint: Int, value: Double)
    /// A multiplier of an inequality is negative beyond the tolerance: the
    /// point satisfies the conditions but is not a KKT point of a minimization.
    case negativeMultiplier(constraint: Int, value: Double)
    /// A fixed-point iteration stopped before `‖y_{k+1} − y_k‖∞ ≤ tolerance`.
    case notConverged(iterations: Int, change: Double)

    /// One line: what went wrong and what to try.
    public var description: String {
        switch self {
        case .invalidParameter(let what):
            return "invalid parameter: \(what)"
        case .dimensionMismatch(let what):
            return "dimension mismatch: \(what)"
        case .degenerateActiveSet(let c):
            return "degenerate active set: inequalities \(c) are active with a zero multiplier (no strict "
                + "complementarity; the derivative is one-sided there). Perturb the problem, or pass "
                + "KKTOptions(degeneracy: .allow) to accept the linear solver's least-norm answer"
        case .infeasibleInequality(let i, let v):
            return "inequality \(i) is violated at the returned point: h = \(v) > tolerance; check the forward solver"
        case .negativeMultiplier(let i, let v):
            return "multiplier μ[\(i)] = \(v) < 0: not a KKT point of a minimization; check the sign convention h(x, y) ≤ 0"
        case .notConverged(let k, let change):
            return "fixed-point iteration did not converge in \(k) iterations (last change \(change)); "
                + "raise maxIterations or use a smaller step"
        }
    }
}

/// Throws ``OptimalityError/invalidParameter(_:)`` unless `value` is finite.
@usableFromInline
func requireFinite(_ value: Double, _ name: String) throws(OptimalityError) {
    guard value.isFinite else { throw .invalidParameter("\(name) = \(value) is not finite") }
}

/// Throws ``OptimalityError/invalidParameter(_:)`` unless `value > 0` and finite (NaN fails).
@usableFromInline
func requirePositive(_ value: Double, _ name: String) throws(OptimalityError) {
    guard value > 0, value.isFinite else { throw .invalidParameter("\(name) = \(value) must be > 0 and finite") }
}
