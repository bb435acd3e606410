// GMRES with restarts: the generalized minimal residual method.
//
// Reference: Y. Saad and M. H. Schultz, "GMRES: a generalized minimal
// residual algorithm for solving nonsymmetric linear systems", SIAM J. Sci.
// Stat. Comput. 7 (1986) 856–869; right preconditioning and Givens rotations
// as in Y. Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed.,
// Algorithms 6.9 and 9.5.
//
// Deviations from the textbook:
// 1. Orthogonalization is classical Gram–Schmidt as two BLAS-2 `gemv` passes
//    over the basis stored as matrix columns, repeated once when the norm
//    drops below 1/√2 of its value before orthogonalization (the selective
//    reorthogonalization criterion of Daniel, Gragg, Kaufman and Stewart,
//    Math. Comp. 30 (1976); "twice is enough": Giraud, Langou and Rozložník,
//    2005). This is as stable as modified Gram–Schmidt with
//    reorthogonalization and reads the basis in blocks.
// 2. Right preconditioning (A M⁻¹ u = b, x = M⁻¹ u): the least-squares
//    residual estimate |gₖ₊₁| is the true-system residual in exact arithmetic.
// 3. At the end of each cycle the true residual b − A x is recomputed (one
//    extra operator application, counted) and drives the restart, the
//    convergence decision and the reported ‖r‖.
// 4. Lucky breakdown (hₖ₊₁,ₖ ≤ ε‖A zₖ‖: the Krylov space is invariant) ends
//    the cycle; the status is then decided by the true residual (converged,
//    or another cycle).
// 5. Breakdown: a rotated diagonal entry rₖₖ ≤ ε‖A zₖ‖ means the new column
//    is dependent (singular A); the column is dropped and the cycle ends. If
//    the cycle still reduced the true residual, GMRES restarts from it;
//    otherwise it reports `.breakdown`.
// 6. Stagnation: a whole cycle that reduces the true residual by a relative
//    amount below √ε reports `.stagnation`; restarted GMRES is deterministic,
//    so the next cycle would repeat it (the classic case is a cyclic
//    permutation with restart < n).
// 7. A non-finite Arnoldi vector (NaN/±∞ from the operator or
//    preconditioner) drops that column and reports `.nonFiniteInput`.
// 8. Norms are √(wᵀw) by one `ddot` (`norm2`), with the scaled `dnrm2`
//    only where the sum of squares could overflow or underflow.

import LinearAlgebra

/// Restarted GMRES for square `A x = b`, right-preconditioned.
///
/// Each cycle builds an orthonormal basis `Vₖ` of the Krylov space
/// `span{r, A M⁻¹ r, …}` and minimizes the residual over it:
///
/// ```
/// A M⁻¹ Vₖ = Vₖ₊₁ H̄ₖ                     (Arnoldi)
/// yₖ = argmin ‖ β e₁ − H̄ₖ y ‖             (Givens rotations, β = ‖r‖)
/// x ← x + M⁻¹ Vₖ yₖ                        (after k ≤ restart steps)
/// ```
///
/// One iteration is one Arnoldi step (one product with `A`, one with `M⁻¹`).
/// Memory is `n × (restart + 1)` for the basis plus five vectors of length
/// `n`, taken before the loop (from a ``KrylovWorkspace`` when one is passed,
/// so repeated solves reuse the basis); nothing is `O(n²)`.
public struct GMRES: KrylovSolver {
    /// The number of Arnoldi steps between restarts (`≥ 1`).
    public let restart: Int
    /// Tolerances and cap; the default cap is `max(10, 2n)` iterations.
    public let options: KrylovOptions

    /// Creates the solver.
    ///
    /// - Parameters:
    ///   - restart: Arnoldi steps per cycle, `≥ 1` (default 30; clipped to `n`).
    ///     Memory grows as `n · restart`.
    ///   - options: tolerances, cap and history flag (default ``KrylovOptions/default``).
    /// - Throws: ``KrylovError/invalidOptions(_:)`` when `restart < 1`.
    public init(restart: Int = 30, options: KrylovOptions = .default) throws(KrylovError) {
        guard restart >= 1 else { throw .invalidOptions("GMRES restart is \(restart); it must be ≥ 1") }
        self.restart = restart
        self.options = options
    }

