// LSMR: least-squares minimal residual.
//
// Reference: D. C.-L. Fong and M. A. Saunders, "LSMR: an iterative algorithm
// for sparse least-squares problems", SIAM J. Sci. Comput. 33 (2011)
// 2950–2971 (Golub–Kahan bidiagonalization; MINRES applied to AᵀA x = Aᵀb).
//
// Deviations from the paper:
// 1. No damping (λ = 0) and no local reorthogonalization.
// 2. Stopping tests in this library's tolerances:
//      S1 (consistent system):   ‖r‖ ≤ atol + rtol·‖b‖
//      S2 (least squares):       ‖Aᵀr‖ ≤ rtol·‖A‖·‖r‖
//    where ‖r‖ and ‖Aᵀr‖ are the paper's recurrence estimates and ‖A‖ its
//    Frobenius-norm estimate of the bidiagonal matrix. S1 is the paper's test
//    with atol·‖A‖‖x‖ replaced by atol; S2 is the paper's test with rtol in
//    the role of its atol. Either gives `.converged`. S2 is the test that ends
//    a least-squares solve (rows > columns, or an inconsistent square system).
// 3. Right preconditioning: LSMR runs on A M⁻¹ (products M⁻¹v then A, and
//    Aᵀu then M⁻ᵀ) and x = x₀ + M⁻¹ y at the end; S2 then measures
//    ‖M⁻ᵀAᵀr‖. For a full-column-rank A the least-squares solution is
//    unchanged; for an under-determined A the minimum-norm solution is the
//    one of minimal ‖M y‖.
// 4. A warm start solves for the correction: b is replaced by b − A x₀.
// 5. The reported ‖r‖ is the true ‖b − A x‖, recomputed at the end (one
//    extra application); ‖Aᵀr‖ is the estimate.
// 6. S2 is also tested before the first step, with ‖Â v₁‖ (computed by that
//    step anyway) as the scale of ‖Â‖, so a warm start at the least-squares
//    solution ends after 0 iterations.
// 7. The paper's ill-conditioning test (cond(A) ≥ 1/ε) and its
//    "x is a solution to machine precision" tests are not implemented; the
//    cap ends such solves with `.maxIterationsReached`.

import LinearAlgebra

/// LSMR for least-squares and non-square systems: `min ‖A x − b‖`, and the
/// minimum-norm solution when `A x = b` has many (from `x₀ = 0`).
///
/// ```
/// β₁u₁ = b,  α₁v₁ = Aᵀu₁                              (Golub–Kahan)
/// βₖ₊₁uₖ₊₁ = A vₖ − αₖ uₖ,   αₖ₊₁vₖ₊₁ = Aᵀuₖ₊₁ − βₖ₊₁ vₖ
/// xₖ = argmin ‖Aᵀ(b − A x)‖ over x ∈ span{v₁ … vₖ}     (two Givens QRs)
/// ```
///
/// Needs ``LinearOperator/applyTransposed(_:into:)``: one iteration is one
/// `A v` and one `Aᵀu` (two operator applications). Work vectors: two of
/// length `m` and five of length `n` (seven when preconditioned), taken
/// before the loop (see ``KrylovWorkspace``).
public struct LSMR: KrylovSolver {
    /// Tolerances and cap; the default cap is `max(10, 4·min(m, n))`.
    public let options: KrylovOptions

    /// Creates the solver.
    ///
    /// - Parameter options: tolerances, cap and history flag (default ``KrylovOptions/default``).
    public init(options: KrylovOptions = .default) { self.options = options }

