import Krylov

/// When is the forward solver's output accepted as a solution of `F(x, y) = 0`?
///
/// The check runs before any derivative: an unconverged forward solver would
/// otherwise give a plausible wrong derivative.
public enum ResidualTolerance: Sendable, Equatable, CustomStringConvertible {
    /// Accept when `‖F(x, y)‖₂ ≤ tol · max(1, ‖x‖₂, ‖y‖₂)`.
    case relative(Double)
    /// Accept when `‖F(x, y)‖₂ ≤ tol`.
    case absolute(Double)
    /// Never check (you vouch for the solver).
    case disabled

    /// The bound for given `x` and `y`, or `nil` when disabled.
    public func bound(x: [Double], y: [Double]) -> Double? {
        switch self {
        case .relative(let tol):
            return tol * Swift.max(1, euclideanNorm(x), euclideanNorm(y))
        case .absolute(let tol):
            return tol
        case .disabled:
            return nil
        }
    }

    /// `relative(1e-6)`, `absolute(…)` or `disabled`.
    public var description: String {
        switch self {
        case .relative(let t): return "relative(\(t))"
        case .absolute(let t): return "absolute(\(t))"
        case .disabled: return "disabled"
        }
    }
}

/// Settings of an ``ImplicitFunction`` beyond the solver choice.
public struct ImplicitFunctionOptions: Sendable, Equatable {
    /// The residual check; default `.relative(1e-6)`.
    public var residualTolerance: ResidualTolerance
    /// The largest `m = y.count` for which `.automatic` materializes `A`
    /// (default 250, from the measured direct-vs-Krylov crossover; see ``SolvePlan``).
    public var matrixThreshold: Int
    /// The most memory a materialized `A` may take, in bytes (default 4 GiB);
    /// larger requests throw ``ImplicitDifferentiationError/representationTooLarge(bytes:limit:)``.
    public var maxMatrixBytes: Int
    /// LU and Cholesky solves refuse `A` whose reciprocal condition estimate
    /// is below this (default `100 ε ≈ 2.2e-14`): numerically singular.
    public var minimumReciprocalCondition: Double
    /// Tolerances and iteration cap of the Krylov solves (default
    /// `KrylovOptions.default`: `atol = rtol = √ε ≈ 1.5e-8`).
    ///
    /// Used by every Krylov method whose own options are left at
    /// `KrylovOptions.default`: the ones `.automatic` picks (GMRES, CG,
    /// LSMR) and `.gmres()`, `.bicgstab()`, `.cg()`, `.lsmr()` written without
    /// `options:`. A method given other options explicitly keeps them.
    /// Each right-hand side is scaled to unit norm before the solve, so the
    /// solve stops at `‖A v − b‖ ≤ (atol + rtol)·‖b‖`; tighten both for a
    /// more accurate derivative on the lazy path, e.g.
    ///
    /// ```swift
    /// var f = ImplicitFunction(solver: solve, conditions: conditions)
    /// f.options.krylovOptions = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)
    /// ```
    public var krylovOptions: KrylovOptions

    /// Creates options; every argument has the documented default.
    ///
    /// - Parameters:
    ///   - residualTolerance: the forward-solution check.
    ///   - matrixThreshold: `≥ 0`.
    ///   - maxMatrixBytes: `> 0`.
    ///   - minimumReciprocalCondition: in `[0, 1)`.
    ///   - krylovOptions: the Krylov solves' tolerances (see ``krylovOptions``).
    public init(residualTolerance: ResidualTolerance = .relative(1e-6),
                matrixThreshold: Int = 250,
                maxMatrixBytes: Int = 4 << 30,
                minimumReciprocalCondition: Double = 100 * Double.ulpOfOne,
                krylovOptions: KrylovOptions = .default) {
        precondition(matrixThreshold >= 0, "ImplicitFunctionOptions: matrixThreshold must be ≥ 0")
        precondition(maxMatrixBytes > 0, "ImplicitFunctionOptions: maxMatrixBytes must be > 0")
        precondition(minimumReciprocalCondition >= 0 && minimumReciprocalCondition < 1,
                     "ImplicitFunctionOptions: minimumReciprocalCondition must be in [0, 1)")
        self.residualTolerance = residualTolerance
        self.matrixThreshold = matrixThreshold
        self.maxMatrixBytes = maxMatrixBytes
        self.minimumReciprocalCondition = minimumReciprocalCondition
        self.krylovOptions = krylovOptions
    }
}

/// `‖v‖₂` without overflow (scaled sum of squares); NaN when an entry is NaN.
@usableFromInline
func euclideanNorm(_ v: [Double]) -> Double {
    var scale = 0.0
    // Not `max(scale, |a|)`: that drops a NaN, and `[0, NaN]` would measure 0.
    for a in v where !(Swift.abs(a) <= scale) { scale = Swift.abs(a) }
    guard scale > 0, scale.isFinite else { return scale }
    var s = 0.0
    for a in v { let t = a / scale; s += t * t }
    return scale * s.squareRoot()
}

extension LinearSolver {
    /// This solver with `options` in place of Krylov options left at
    /// `KrylovOptions.default`; direct solvers, `.automatic` and Krylov
    /// methods given other options are returned unchanged.
    func withKrylovOptions(_ options: KrylovOptions) -> LinearSolver {
        switch self {
        case .gmres(let restart, let o) where o == .default: return .gmres(restart: restart, options: options)
        case .bicgstab(let o) where o == .default: return .bicgstab(options: options)
        case .cg(let o) where o == .default: return .cg(options: options)
        case .lsmr(let o) where o == .default: return .lsmr(options: options)
        default: return self
        }
    }
}

extension SolvePlan {
    /// The plan with ``ImplicitFunctionOptions/krylovOptions`` filled into a
    /// Krylov solver whose options were left at the default (see ``LinearSolver/withKrylovOptions(_:)``).
    func withKrylovOptions(_ options: KrylovOptions) -> SolvePlan {
        var plan = self
        plan.solver = solver.withKrylovOptions(options)
        return plan
    }
}
