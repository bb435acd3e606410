import Krylov
import LinearAlgebra

/// Whether a square Krylov method sees a singular `A`, decided by one solve
/// with a known answer:
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
struct KrylovSingularityProbe: Sendable {
    /// `‖w − u‖ / ‖u‖` (`+∞` when not finite).
    let defect: Double
    /// The probe solve's statistics.
    let statistics: KrylovStatistics
    /// `false` when `A u` had a NaN or ±∞ (an infinite entry of `A`, or `0·∞` in a tape sweep).
    let productIsFinite: Bool

    /// Defects above this mean singular.
    static var threshold: Double { 1e-3 }

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

extension ImplicitLinearization {
    /// Runs ``KrylovSingularityProbe`` with this linearization's square Krylov
    /// method; `nil` on the dense path and for LSMR (least squares by design).
    /// Not counted in the report (like ``consistencyProbe()``).
    ///
    /// - Throws: ``ImplicitDifferentiationError/krylovNotConverged(_:direction:)``
    ///   when the probe solve itself fails (its answer would say nothing).
    ///   Returns `nil` (undecided) when `A u` is not finite.
    func krylovSingularityProbe() throws(ImplicitDifferentiationError) -> KrylovSingularityProbe? {
        guard case .krylov(let method, let matrix) = engine, !isLeastSquares, local.m > 0 else { return nil }
        let op = lazyOperator(matrix)
        let probe = KrylovSingularityProbe(size: local.m, product: { v, out in op.apply(v, into: &out) },
                                           solve: { b in krylovSolve(method, matrix, b, transposed: false) })
        // A u with NaN/±∞ (an infinite entry of A, or 0·∞ against an infinite ∂F/∂x in a tape's forward
        // sweep) decides nothing; the products that meet it refuse on their own, the others stay usable.
        guard probe.productIsFinite else { return nil }
        switch probe.statistics.status {
        case .converged, .zeroRightHandSide: return probe
        default: throw .krylovNotConverged(probe.statistics, direction: .tangent)
        }
    }
}

extension ImplicitFunction {
    /// The square Krylov linearization `lin` checked by
    /// ``KrylovSingularityProbe`` (when ``ImplicitFunctionOptions/probesKrylovSingularity``):
    /// unchanged when `A` is not singular; else, under `.automatic`, the same
    /// point linearized with LSMR (the minimum-norm derivative, as the matrix
    /// path's SVD fallback), with a note in the report.
    ///
    /// - Throws: ``ImplicitDifferentiationError/singularJacobian(pivot:reciprocalCondition:)``
    ///   for an explicitly chosen GMRES, BiCGStab or CG on a singular `A`.
    func checkedForKrylovSingularity(_ lin: ImplicitLinearization<Byproduct>)
        throws(ImplicitDifferentiationError) -> ImplicitLinearization<Byproduct>
    {
        guard options.probesKrylovSingularity, let probe = try lin.krylovSingularityProbe(), probe.isSingular else {
            return lin
        }
        guard linearSolver == .automatic else { throw .singularJacobian(pivot: nil, reciprocalCondition: nil) }
        var plan = lin.plan
        plan.solver = .lsmr(options: options.krylovOptions)
        var report = lin.report
        report.plan = plan
        let note = "\(lin.plan.solver) found ∂F/∂y singular (probe defect \(probe.defect)); used lsmr for the "
            + "minimum-norm derivative"
        report.note = report.note.map { $0 + "; " + note } ?? note
        let lsmr = ImplicitLinearization(x: lin.x, solution: lin.solution, byproduct: lin.byproduct, plan: plan,
                                         structure: lin.structure, local: lin.local,
                                         engine: .krylov(LSMR(options: options.krylovOptions), matrix: lin.engine.matrix),
                                         report: report, maxMatrixBytes: lin.maxMatrixBytes)
        return lsmr   // the caller probes LSMR's consistency, as for any least-squares linearization
    }
}

extension LinearizationEngine {
    /// The materialized `A`, when there is one.
    var matrix: Matrix? {
        switch self {
        case .dense(_, let a): return a
        case .krylov(_, let a): return a
        }
    }
}
