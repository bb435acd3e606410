#if canImport(Glibc)
import Glibc
#endif

// An a-priori iteration count for CG on a symmetric A whose values are known (the
// compressed A of the sparse path), in place of the size rule 10 + √m when A is
// diagonally dominant enough to say more (r is read by SparseValueFacts, in the same
// pass as the nonsingularity certificate):
//
//   S = D^{-1/2} A D^{-1/2}, D = diag(A)            (IC(0)- and Jacobi-CG are invariant to this scaling)
//   r = max_i Σ_{j≠i} |a_ij| / √(a_ii a_jj)         Gershgorin: every eigenvalue of S is in [1 − r, 1 + r]
//   κ(S) ≤ (1 + r) / (1 − r)                         when every a_ii > 0 and r < 1
//   k ≤ ½ √κ · ln(2/ε)                               CG's error bound in the A-norm, to relative ε
//
// IC(0) usually needs fewer iterations than the Jacobi bound (it is an estimate for the cost
// model, not a cap on the solver). Reference: Y. Saad, "Iterative methods for sparse linear
// systems", 2nd ed., SIAM 2003, §6.11.3 (the CG convergence bound) and §4.2.3 (Gershgorin).

extension CostModel {
    /// CG iterations to reduce the error by `tolerance` when the condition number is at most `condition`:
    /// `½ √κ · ln(2/ε)`, at least one.
    static func conjugateGradientIterations(condition: Double, tolerance: Double) -> Double {
        Swift.max(1, (0.5 * condition.squareRoot() * log(2 / tolerance)).rounded(.up))
    }
}
