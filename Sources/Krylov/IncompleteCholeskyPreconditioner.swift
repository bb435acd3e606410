import LinearAlgebra

// IC(0): the incomplete Cholesky factorization with no fill-in.
// Reference: J. A. Meijerink & H. A. van der Vorst, "An iterative solution
// method for linear systems of which the coefficient matrix is a symmetric
// M-matrix", Math. Comp. 31 (1977) 148–162; Y. Saad, "Iterative Methods for
// Sparse Linear Systems", 2nd ed., SIAM 2003, §10.3.
//
//     A ≈ L Lᵀ,  L lower triangular with the pattern of the lower triangle of A
//
//     lᵢⱼ = (aᵢⱼ − Σ_{k<j} lᵢₖ lⱼₖ) / lⱼⱼ     j < i, (i, j) in the pattern
//     lᵢᵢ = √(aᵢᵢ − Σ_{k<i} lᵢₖ²)
//
// Deviations from the textbook:
//  1. Row-oriented (left-looking by rows): the sums are sparse dot products
//     of two rows of L over their common columns (a merge of sorted rows).
//  2. A non-positive or non-finite pivot lᵢᵢ² is a typed error
//     (`KrylovError.preconditionerBreakdown`). The factorization can be asked
//     for A + α·diag(A) instead (`diagonalShift`), the shift of T. A.
//     Manteuffel, "An incomplete factorization technique for positive
//     definite linear systems", Math. Comp. 34 (1980) 473–497, which the
//     retries of `IncompleteCholesky+DiagonalShift.swift` use after a breakdown.
//  3. Only the lower triangle of A is read; symmetry is the caller's promise.
//     The rows of that triangle are gathered by a count and a fill over A's
//     columns (no transpose of the whole A).
//  4. The factor is stored in unit-diagonal form, L = (I + N)·diag(lᵢᵢ), and
//     applied as M⁻¹ = (I + N)⁻ᵀ diag(1/lᵢᵢ²) (I + N)⁻¹: the same M, with one
//     multiplication less on each sweep's recurrence.

/// The IC(0) preconditioner `M = L Lᵀ` of a symmetric positive definite
/// sparse matrix, for conjugate gradients.
///
/// ```
/// A + α·diag(A) ≈ L Lᵀ     (α = 0 unless a diagonal shift is asked for)
/// apply:  z = L⁻ᵀ L⁻¹ r     (symmetric: the transposed application is the same)
/// ```
public struct IncompleteCholeskyPreconditioner: Preconditioner, Sendable {
    /// Row `i` of `L`: entries `rowPointers[i] ..< rowPointers[i + 1]`, the diagonal last.
    let rowPointers: [Int]
    /// The column of each entry, increasing within a row.
    let columnIndices: [Int]
    /// `L = (I + N) Δ` in unit-diagonal form: the off-diagonal entries hold
    /// `nᵢⱼ = lᵢⱼ / lⱼⱼ`, each row's last entry `δᵢ = 1 / lᵢᵢ²`, so that
    /// `M⁻¹ = (I + N)⁻ᵀ Δ⁻² (I + N)⁻¹` needs no division and no multiplication by a
    /// pivot on the sweeps' dependency chains.
    let factors: [Double]
    /// The shift `α` of the factored `A + α·diag(A)`.
    public let diagonalShift: Double

    /// Factors the lower triangle of `a + α·diag(a)` incompletely.
    ///
    /// ```
    /// lᵢⱼ = (aᵢⱼ − Σ_{k<j} lᵢₖ lⱼₖ) / lⱼⱼ,   lᵢᵢ = √((1 + α) aᵢᵢ − Σ_{k<i} lᵢₖ²)
    /// ```
    ///
    /// - Parameters:
    ///   - a: a square sparse matrix, symmetric positive definite,
    ///     its diagonal stored (only the lower triangle is read).
    ///   - diagonalShift: `α ≥ 0` (default `0`, plain IC(0)).
    /// - Throws: ``KrylovError/invalidOptions(_:)`` when `a` is not square or
    ///   `α` is negative or not finite;
    ///   ``KrylovError/preconditionerBreakdown(_:)`` when a diagonal entry is
    ///   missing or a pivot is not positive.
    public init(_ a: SparseMatrix, diagonalShift: Double = 0) throws(KrylovError) {
        guard a.isSquare else {
            throw .invalidOptions("IncompleteCholeskyPreconditioner: the matrix is \(a.rows)×\(a.columns), not square")
        }
        guard diagonalShift >= 0 && diagonalShift.isFinite else {   // NaN fails
            throw .invalidOptions("IncompleteCholeskyPreconditioner: diagonal shift \(diagonalShift); it must be finite and ≥ 0")
        }
        let n = a.rows
        let rows = IncompleteCholeskyKernels.lowerRows(a)
        var l = rows.values
        let failure = rows.pointers.withUnsafeBufferPointer { pointers in
            rows.columns.withUnsafeBufferPointer { columns in
                l.withUnsafeMutableBufferPointer { l in
                    IncompleteCholeskyKernels.factor(n, pointers, columns, l, shift: diagonalShift)
                }
            }
        }
        switch failure {
        case nil: break
        case .missingDiagonal(let i)?: throw .preconditionerBreakdown("row \(i) has no diagonal entry")
        case .pivot(let i, let d)?: throw .preconditionerBreakdown("pivot l[\(i), \(i)]² = \(d) is not positive")
        }
        rowPointers = rows.pointers
        columnIndices = rows.columns
        factors = l
        self.diagonalShift = diagonalShift
    }

    /// The order `n`.
    public var order: Int? { rowPointers.count - 1 }

    /// Writes `z = L⁻ᵀ L⁻¹ r`.
    public func apply(_ r: [Double], into z: inout [Double]) {
        let n = rowPointers.count - 1
        precondition(r.count == n && z.count == n, "IncompleteCholeskyPreconditioner.apply: lengths \(r.count), \(z.count) for order \(n)")
        r.withUnsafeBufferPointer { r in
            z.withUnsafeMutableBufferPointer { z in
                rowPointers.withUnsafeBufferPointer { rowPointers in
                    columnIndices.withUnsafeBufferPointer { columnIndices in
                        factors.withUnsafeBufferPointer { factors in
                            IncompleteCholeskyKernels.sweeps(n, r, z, rowPointers, columnIndices, factors)
                        }
                    }
                }
            }
        }
    }
}
