import AutoDiff
import DistributedImplicit
import PETScKit

/// The Bratu / reaction–diffusion problem on the unit square (or interval),
/// zero Dirichlet boundary values, written as local grid conditions with
/// three replicated parameters `x = (κ, λ, s)`:
///
/// ```
/// F(x, u)_p = κ·(deg·u_p − Σ_{q neighbour of p} u_q) − h²·(λ·exp(u_p) + s)
/// h = 1/(nx + 1),  deg = 4 in 2-D (2 in 1-D),  neighbours outside the grid are 0
/// A = ∂F/∂u = κ·L − h² λ diag(eᵘ)        B = ∂F/∂x = [L u, −h² eᵘ, −h²·1]
/// ```
///
/// For `κ > 0` and `λ` below the fold (`λ/κ ≈ 6.8` on the square) the
/// solution is unique near zero and `A` is symmetric positive definite.
public struct BratuGridConditions: LocalGridConditions {
    /// Creates the conditions.
    public init() {}

    /// The residual rows of the owned points.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y u: GridPatch<T>) -> [T] {
        let kappa = x[0], lambda = x[1], s = x[2]
        let h = 1 / Double(u.nx + 1)
        let h2 = T(h * h)
        let twoD = u.ny > 1
        var out: [T] = []
        out.reserveCapacity(u.ownedBox.count)
        for j in u.ownedBox.ys {
            for i in u.ownedBox.xs {
                let c = u[i, j]
                var lap = T(twoD ? 4 : 2) * c
                if i > 0 { lap -= u[i - 1, j] }
                if i < u.nx - 1 { lap -= u[i + 1, j] }
                if twoD {
                    if j > 0 { lap -= u[i, j - 1] }
                    if j < u.ny - 1 { lap -= u[i, j + 1] }
                }
                out.append(kappa * lap - h2 * (lambda * T.exp(c) + s))
            }
        }
        return out
    }
}