    /// Solves `A x = b` for square `A`.
    ///
    /// - Parameters:
    ///   - op: a square operator, `n × n` (a precondition).
    ///   - b: length `n`.
    ///   - initialGuess: `x₀`, length `n`, or `nil` for `0`.
    ///   - preconditioner: `M⁻¹` applied on the right, or `nil`.
    ///   - workspace: work vectors taken from, and parked again in, this
    ///     storage (see ``KrylovWorkspace``); the plain `solve` passes a fresh one.
    /// - Returns: the iterate (minimal residual over the last cycle's Krylov
    ///   space) and its statistics.
    public func solve<Op: LinearOperator>(_ op: Op, _ b: [Double], initialGuess: [Double]?,
                                          preconditioner: (any Preconditioner)?,
                                          workspace ws: inout KrylovWorkspace) -> KrylovResult {
        if let early = immediateResult(method: "GMRES", op, b, initialGuess, options: options) { return early }
        precondition(op.rows == op.columns, "GMRES: the operator is \(op.rows)×\(op.columns), not square")
        let n = op.columns
        let m = Swift.min(restart, n)
        let cap = options.iterationCap(default: 2 * n)
        var log = SolveLog(method: "GMRES", options: options, cap: cap)
        let target = options.target(normB: norm2(b))
        let eps = Double.ulpOfOne

        var x = initialGuess ?? [Double](repeating: 0, count: n)
        // Everything the iteration touches, taken before it starts.
        let ldh = m + 1
        var basis = ws.matrix(rows: n, columns: m + 1)
        var r = ws.vector(n), v = ws.vector(n), w = ws.vector(n)
        var z = ws.vector(preconditioner == nil ? 0 : n)
        var hessenberg = ws.vector(ldh * m)                        // column-major, rotated in place into R
        var cosines = ws.vector(m), sines = ws.vector(m), g = ws.vector(m + 1)
        // Projection coefficients of step j have length j + 1 (gemv needs exact lengths).
        var coefficients = (0..<m).map { ws.vector($0 + 1) }
        var corrections = (0..<m).map { ws.vector($0 + 1) }
        defer {
            ws.park(basis)
            for vector in [r, v, w, z, hessenberg, cosines, sines, g] { ws.park(vector) }
            for vector in coefficients { ws.park(vector) }
            for vector in corrections { ws.park(vector) }
        }
        if initialGuess == nil { BLAS.copy(b, &r) }
        var beta = initialGuess == nil ? norm2(r) : computeResidual(op, b, x, into: &r, log: &log)
        log.initialResidualNorm = beta
        log.record(beta)
        guard beta.isFinite else { return log.result(.nonFiniteInput, solution: x, residual: beta) }
        if beta <= target { return log.result(.converged, solution: x, residual: beta) }


        var status = KrylovStatus.maxIterationsReached
        cycles: while true {
            let cycleStart = beta
            BLAS.copy(r, &v)
            BLAS.scal(1 / beta, &v)
            BLAS.setColumn(0, of: &basis, to: v)
            BLAS.fill(0, &g)
            g[0] = beta
            var k = 0                                   // columns used this cycle
            var singular = false, nonFinite = false

            for j in 0..<m {
                if let pre = preconditioner {
                    pre.apply(v, into: &z)
                    op.apply(z, into: &w)
                } else {
                    op.apply(v, into: &w)
                }
                log.applications += 1
                log.iterations += 1
                let normAz = norm2(w)
                guard normAz.isFinite else { nonFinite = true; break }

                // h = Vᵀw, w ← w − V h, once more if w lost more than 1 − 1/√2 of its norm.
                let span = 0..<(j + 1)
                BLAS.gemv(transpose: true, 1, basis, columns: span, w, 0, &coefficients[j])
                BLAS.gemv(-1, basis, columns: span, coefficients[j], 1, &w)
                var hNext = norm2(w)
                if hNext < normAz * 0.5.squareRoot() {
                    BLAS.gemv(transpose: true, 1, basis, columns: span, w, 0, &corrections[j])
                    BLAS.gemv(-1, basis, columns: span, corrections[j], 1, &w)
                    BLAS.axpy(1, corrections[j], &coefficients[j])
                    hNext = norm2(w)
                }

                // Column j of H̄, then the previous rotations, then a new one.
                let col = j * ldh
                for i in 0...j { hessenberg[col + i] = coefficients[j][i] }
                hessenberg[col + j + 1] = hNext
                for i in 0..<j {
                    let a = hessenberg[col + i], c = hessenberg[col + i + 1]
                    hessenberg[col + i] = cosines[i] * a + sines[i] * c
                    hessenberg[col + i + 1] = -sines[i] * a + cosines[i] * c
                }
                let (cj, sj, rjj) = givens(hessenberg[col + j], hNext)
                if !(rjj > eps * normAz) { singular = true; break }
                cosines[j] = cj
                sines[j] = sj
                hessenberg[col + j] = rjj
                hessenberg[col + j + 1] = 0
                g[j + 1] = -sj * g[j]
                g[j] = cj * g[j]
                k = j + 1
                let estimate = Swift.abs(g[j + 1])
                log.record(estimate)

                let lucky = hNext <= eps * normAz
                if lucky || estimate <= target || log.iterations >= cap || j == m - 1 { break }
                BLAS.scal(1 / hNext, &w)
                swap(&v, &w)
                BLAS.setColumn(j + 1, of: &basis, to: v)
            }

            // x ← x + M⁻¹ V y with R y = g (back substitution on k columns).
            if k > 0 {
                for i in stride(from: k - 1, through: 0, by: -1) {
                    var s = g[i]
                    for l in (i + 1)..<k { s -= hessenberg[l * ldh + i] * corrections[k - 1][l] }
                    corrections[k - 1][i] = s / hessenberg[i * ldh + i]
                }
                BLAS.gemv(1, basis, columns: 0..<k, corrections[k - 1], 0, &w)
                if let pre = preconditioner {
                    pre.apply(w, into: &z)
                    BLAS.axpy(1, z, &x)
                } else {
                    BLAS.axpy(1, w, &x)
                }
            }

            beta = computeResidual(op, b, x, into: &r, log: &log)
            if beta <= target { status = .converged; break cycles }
            if nonFinite || !beta.isFinite { status = .nonFiniteInput; break cycles }
            if log.iterations >= cap { status = .maxIterationsReached; break cycles }
            if beta >= cycleStart * (1 - eps.squareRoot()) {
                status = singular ? .breakdown : .stagnation
                break cycles
            }
        }
        return log.result(status, solution: x, residual: beta)
    }
}

/// The Givens rotation `[c s; −s c]` that maps `(a, b)` to `(r, 0)`, `r = ‖(a, b)‖ ≥ 0`.
@inline(__always)
func givens(_ a: Double, _ b: Double) -> (c: Double, s: Double, r: Double) {
    let scale = Swift.max(Swift.abs(a), Swift.abs(b))
    guard scale > 0 else { return (1, 0, 0) }
    let r = scale * ((a / scale) * (a / scale) + (b / scale) * (b / scale)).squareRoot()
    return (a / r, b / r, r)
}
