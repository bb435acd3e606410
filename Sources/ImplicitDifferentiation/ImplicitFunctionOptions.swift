import Krylov

/// When is the forward solver's output accepted as a solution of `F(x, y) = 0`?
///
/// The check runs before any derivative: an unconverged forward solver would
/// otherwise give a plausible wrong derivative.
///
/// The relative bound is measured against the terms that make up `F` at the
/// point, not against `x` and `y` themselves:
///
/// ```
/// accept  ⇔  ‖F(x, y)‖₂ ≤ tol · (‖A y‖₂ + ‖B x‖₂)        A = ∂F/∂y,  B = ∂F/∂x
/// ```
///
/// What it guarantees: for conditions linear in `(x, y)` (`F = A y + B x`,
/// exact solution `y*`), an accepted `y` satisfies
///
/// ```
/// ‖y − y*‖ / ‖y*‖ ≤ 2 κ(A) tol / (1 − κ(A) tol)
/// ```
///
/// and for nonlinear conditions the same holds to first order in `y − y*`.
/// The bound is invariant under scaling `F` by a constant, ignores inputs `F`
/// does not depend on, and scales with `(x, y)` for homogeneous `F` (so it is
/// as strict at `x ≈ 1e-300` as at `x ≈ 1`). Its cost is one product with
/// `A` (a matrix-vector product where `A` is materialized), plus one
/// directional derivative of `F` in `x` only when `tol · ‖A y‖₂` alone does
/// not already admit the residual (the `B x` term cannot change the verdict
/// otherwise, and the reported bound is then `tol · ‖A y‖₂`). At a point where both products
/// vanish (e.g. `x = y = 0` for `F = y − x`) only a zero residual passes:
/// use `.absolute` there. Constant terms of `F` (independent of `x` and `y`)
/// are not in the scale: when they are much larger than `A y` and `B x`,
/// their rounding alone can exceed the bound, and `.absolute` is the check
/// to use.
public enum ResidualTolerance: Sendable, Equatable, CustomStringConvertible {
    /// Accept when `‖F(x, y)‖₂ ≤ tol · (‖A y‖₂ + ‖B x‖₂)`; `tol` finite, `≥ 0`.
    case relative(Double)
    /// Accept when `‖F(x, y)‖₂ ≤ tol`; `tol` finite, `≥ 0`.
    case absolute(Double)
    /// Never check (you vouch for the solver).
    case disabled

