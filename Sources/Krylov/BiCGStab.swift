// BiCGStab: the stabilized bi-conjugate gradient method.
//
// Reference: H. A. van der Vorst, "Bi-CGSTAB: a fast and smoothly converging
// variant of Bi-CG for the solution of nonsymmetric linear systems",
// SIAM J. Sci. Stat. Comput. 13 (1992) 631–644; right-preconditioned form as
// in Y. Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed., §7.4.2.
//
// Deviations from the textbook:
// 1. Right preconditioning (A M⁻¹ u = b, x = M⁻¹ u), so the residual tested
//    is the true-system residual b − A x, not M⁻¹(b − A x).
// 2. Early exit at the half step: when ‖s‖ = ‖r − α A p̂‖ already meets the
//    tolerance, x ← x + α p̂ and the second product is skipped (counted as one
//    iteration).
// 3. Breakdown detection: |ρ| = |r̂ᵀr| ≤ ε‖r̂‖‖r‖ (ρ-breakdown), a non-finite
//    α = ρ / r̂ᵀA p̂, and |tᵀs| ≤ ε‖t‖‖s‖ (ω-breakdown). On ω-breakdown the
//    half step is kept. A ρ-breakdown first restarts with a fresh shadow
//    residual r̂ = r (the true residual); a restart that makes no progress
//    reports `.breakdown`.
// 4. Residual verification and replacement: when the recursive residual meets
//    the tolerance the true residual is computed; on drift the method restarts
//    from it (new shadow residual r̂ = r), and a restart without progress
//    reports `.stagnation`. The reported ‖b − A x‖ is always the true one.
// 5. A non-finite scalar (NaN/±∞ from the operator or preconditioner) stops
//    before it reaches x, with `.nonFiniteInput`.
// 6. Returns the last iterate, not the one of smallest residual (keeping the
//    best one would cost a vector copy per iteration).

// 7. The right-hand side is first scaled to unit norm by a power of two
//    (exact; x and the residuals are scaled back), so that the squared
//    quantities stay in range for ‖A‖ up to about 1e±150 whatever ‖b‖ is.
import LinearAlgebra

/// BiCGStab for square, non-symmetric `A x = b`.
///
/// ```
/// r₀ = b − A x₀,  r̂ = r₀,  ρ₋₁ = α = ω = 1,  v = p = 0
/// ρ = r̂ᵀr,   β = (ρ/ρ₋₁)(α/ω),   p = r + β (p − ω v)
/// p̂ = M⁻¹p,  v = A p̂,  α = ρ / r̂ᵀv,  s = r − α v
/// ŝ = M⁻¹s,  t = A ŝ,  ω = tᵀs / tᵀt
/// x ← x + α p̂ + ω ŝ,   r = s − ω t
/// ```
///
/// One iteration is two products with `A` (one at an early half-step exit).
/// Work vectors: `x, r, r̂, p, v, t` (and `p̂, ŝ` when preconditioned),
/// taken before the loop (see ``KrylovWorkspace``).
public struct BiCGStab: KrylovSolver {
    /// Tolerances and cap; the default cap is `max(10, 2n)` iterations.
    public let options: KrylovOptions

    /// Creates the solver.
    ///
    /// - Parameter options: tolerances, cap and history flag (default ``KrylovOptions/default``).
    public init(options: KrylovOptions = .default) { self.options = options }