    /// Solves `min ‖A x − b‖` for any `m × n` operator.
    ///
    /// - Parameters:
    ///   - op: an `m × n` operator with `supportsTranspose == true` (a precondition).
    ///   - b: length `m`.
    ///   - initialGuess: `x₀`, length `n`, or `nil` for `0`.
    ///   - preconditioner: an `n × n` right preconditioner `M⁻¹` (it needs
    ///     ``Preconditioner/applyTransposed(_:into:)`` too), or `nil`.
    ///   - workspace: work vectors taken from, and parked again in, this
    ///     storage (see ``KrylovWorkspace``); the plain `solve` passes a fresh one.
    /// - Returns: the iterate and its statistics, including
    ///   `KrylovStatistics/normalEquationsResidualNorm`.
    public func solve<Op: LinearOperator>(_ op: Op, _ b: [Double], initialGuess: [Double]?,
                                          preconditioner: (any Preconditioner)?,
                                          workspace ws: inout KrylovWorkspace) -> KrylovResult {
        if let early = immediateResult(method: "LSMR", op, b, initialGuess, options: options) { return early }
        precondition(op.supportsTranspose, "LSMR: \(type(of: op)) does not support applyTransposed(_:into:)")
        let m = op.rows, n = op.columns
        let cap = options.iterationCap(default: 4 * Swift.min(m, n))
        var log = SolveLog(method: "LSMR", options: options, cap: cap)
        let normB = norm2(b)
        let target = options.target(normB: normB)
        let rtol = options.relativeTolerance

        var x = initialGuess ?? [Double](repeating: 0, count: n)
        var u = ws.vector(m), av = ws.vector(m)
        var v = ws.vector(n), atu = ws.vector(n), h = ws.vector(n), hBar = ws.vector(n)
        var t = ws.vector(preconditioner == nil ? 0 : n)
        var y = ws.zeroVector(preconditioner == nil ? 0 : n)      // the correction in preconditioned variables
        defer { for vector in [u, av, v, atu, h, hBar, t, y] { ws.park(vector) } }
        if initialGuess == nil { BLAS.copy(b, &u) }
        var beta = initialGuess == nil ? normB : computeResidual(op, b, x, into: &u, log: &log)
        log.initialResidualNorm = beta
        log.record(beta)
        guard beta.isFinite else { return log.result(.nonFiniteInput, solution: x, residual: beta) }
        if beta <= target { return log.result(.converged, solution: x, residual: beta, normalResidual: nil) }

        // Products with Â = A M⁻¹ and Âᵀ = M⁻ᵀ Aᵀ.
        func forward(_ vector: [Double], _ out: inout [Double]) {
            if let pre = preconditioner {
                pre.apply(vector, into: &t)
                op.apply(t, into: &out)
            } else {
                op.apply(vector, into: &out)
            }
            log.applications += 1
        }
        func backward(_ vector: [Double], _ out: inout [Double]) {
            if let pre = preconditioner {
                op.applyTransposed(vector, into: &t)
                pre.applyTransposed(t, into: &out)
            } else {
                op.applyTransposed(vector, into: &out)
            }
            log.applications += 1
        }

        BLAS.scal(1 / beta, &u)
        backward(u, &v)
        var alpha = norm2(v)
        if alpha > 0 { BLAS.scal(1 / alpha, &v) }
        var normAr = alpha * beta
        var normR = beta
        var status = KrylovStatus.maxIterationsReached
        if !normAr.isFinite {
            status = .nonFiniteInput
        } else if normAr == 0 {
            status = .converged                       // b − A x₀ ⟂ range(A): x₀ already solves the LS problem
        } else {
            BLAS.copy(v, &h)
            BLAS.fill(0, &hBar)
            var zetaBar = alpha * beta, alphaBar = alpha
            var rho = 1.0, rhoBar = 1.0, cBar = 1.0, sBar = 0.0, zeta = 0.0
            // State of the ‖r‖ estimate (paper §3.4, without damping).
            var betaDD = beta, betaD = 0.0, rhoDOld = 1.0, tauTildeOld = 0.0, thetaTilde = 0.0
            var normA2 = alpha * alpha

            while log.iterations < cap {
                // Golub–Kahan step: u = Â v − α u, v = Âᵀu − β v.
                forward(v, &av)
                if log.iterations == 0 {
                    // S2 before any step (a warm start at the least-squares solution): ‖Â v₁‖ ≤ ‖Â‖
                    // supplies the scale the bidiagonal estimate does not have yet.
                    let scale = Swift.max(alpha, norm2(av))
                    if normAr <= rtol * scale * beta { status = .converged; break }
                }
                BLAS.axpby(1, av, -alpha, &u)
                beta = norm2(u)
                if beta > 0 { BLAS.scal(1 / beta, &u) }
                backward(u, &atu)
                BLAS.axpby(1, atu, -beta, &v)
                alpha = norm2(v)
                if alpha > 0 { BLAS.scal(1 / alpha, &v) }
                guard alpha.isFinite && beta.isFinite else { status = .nonFiniteInput; break }
                log.iterations += 1

                // Rotation Pₖ on (ᾱₖ, βₖ₊₁), then P̄ₖ on (c̄ₖ₋₁ρₖ, θₖ₊₁).
                let rhoOld = rho, rhoBarOld = rhoBar, zetaOld = zeta
                let (c, s, rhoNew) = givens(alphaBar, beta)
                rho = rhoNew
                let thetaNew = s * alpha
                alphaBar = c * alpha
                let thetaBar = sBar * rho
                (cBar, sBar, rhoBar) = givens(cBar * rho, thetaNew)
                guard rho > 0 && rhoBar > 0 else { status = .breakdown; break }
                zeta = cBar * zetaBar
                zetaBar = -sBar * zetaBar

                // h̄ = h − (θ̄ρ / ρₖ₋₁ρ̄ₖ₋₁) h̄,  x += (ζ / ρρ̄) h̄,  h = v − (θ/ρ) h.
                BLAS.axpby(1, h, -(thetaBar * rho / (rhoOld * rhoBarOld)), &hBar)
                if preconditioner == nil {
                    BLAS.axpy(zeta / (rho * rhoBar), hBar, &x)
                } else {
                    BLAS.axpy(zeta / (rho * rhoBar), hBar, &y)
                }
                BLAS.axpby(1, v, -(thetaNew / rho), &h)

                // ‖r‖ estimate.
                let betaHat = c * betaDD
                betaDD = -s * betaDD
                let thetaTildeOld = thetaTilde
                let (cTildeOld, sTildeOld, rhoTildeOld) = givens(rhoDOld, thetaBar)
                thetaTilde = sTildeOld * rhoBar
                rhoDOld = cTildeOld * rhoBar
                betaD = -sTildeOld * betaD + cTildeOld * betaHat
                tauTildeOld = (zetaOld - thetaTildeOld * tauTildeOld) / rhoTildeOld
                let tauD = (zeta - thetaTilde * tauTildeOld) / rhoDOld
                // ‖(βᴰ − τᴰ, β̈)‖ scaled (`givens`): the plain sum of squares overflowed for
                // ‖b‖ ≳ 1e154 and underflowed to 0 for ‖b‖ ≲ 1e-154, a false "converged".
                normR = givens(betaD - tauD, betaDD).r
                normA2 += beta * beta
                let normA = normA2.squareRoot()
                normA2 += alpha * alpha
                normAr = Swift.abs(zetaBar)
                log.record(normR)

                if normR <= target || normAr <= rtol * normA * normR { status = .converged; break }   // S1 or S2
            }
        }

        if let pre = preconditioner {
            pre.apply(y, into: &t)
            BLAS.axpy(1, t, &x)
        }
        let trueNorm = computeResidual(op, b, x, into: &av, log: &log)
        if !trueNorm.isFinite { status = .nonFiniteInput }
        return log.result(status, solution: x, residual: trueNorm, normalResidual: normAr)
    }
}
