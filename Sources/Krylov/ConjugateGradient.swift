// Conjugate gradients.
//
// Reference: M. R. Hestenes and E. Stiefel, "Methods of conjugate gradients
// for solving linear systems", J. Res. Nat. Bur. Standards 49 (1952) 409–436;
// preconditioned form as in Y. Saad, "Iterative Methods for Sparse Linear
// Systems", 2nd ed. (SIAM 2003), Algorithm 9.1.
//
// Deviations from the textbook:
// 1. Preconditioned (PCG): z = M⁻¹ r, ρ = rᵀz; without a preconditioner the
//    vector z is never formed (ρ = ‖r‖²).
// 2. The stopping test is on the unpreconditioned recursive residual ‖r‖,
//    ‖r‖ ≤ atol + rtol·‖b‖, uniform with the other methods.
// 3. Non-positive curvature pᵀA p ≤ 0 stops with `.indefinite` before x is
//    updated (the textbook assumes SPD and divides); so does rᵀM⁻¹r ≤ 0 (a
//    preconditioner that is not positive definite).
// 4. Residual verification and replacement: when the recursive residual meets
//    the tolerance, the true residual b − A x is computed; if it does not meet
//    it (rounding drift), CG restarts from the true residual (p = M⁻¹r). A
//    restart whose true residual is no better than the previous one reports
//    `.stagnation`. The final ‖b − A x‖ reported is always the true one.
// 5. A non-finite scalar (the operator or preconditioner produced NaN/±∞)
//    stops before it reaches x, with `.nonFiniteInput`.
// 6. The declared structure of the operator is not consulted (it is
//    unchecked anyway); CG runs on whatever square operator it is given and
//    reports `.indefinite` when the curvature says so.

// 7. When the recursive residual reaches rounding level (ε‖b‖) before the
//    tolerance, the true residual is verified as in 4: an unattainable
//    tolerance ends in `.stagnation`, not in an underflowed curvature that
//    would read as `.indefinite`.
// 8. The right-hand side is first scaled to unit norm by a power of two
//    (exact; x and the residuals are scaled back), so that the squared
//    quantities stay in range for ‖A‖ up to about 1e±150 whatever ‖b‖ is.
// 9. Passes are fused when the types allow it (the same iteration up to the order of the sums):
//    an operator conforming to `CurvatureProduct` returns pᵀA p from its product,
//    and a `JacobiPreconditioner` is applied inside the update, x += αp,
//    r −= αq, rᵀr and rᵀD⁻¹r in one pass and p = D⁻¹r + βp in another, z never stored.
//    An operator conforming to `JacobiDirectionProduct` (a stencil stored by diagonals) forms
//    p = D⁻¹r + βp inside the next product's pass instead: two passes an iteration.
import LinearAlgebra

/// Conjugate gradients for symmetric positive definite `A x = b`.
///
/// ```
/// r₀ = b − A x₀,  z₀ = M⁻¹ r₀,  p₀ = z₀
/// αₖ = rₖᵀzₖ / pₖᵀA pₖ          (pₖᵀA pₖ ≤ 0  →  .indefinite)
/// xₖ₊₁ = xₖ + αₖ pₖ,  rₖ₊₁ = rₖ − αₖ A pₖ
/// βₖ = rₖ₊₁ᵀzₖ₊₁ / rₖᵀzₖ,  pₖ₊₁ = zₖ₊₁ + βₖ pₖ
/// ```
///
/// One iteration is one product `A p`. The preconditioner must be symmetric
/// positive definite. Work vectors: `x, r, p, A p` (and `z` when
/// preconditioned), taken before the loop (see ``KrylovWorkspace``). Returns the last iterate
/// (the one minimizing the `A`-norm error over the Krylov space); its
/// `KrylovStatistics/residualNorm` is the true residual.
public struct ConjugateGradient: KrylovSolver {
    /// Tolerances and cap; the default cap is `max(10, 2n)`.
    public let options: KrylovOptions

    /// Creates the solver.
    ///
    /// - Parameter options: tolerances, cap and history flag (default ``KrylovOptions/default``).
    public init(options: KrylovOptions = .default) { self.options = options }