    /// Solves `A x = b` for square `A`.
    ///
    /// - Parameters:
    ///   - op: a square operator, `n × n` (a precondition).
    ///   - b: length `n`.
    ///   - initialGuess: `x₀`, length `n`, or `nil` for `0`.
    ///   - preconditioner: `M⁻¹` applied on the right, or `nil`.
    ///   - workspace: work vectors taken from, and parked again in, this
    ///     storage (see ``KrylovWorkspace``); the plain `solve` passes a fresh one.
    /// - Returns: the last iterate and its statistics.
    public func solve<Op: LinearOperator>(_ op: Op, _ b: [Double], initialGuess: [Double]?,
                                          preconditioner: (any Preconditioner)?,
                                          workspace ws: inout KrylovWorkspace) -> KrylovResult {
        if let early = immediateResult(method: "BiCGStab", op, b, initialGuess, options: options) { return early }
        if let scaled = unitScaledSolve(b, initialGuess, options: options, {
            BiCGStab(options: $2).solve(op, $0, initialGuess: $1, preconditioner: preconditioner, workspace: &ws)
        }) { return scaled }
        precondition(op.rows == op.columns, "BiCGStab: the operator is \(op.rows)×\(op.columns), not square")
        let n = op.columns
        let cap = options.iterationCap(default: 2 * n)
        var log = SolveLog(method: "BiCGStab", options: options, cap: cap)
        let target = options.target(normB: norm2(b))
        let eps = Double.ulpOfOne

        var x = initialGuess ?? [Double](repeating: 0, count: n)
        var r = ws.vector(n), shadow = ws.vector(n), p = ws.vector(n), v = ws.vector(n), t = ws.vector(n)
        var pHat = ws.vector(preconditioner == nil ? 0 : n), sHat = ws.vector(preconditioner == nil ? 0 : n)
        defer { ws.park(r); ws.park(shadow); ws.park(p); ws.park(v); ws.park(t); ws.park(pHat); ws.park(sHat) }
        if initialGuess == nil { BLAS.copy(b, &r) }
        var rNorm = initialGuess == nil ? norm2(r) : computeResidual(op, b, x, into: &r, log: &log)
        log.initialResidualNorm = rNorm
        log.record(rNorm)
        guard rNorm.isFinite else { return log.result(.nonFiniteInput, solution: x, residual: rNorm) }
        if rNorm <= target { return log.result(.converged, solution: x, residual: rNorm) }

        var lastRestartNorm = rNorm
        var status = KrylovStatus.maxIterationsReached
        var residualIsTrue = true

        cycle: while true {
            // (Re)start: fresh shadow residual r̂ = r (the true residual).
            BLAS.copy(r, &shadow)
            BLAS.fill(0, &p)
            BLAS.fill(0, &v)
            let shadowNorm = rNorm
            var rhoOld = 1.0, alpha = 1.0, omega = 1.0
            var exit = BiCGStabExit.cap

            while log.iterations < cap {
                let rho = BLAS.dot(shadow, r)
                guard rho.isFinite else { status = .nonFiniteInput; break cycle }
                if Swift.abs(rho) <= eps * shadowNorm * rNorm { exit = .rhoBreakdown; break }
                let beta = (rho / rhoOld) * (alpha / omega)
                BLAS.axpy(-omega, v, &p)
                BLAS.axpby(1, r, beta, &p)                       // p = r + β (p − ω v)
                if let m = preconditioner {
                    m.apply(p, into: &pHat)
                    op.apply(pHat, into: &v)
                } else {
                    op.apply(p, into: &v)
                }
                log.applications += 1
                let shadowV = BLAS.dot(shadow, v)
                guard shadowV.isFinite else { status = .nonFiniteInput; break cycle }
                alpha = rho / shadowV
                guard alpha.isFinite else { status = .breakdown; break cycle }
                BLAS.axpy(-alpha, v, &r)                         // r now holds s = r − α v
                residualIsTrue = false
                let sNorm = norm2(r)
                if sNorm <= target {                              // half-step exit
                    BLAS.axpy(alpha, preconditioner == nil ? p : pHat, &x)
                    log.iterations += 1
                    rNorm = sNorm
                    log.record(rNorm)
                    exit = .recursiveConverged
                    break
                }
                if let m = preconditioner {
                    m.apply(r, into: &sHat)
                    op.apply(sHat, into: &t)
                } else {
                    op.apply(r, into: &t)
                }
                log.applications += 1
                // ‖t‖ by nrm2, not √(tᵀt): tᵀt underflowed to 0 (a false ω-breakdown) once
                // ‖A‖·‖s‖ fell below ~1e-154, e.g. ‖A‖ ~ 1e-150 near convergence.
                let tNorm = norm2(t), ts = BLAS.dot(t, r)
                guard tNorm.isFinite && ts.isFinite else { status = .nonFiniteInput; break cycle }
                if tNorm == 0 || Swift.abs(ts) <= eps * tNorm * sNorm {
                    BLAS.axpy(alpha, preconditioner == nil ? p : pHat, &x)   // keep the half step
                    log.iterations += 1
                    rNorm = sNorm
                    log.record(rNorm)
                    status = .breakdown
                    break cycle
                }
                omega = (ts / tNorm) / tNorm
                if preconditioner == nil {
                    BLAS.axpy(alpha, p, &x)
                    BLAS.axpy(omega, r, &x)
                } else {
                    BLAS.axpy(alpha, pHat, &x)
                    BLAS.axpy(omega, sHat, &x)
                }
                BLAS.axpy(-omega, t, &r)                         // r = s − ω t
                rhoOld = rho
                log.iterations += 1
                rNorm = norm2(r)
                log.record(rNorm)
                if rNorm <= target { exit = .recursiveConverged; break }
            }

            // Verify with the true residual; restart from it when that helps.
            rNorm = computeResidual(op, b, x, into: &r, log: &log)
            residualIsTrue = true
            if rNorm <= target { status = .converged; break cycle }
            guard rNorm.isFinite else { status = .nonFiniteInput; break cycle }
            guard exit != .cap, log.iterations < cap else { status = .maxIterationsReached; break cycle }
            if rNorm >= lastRestartNorm * (1 - eps.squareRoot()) {
                status = exit == .rhoBreakdown ? .breakdown : .stagnation
                break cycle
            }
            lastRestartNorm = rNorm
        }
        if !residualIsTrue { rNorm = computeResidual(op, b, x, into: &r, log: &log) }
        return log.result(status, solution: x, residual: rNorm)
    }
}

/// Why the inner BiCGStab loop ended (before the true-residual check).
enum BiCGStabExit { case recursiveConverged, rhoBreakdown, cap }
