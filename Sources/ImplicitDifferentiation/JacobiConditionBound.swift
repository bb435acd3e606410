#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra

// An a-priori iteration count for CG on a symmetric A whose values are known (the
// compressed A of the sparse path), in place of the size rule 10 + √m when A is
// diagonally dominant enough to say more:
//
//   S = D^{-1/2} A D^{-1/2}, D = diag(A)            (IC(0)- and Jacobi-CG are invariant to this scaling)
//   r = max_i Σ_{j≠i} |a_ij| / √(a_ii a_jj)         Gershgorin: every eigenvalue of S is in [1 − r, 1 + r]
//   κ(S) ≤ (1 + r) / (1 − r)                         when every a_ii > 0 and r < 1
//   k ≤ ½ √κ · ln(2/ε)                               CG's error bound in the A-norm, to relative ε
//
// IC(0) usually needs fewer iterations than the Jacobi bound (it is an estimate for the cost
// model, not a cap on the solver). Reference: Y. Saad, "Iterative methods for sparse linear
// systems", 2nd ed., SIAM 2003, §6.11.3 (the CG convergence bound) and §4.2.3 (Gershgorin).

extension SparseMatrix {
    /// The Gershgorin bound on the condition number of the Jacobi-scaled
    /// `D^{-1/2} A D^{-1/2}`, or `nil` when it gives none (a diagonal entry
    /// that is not positive, or `r ≥ 1 − 10⁻⁸`):
    ///
    /// ```
    /// r = max_i Σ_{j≠i} |a_ij| / √(a_ii a_jj),    κ ≤ (1 + r) / (1 − r)
    /// ```
    var jacobiScaledConditionBound: Double? {
        guard isSquare, rows > 0 else { return nil }
        let start = pattern.columnPointers, row = pattern.rowIndices, value = values
        // The diagonal, checked, then turned in place into the scale 1/√a_jj (a loop of its own,
        // with no exit, so that it vectorizes).
        var scale = [Double](repeating: 0, count: rows)
        for j in 0..<columns {
            for k in start[j]..<start[j + 1] where row[k] == j { scale[j] = value[k] }
        }
        guard scale.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }   // NaN fails
        for j in 0..<rows { scale[j] = 1 / scale[j].squareRoot() }
        var rowSums = [Double](repeating: 0, count: rows)
        for j in 0..<columns {
            let sj = scale[j]
            for k in start[j]..<start[j + 1] where row[k] != j {
                let i = row[k]
                rowSums[i] += abs(value[k]) * scale[i] * sj
            }
        }
        let r = rowSums.max() ?? 0
        // r within rounding of 1 (a Laplacian) gives a bound above 10⁸, which says nothing the size rule does not.
        guard r < 1 - 1e-8 else { return nil }   // NaN fails
        return (1 + r) / (1 - r)
    }
}

extension CostModel {
    /// CG iterations to reduce the error by `tolerance` when the condition number is at most `condition`:
    /// `½ √κ · ln(2/ε)`, at least one.
    static func conjugateGradientIterations(condition: Double, tolerance: Double) -> Double {
        Swift.max(1, (0.5 * condition.squareRoot() * log(2 / tolerance)).rounded(.up))
    }
}