    /// The tolerance, or `nil` when disabled.
    var tolerance: Double? {
        switch self {
        case .relative(let t), .absolute(let t): return t
        case .disabled: return nil
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
    /// When a square Krylov method (GMRES, BiCGStab, CG) is prepared, solve
    /// `A w = A u` once for a pseudo-random `u` (zero initial guess, the
    /// function's preconditioner) and treat `A` as singular when
    /// `‖w − u‖ > 10⁻³ ‖u‖` (default `true`): `.automatic` then uses LSMR (the
    /// minimum-norm derivative), an explicit method throws
    /// ``ImplicitDifferentiationError/singularJacobian(pivot:reciprocalCondition:)``.
    /// Never runs for LSMR (least squares by design) or a direct solver.
    ///
    /// Cost: one extra Krylov solve per linearization (and per
    /// ``ImplicitFunction/plan(for:solution:byproduct:)``) that prepares a square
    /// Krylov method, amortized over its products; see `docs/performance.md`
    /// for a measurement. Turn it off when `A` is known to be nonsingular and
    /// single products dominate.
    public var probesKrylovSingularity: Bool

    /// Creates options; every argument has the documented default.
    ///
    /// Values are checked where they are used (``validate()``, called by every
    /// plan and linearization), so options changed through a property setter
    /// are held to the same ranges as the ones given here.
    ///
    /// - Parameters:
    ///   - residualTolerance: the forward-solution check.
    ///   - matrixThreshold: `≥ 0`.
    ///   - maxMatrixBytes: `> 0`.
    ///   - minimumReciprocalCondition: in `[0, 1)`.
    ///   - krylovOptions: the Krylov solves' tolerances (see ``krylovOptions``).
    ///   - probesKrylovSingularity: see ``probesKrylovSingularity``.
    public init(residualTolerance: ResidualTolerance = .relative(1e-6),
                matrixThreshold: Int = 250,
                maxMatrixBytes: Int = 4 << 30,
                minimumReciprocalCondition: Double = 100 * Double.ulpOfOne,
                krylovOptions: KrylovOptions = .default,
                probesKrylovSingularity: Bool = true) {
        self.residualTolerance = residualTolerance
        self.matrixThreshold = matrixThreshold
        self.maxMatrixBytes = maxMatrixBytes
        self.minimumReciprocalCondition = minimumReciprocalCondition
        self.krylovOptions = krylovOptions
        self.probesKrylovSingularity = probesKrylovSingularity
    }

    /// Checks every setting against its documented range (NaN fails every range).
    ///
    /// - Throws: ``ImplicitDifferentiationError/invalidOption(_:)`` naming the setting and its value.
    public func validate() throws(ImplicitDifferentiationError) {
        if let t = residualTolerance.tolerance, !(t >= 0 && t.isFinite) {
            throw .invalidOption("options.residualTolerance is \(residualTolerance); its tolerance must be finite and ≥ 0")
        }
        if !(matrixThreshold >= 0) {
            throw .invalidOption("options.matrixThreshold is \(matrixThreshold); it must be ≥ 0")
        }
        if !(maxMatrixBytes > 0) {
            throw .invalidOption("options.maxMatrixBytes is \(maxMatrixBytes); it must be > 0")
        }
        if !(minimumReciprocalCondition >= 0 && minimumReciprocalCondition < 1) {
            throw .invalidOption("options.minimumReciprocalCondition is \(minimumReciprocalCondition); it must be in [0, 1)")
        }
    }
}

/// `‖v‖₂` without overflow (scaled sum of squares); not finite when an entry is not
/// (NaN when an entry is NaN and no entry is infinite).
///
/// ```
/// s = max |vᵢ|,   ‖v‖₂ = s · √(Σ (vᵢ/s)²)     (four partial sums, added pairwise)
/// ```
@usableFromInline
func euclideanNorm(_ v: [Double]) -> Double {
    // The largest magnitude and whether any entry is not finite, in branch-free loops.
    var scale = 0.0, exponents: UInt64 = 0
    let mask = Double.infinity.bitPattern
    v.withUnsafeBufferPointer { b in
        for a in b {
            let t = Swift.abs(a)
            scale = t > scale ? t : scale
            exponents |= (a.bitPattern & mask) == mask ? 1 : 0
        }
    }
    if exponents != 0 { return nonFiniteNorm(v) }
    guard scale > 0 else { return scale }
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    let n = v.count, body = n - n % 4
    v.withUnsafeBufferPointer { b in
        if scale >= 0x1p-1000 {   // 1 / scale is finite: multiply instead of dividing
            let inverse = 1 / scale
            var i = 0
            while i < body {
                let t0 = b[i] * inverse, t1 = b[i + 1] * inverse, t2 = b[i + 2] * inverse, t3 = b[i + 3] * inverse
                s0 += t0 * t0; s1 += t1 * t1; s2 += t2 * t2; s3 += t3 * t3
                i += 4
            }
            for j in body..<n { let t = b[j] * inverse; s0 += t * t }
        } else {
            for j in 0..<n { let t = b[j] / scale; s0 += t * t }
        }
    }
    return scale * ((s0 + s1) + (s2 + s3)).squareRoot()
}

/// ``euclideanNorm(_:)`` of a vector with a NaN or infinite entry: infinite when an entry is
/// infinite and none after it is NaN, else NaN.
private func nonFiniteNorm(_ v: [Double]) -> Double {
    var scale = 0.0
    // Not `max(scale, |a|)`: that drops a NaN, and `[0, NaN]` would measure 0.
    for a in v where !(Swift.abs(a) <= scale) { scale = Swift.abs(a) }
    guard scale.isFinite else { return scale }
    return .nan   // a NaN entry followed by finite ones: the scaled sum is NaN
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
