#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra

// An a-priori iteration count for unpreconditioned GMRES on an explicit dense A (one product:
// a single JVP or VJP), from A's Gershgorin discs. With s_i = Σ_{j≠i} |a_ij|,
//
//   lo = min_i (a_ii − s_i),  hi = max_i (a_ii + s_i),  c = (lo + hi)/2,  ρ = (hi − lo)/(hi + lo)
//
// every disc {|z − a_ii| ≤ s_i} lies in the disc |z − c| ≤ ρc when lo > 0 (the same after
// negating A when hi < 0), and row by row Σ_j |δ_ij − a_ij/c| = max(c − (a_ii − s_i), a_ii + s_i − c)/c,
// so ‖I − A/c‖∞ = ρ. GMRES minimises ‖p(A) r₀‖₂ over degree-k polynomials with p(0) = 1; taking
// p(z) = (1 − z/c)ᵏ,
//
//   ‖r_k‖₂ ≤ ‖(I − A/c)ᵏ‖₂ ‖r₀‖₂ ≤ √m ρᵏ ‖r₀‖₂,
//
// and the same for Aᵀ, since ‖p(Aᵀ)‖₂ = ‖p(A)ᵀ‖₂ = ‖p(A)‖₂. A restart after r steps starts
// again from the current residual, so restarted GMRES reduces it by at least √m ρʳ per cycle.
// The same discs exclude 0 (A is nonsingular) and give ‖A/c‖∞ ≤ 1 + ρ, ‖(A/c)⁻¹‖∞ ≤ 1/(1 − ρ):
// cond∞(A) ≤ (1 + ρ)/(1 − ρ). Reference: Y. Saad, "Iterative methods for sparse linear systems",
// 2nd ed., SIAM 2003, §6.11.4 (GMRES convergence) and §4.2.3 (Gershgorin).

/// What the Gershgorin discs of a dense square `A` say about GMRES on it: the
/// contraction `ρ` of `I − A/c` in the max norm, for the best real shift `c`.
///
/// ```
/// ‖r_k‖₂ ≤ √m ρᵏ ‖r₀‖₂       for A and for Aᵀ
/// ```
struct GershgorinDiscBound: Sendable, Equatable {
    /// `ρ = ‖I − A/c‖∞`, in `[0, 1)`.
    let radius: Double
    /// The shift `c = (lo + hi)/2` (negative when every disc lies left of 0); `0` when given directly.
    let center: Double
    /// The order `m` of `A`.
    let order: Int

    /// The bound for `a`, or `nil` when it proves nothing: `a` not square or
    /// empty, a non-finite entry, or discs that do not all lie on one side of 0.
    ///
    /// - Parameter a: the dense matrix.
    init?(_ a: Matrix) {
        guard a.isSquare, a.rows > 0 else { return nil }
        let m = a.rows
        var off = [Double](repeating: 0, count: m)
        var finite = true
        a.elements.withUnsafeBufferPointer { e in
            off.withUnsafeMutableBufferPointer { s in
                // Off-diagonal entries only: subtracting |a_ii| from a full row sum would lose the
                // small radii of a large diagonal to rounding.
                for j in 0..<m {
                    let column = e.baseAddress! + j * m
                    for i in 0..<j { s[i] += Swift.abs(column[i]) }
                    for i in (j + 1)..<m { s[i] += Swift.abs(column[i]) }
                }
                for i in 0..<m where !e[i + i * m].isFinite || !s[i].isFinite { finite = false }
            }
        }
        guard finite else { return nil }
        var lo = Double.infinity, hi = -Double.infinity
        a.elements.withUnsafeBufferPointer { e in
            for i in 0..<m {
                let d = e[i + i * m], s = off[i]
                lo = Swift.min(lo, d - s)
                hi = Swift.max(hi, d + s)
            }
        }
        let negative = hi < 0
        if negative { (lo, hi) = (-hi, -lo) }
        guard lo > 0, hi.isFinite else { return nil }   // NaN fails
        let r = (hi - lo) / (hi + lo)
        guard r >= 0, r < 1 else { return nil }
        radius = r
        center = negative ? -(lo + hi) / 2 : (lo + hi) / 2
        order = m
    }

    /// A bound given directly (for the cost model's cached estimate).
    ///
    /// - Parameters:
    ///   - radius: `ρ`, in `[0, 1)`.
    ///   - order: `m ≥ 1`.
    init?(radius: Double, order: Int) {
        guard radius >= 0, radius < 1, order >= 1 else { return nil }
        self.radius = radius
        self.order = order
        center = 0
    }

    /// `cond∞(A) ≤ (1 + ρ)/(1 − ρ)`.
    var conditionBound: Double { (1 + radius) / (1 - radius) }

    /// The iterations after which GMRES (restarted every `restart` steps) has reduced the
    /// residual by `tolerance` at the latest, or `nil` when a restart cycle is not proved to
    /// reduce it (`√m ρ^restart ≥ 1`).
    ///
    /// ```
    /// k = ⌈(ln ε − ½ ln m) / ln ρ⌉                     when k ≤ restart
    /// k = restart · ⌈ln ε / ln(√m ρ^restart)⌉          otherwise
    /// ```
    ///
    /// - Parameters:
    ///   - tolerance: the relative reduction `ε`, in `(0, 1)`.
    ///   - restart: the restart length, `≥ 1`.
    /// - Returns: the iteration count, at least 1 and at most the cycles' worth of `m`.
    func iterations(tolerance: Double, restart: Int) -> Int? {
        guard tolerance > 0, tolerance < 1, restart >= 1 else { return nil }
        if radius == 0 { return 1 }
        let lnRho = log(radius), halfLnM = 0.5 * log(Double(order))
        let direct = ((log(tolerance) - halfLnM) / lnRho).rounded(.up)
        // GMRES without restarts is exact after m steps.
        if direct <= Double(Swift.min(restart, order)) { return Swift.max(1, Int(direct)) }
        if order <= restart { return order }
        let perCycle = halfLnM + Double(restart) * lnRho
        guard perCycle < 0 else { return nil }
        let cycles = (log(tolerance) / perCycle).rounded(.up)
        guard cycles.isFinite, cycles * Double(restart) < Double(Int.max / 2) else { return nil }
        return Swift.max(1, Int(cycles)) * restart
    }
}
