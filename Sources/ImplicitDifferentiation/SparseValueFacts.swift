import LinearAlgebra

// What the values of the compressed A tell the automatic plan, read once per linearization by
// the cost model and handed to the preparation with A (so that neither pass runs twice):
//
//   dominance      one O(nnz) pass: the row, column and Jacobi-scaled diagonal dominance sums (over
//                  the diagonal runs when A is stored by diagonals as well, DiagonalDominance+Diagonals), and
//   symmetric      in the same pass, A = Aᵀ to DeclaredStructureCheck.tolerance (MirrorScan: a cursor
//                  per column), and exactly (then the Krylov products of A run as the gather of Aᵀ);
//                  SparseMatrix.symmetry when that pass cannot say (a zero diagonal, an unsymmetric pattern)
//   diagonal       kept from the same pass for the Jacobi preconditioner
//     → certificate       NonsingularityCertificate (the Krylov singularity probe is skipped)
//     → conditionBound    κ(D^{-1/2} A D^{-1/2}) ≤ (1 + r)/(1 − r) when A is symmetric with a
//                         positive diagonal and r < 1 − 10⁻⁸ (the cost model's CG iterations)
//     → SPD               symmetric, positive diagonal, and certified: by Gershgorin every
//                         eigenvalue of the (scaled) A is positive, so CG's symmetry probe has
//                         nothing left to find
//
// The scaled radius r is the same sum for the certificate and the condition bound when the
// diagonal is positive (|a_ii| = a_ii), which is the only case the bound is read in.

/// The symmetry and diagonal dominance of a sparse `A`, read from its values once.
struct SparseValueFacts: Sendable {
    /// `A` is symmetric to ``DeclaredStructureCheck/tolerance``.
    let symmetric: Bool
    /// `A` is exactly symmetric (every stored entry equals its stored mirror): `Aᵀ x` may serve as `A x`.
    let exactlySymmetric: Bool
    /// `A` is certified nonsingular, or `nil`.
    let certificate: NonsingularityCertificate?
    /// The Gershgorin bound on `κ(D^{-1/2} A D^{-1/2})` for a symmetric `A` with a positive
    /// diagonal (see `JacobiConditionBound.swift`), or `nil`.
    let conditionBound: Double?
    /// `A` is symmetric positive definite: symmetric, every `aᵢᵢ > 0`, and strictly diagonally
    /// dominant (by rows, columns or after the Jacobi scaling, as the certificate says).
    let symmetricPositiveDefinite: Bool
    /// The diagonal `aᵢᵢ` as the dominance pass read it, or `nil` when that pass did not run to
    /// the end (a zero or missing diagonal entry).
    let diagonal: [Double]?

    /// The facts of `a`.
    ///
    /// ```
    /// r = max_i Σ_{j≠i} |a_ij| / √(|a_ii| |a_jj|)
    /// conditionBound = (1 + r)/(1 − r)     symmetric, every a_ii > 0, r < 1 − 10⁻⁸
    /// SPD ⇔ symmetric ∧ every a_ii > 0 ∧ certificate
    /// ```
    ///
    /// - Parameters:
    ///   - a: the compressed `A` (finite by its invariant).
    ///   - diagonals: `a` stored by diagonals, when it was built: the pass then reads it instead of the columns.
    init(_ a: SparseMatrix, diagonals: DiagonalOffsetMatrix? = nil) {
        let dominance = diagonals.flatMap { DiagonalDominance($0, symmetryTolerance: DeclaredStructureCheck.tolerance) }
            ?? DiagonalDominance(a, symmetryTolerance: DeclaredStructureCheck.tolerance)
        (symmetric, exactlySymmetric) = dominance?.symmetry ?? a.symmetry(tolerance: DeclaredStructureCheck.tolerance)
        diagonal = dominance?.diagonal
        certificate = dominance.flatMap { NonsingularityCertificate($0) }
        let positive = dominance?.positiveDiagonal ?? false
        if symmetric, positive, let r = dominance?.scaledRadius, r < 1 - 1e-8 {   // NaN fails
            conditionBound = (1 + r) / (1 - r)
        } else {
            conditionBound = nil
        }
        symmetricPositiveDefinite = symmetric && positive && certificate != nil
    }
}
