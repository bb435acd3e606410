import Krylov
import LinearAlgebra

/// Whether a square Krylov method sees a singular `A`, decided at preparation
/// by one solve with a known answer (one extra Krylov solve per linearization
/// that prepares GMRES, BiCGStab or CG; never for LSMR or a direct solver):
///
/// ```
/// b = A u  (u pseudo-random),   solve A w = b,   defect = ‖w − u‖ / ‖u‖
/// ```
///
/// From a zero initial guess every Krylov iterate lies in `span{b, A b, …} ⊆
/// range(A)`. When `A` is invertible the converged `w` is `u` (up to the
/// solver's forward error); when `A` is singular, `u` has a component outside
/// `range(A)` with probability one and `w` cannot reach it, so the defect is
/// about `√(dim null(A) / m)`. The threshold `10⁻³` therefore detects a rank
/// deficiency up to `m ≈ 10⁶` per null direction, and reads a nonsingular `A`
/// so ill-conditioned that the solver's forward error exceeds `10⁻³` as
/// (numerically) singular — where a derivative from that solver would be
/// inaccurate anyway.
///
/// The probe solve stops at tolerances of at least ``tolerance`` (`10⁻⁸`),
/// whatever the derivative's solves use: its forward error is then below the
/// threshold for a condition number up to about `10⁵`, and a tighter
/// tolerance for the derivatives (the automatic plan's `10⁻¹²`) does not make
/// the probe dearer.
struct KrylovSingularityProbe: Sendable {
    /// `‖w − u‖ / ‖u‖` (`+∞` when not finite).
    let defect: Double
    /// The probe solve's statistics.
    let statistics: KrylovStatistics
    /// `false` when `A u` had a NaN or ±∞ (an infinite entry of `A`, or `0·∞` in a tape sweep).
    let productIsFinite: Bool

    /// Defects above this mean singular.
    static var threshold: Double { 1e-3 }

    /// The smallest absolute and relative tolerance of the probe solve.
    static var tolerance: Double { 1e-8 }

    /// `options` with both tolerances raised to at least ``tolerance``.
    static func options(from options: KrylovOptions) -> KrylovOptions {
        (try? KrylovOptions(absoluteTolerance: max(options.absoluteTolerance, tolerance),
                            relativeTolerance: max(options.relativeTolerance, tolerance),
                            maxIterations: options.maxIterations)) ?? options
    }

    /// `true` when the defect is above ``threshold`` (or NaN).
    var isSingular: Bool { !(defect <= Self.threshold) }

    /// Runs the probe.
    ///
    /// - Parameters:
    ///   - size: `m`.
    ///   - product: `v ↦ A v`.
    ///   - solve: the prepared method's solve of `A w = b`.
    init(size m: Int, product: ([Double], inout [Double]) -> Void, solve: ([Double]) -> KrylovResult) {
        var state: UInt64 = 0xD1B5_4A32_D192_ED03
        let u = (0..<m).map { _ -> Double in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) * 0x1p-53 - 0.5
        }
        var b = [Double](repeating: 0, count: m)
        product(u, &b)
        productIsFinite = BLAS.isFinite(b)
        let result = solve(b)
        var r = result.solution
        if r.count == m { BLAS.axpy(-1, u, &r) } else { r = [.nan] }
        let d = euclideanNorm(r) / euclideanNorm(u)
        defect = d.isFinite ? d : .infinity
        statistics = result.statistics
    }
}

extension KrylovSingularityProbe {
    /// Runs the probe with `method` (and the user's preconditioner) on
    /// `system`, from a zero initial guess, outside any warm-start store and
    /// outside the prepared solver's statistics (like the consistency probe).
    ///
    /// - Returns: the probe; `nil` (undecided) when `A u` is not finite (an
    ///   infinite entry of `A`, or `0·∞` in a tape sweep): the products that
    ///   meet it refuse on their own.
    /// - Throws: ``ImplicitDifferentiationError/krylovNotConverged(_:direction:)``
    ///   when the probe solve itself does not converge (its answer would say nothing).
    init?(_ system: LinearSystem, method: any KrylovSolver, preconditioner: (any Preconditioner & Sendable)?)
        throws(ImplicitDifferentiationError)
    {
        let op = system.linearOperator
        guard op.columns > 0 else { return nil }
        let probeSolve = KrylovLinearSolve(op, method: method, preconditioner: preconditioner, initialGuess: .zero)
        let probe = KrylovSingularityProbe(size: op.columns, product: { v, out in op.apply(v, into: &out) },
                                           solve: { b in probeSolve.run(b, transposed: false) })
        guard probe.productIsFinite else { return nil }
        switch probe.statistics.status {
        case .converged, .zeroRightHandSide: self = probe
        default: throw .krylovNotConverged(probe.statistics, direction: .tangent)
        }
    }
}