    /// Solves `A x = b` for square, symmetric positive definite `A`.
    ///
    /// - Parameters:
    ///   - op: a square operator, `n × n` (a precondition).
    ///   - b: length `n`.
    ///   - initialGuess: `x₀`, length `n`, or `nil` for `0`.
    ///   - preconditioner: a symmetric positive definite `M⁻¹`, or `nil`.
    ///   - workspace: work vectors taken from, and parked again in, this
    ///     storage (see ``KrylovWorkspace``); the plain `solve` passes a fresh one.
    /// - Returns: the iterate and its statistics (status `.indefinite` on
    ///   non-positive curvature).
    public func solve<Op: LinearOperator>(_ op: Op, _ b: [Double], initialGuess: [Double]?,
                                          preconditioner: (any Preconditioner)?,
                                          workspace ws: inout KrylovWorkspace) -> KrylovResult {
        if let early = immediateResult(method: "CG", op, b, initialGuess, options: options) { return early }
        if let scaled = unitScaledSolve(b, initialGuess, options: options, {
            ConjugateGradient(options: $2).solve(op, $0, initialGuess: $1, preconditioner: preconditioner, workspace: &ws)
        }) { return scaled }
        precondition(op.rows == op.columns, "CG: the operator is \(op.rows)×\(op.columns), not square")
        let n = op.columns
        let cap = options.iterationCap(default: 2 * n)
        var log = SolveLog(method: "CG", options: options, cap: cap)
        let normB = norm2(b)
        let target = options.target(normB: normB)
        // The recursive residual keeps shrinking below rounding level while the true one cannot
        // (it underflowed to 0 after ~200 iterations with atol = rtol = 0, and 0 curvature read as
        // `.indefinite`): at rounding level, verify against the true residual as if converged.
        let verifyBelow = Swift.max(target, Double.ulpOfOne * normB)

        // Jacobi's D⁻¹ is applied inside the fused update (no z), and an operator that sums pᵀA p
        // in its product spares the separate dot product (see deviation 9).
        let jacobi = JacobiPreconditioner.inverseDiagonal(of: preconditioner, order: n)
        let curvatureProduct = op as? any CurvatureProduct
        let directionProduct = jacobi == nil ? nil
            : (op as? any JacobiDirectionProduct).flatMap { $0.fusesJacobiDirection ? $0 : nil }
        var x = initialGuess ?? [Double](repeating: 0, count: n)
        var r = ws.vector(n), p = ws.vector(n), q = ws.vector(n)
        var z = ws.vector(preconditioner == nil || jacobi != nil ? 0 : n)
        defer { ws.park(r); ws.park(p); ws.park(q); ws.park(z) }
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
            // (Re)start from the current residual r.
            var rho: Double
            if let d = jacobi {
                BLAS.multiply(d, r, into: &p)
                rho = BLAS.dot(r, p)
            } else if let m = preconditioner {
                m.apply(r, into: &z)
                rho = BLAS.dot(r, z)
                BLAS.copy(z, &p)
            } else {
                rho = rNorm * rNorm
                BLAS.copy(r, &p)
            }
            guard rho.isFinite else { status = .nonFiniteInput; break cycle }
            guard rho > 0 else { status = .indefinite; break cycle }

            var recursiveConverged = false
            // β of a direction not yet formed: the next product forms it (`directionProduct`).
            var pendingBeta: Double? = nil
            while log.iterations < cap {
                let curvature: Double
                if let beta = pendingBeta, let fused = directionProduct, let d = jacobi {
                    curvature = fused.applyAfterJacobiDirection(beta: beta, residual: r, inverseDiagonal: d,
                                                                direction: &p, into: &q)
                } else if let fused = curvatureProduct {
                    curvature = fused.applyReturningCurvature(p, into: &q)
                } else {
                    op.apply(p, into: &q)
                    curvature = BLAS.dot(p, q)
                }
                log.applications += 1
                guard curvature.isFinite else { status = .nonFiniteInput; break cycle }
                guard curvature > 0 else { status = .indefinite; break cycle }
                let alpha = rho / curvature
                // x += αp, r −= αq and rᵀr (and rᵀD⁻¹r under Jacobi) in one pass.
                var squared: Double, rhoNext = 0.0
                if let d = jacobi {
                    (squared, rhoNext) = ConjugateGradientKernels.jacobiStep(alpha, p, q, d, &x, &r)
                } else {
                    squared = ConjugateGradientKernels.step(alpha, p, q, &x, &r)
                }
                residualIsTrue = false
                log.iterations += 1
                rNorm = norm2(squared: squared, of: r)
                log.record(rNorm)
                if rNorm <= verifyBelow { recursiveConverged = true; break }

                if jacobi != nil {
                    // rᵀD⁻¹r came with the update.
                } else if let m = preconditioner {
                    m.apply(r, into: &z)
                    rhoNext = BLAS.dot(r, z)
                } else {
                    rhoNext = rNorm * rNorm
                }
                guard rhoNext.isFinite else { status = .nonFiniteInput; break cycle }
                guard rhoNext > 0 else { status = .indefinite; break cycle }
                let beta = rhoNext / rho
                rho = rhoNext
                if directionProduct != nil {
                    pendingBeta = beta
                } else if let d = jacobi {
                    ConjugateGradientKernels.jacobiDirection(beta, r, d, &p)
                } else if preconditioner == nil {
                    BLAS.axpby(1, r, beta, &p)
                } else {
                    BLAS.axpby(1, z, beta, &p)
                }
            }

            // Verify with the true residual; restart from it on drift.
            rNorm = computeResidual(op, b, x, into: &r, log: &log)
            residualIsTrue = true
            if rNorm <= target { status = .converged; break cycle }
            guard rNorm.isFinite else { status = .nonFiniteInput; break cycle }
            guard recursiveConverged, log.iterations < cap else { status = .maxIterationsReached; break cycle }
            if rNorm >= lastRestartNorm * (1 - Double.ulpOfOne.squareRoot()) { status = .stagnation; break cycle }
            lastRestartNorm = rNorm
        }
        if !residualIsTrue { rNorm = computeResidual(op, b, x, into: &r, log: &log) }
        return log.result(status, solution: x, residual: rNorm)
    }
}
