import LinearAlgebra

// IC(0) after a breakdown: retry on A + α·diag(A) with α growing.
// Reference: T. A. Manteuffel, "An incomplete factorization technique for
// positive definite linear systems", Math. Comp. 34 (1980) 473–497: for an SPD
// A there is an α above which the incomplete factorization of the shifted
// matrix exists (it becomes an H-matrix); a small α keeps M close to A.
//
// Deviations: a fixed short sequence of α (relative to the diagonal) instead of
// Manteuffel's search for the smallest; the first that does not break down wins.

extension IncompleteCholeskyPreconditioner {
    /// The shifts tried after a breakdown, smallest first:
    ///
    /// ```
    /// α ∈ { 10⁻³, 10⁻², 10⁻¹, 1 }        M = L Lᵀ ≈ A + α·diag(A)
    /// ```
    public static let breakdownShifts: [Double] = [1e-3, 1e-2, 1e-1, 1]

    /// IC(0) of `a`, or, when it breaks down, of `a + α·diag(a)` for the first
    /// `α` of `shifts` that does not.
    ///
    /// ```
    /// α₀ = 0, α₁, α₂, …: the first IC(0)(A + αₖ·diag(A)) without a non-positive pivot
    /// ```
    ///
    /// - Parameters:
    ///   - a: a square sparse matrix, symmetric, its diagonal stored.
    ///   - shifts: the `α > 0` to try after plain IC(0), increasing (default ``breakdownShifts``).
    /// - Returns: the preconditioner (its ``diagonalShift`` says which `α` held) and the
    ///   breakdown of plain IC(0) when there was one (`nil` when no shift was needed).
    /// - Throws: ``KrylovError/invalidOptions(_:)`` for a non-square `a` or a bad shift;
    ///   the last ``KrylovError/preconditionerBreakdown(_:)`` when every shift breaks down.
    public static func withDiagonalShifts(_ a: SparseMatrix, shifts: [Double] = breakdownShifts)
        throws(KrylovError) -> (preconditioner: IncompleteCholeskyPreconditioner, breakdown: KrylovError?)
    {
        var first: KrylovError
        do {
            return (try IncompleteCholeskyPreconditioner(a), nil)
        } catch .preconditionerBreakdown(let what) {
            first = .preconditionerBreakdown(what)
        } catch {
            throw error
        }
        var last = first
        for alpha in shifts {
            do {
                return (try IncompleteCholeskyPreconditioner(a, diagonalShift: alpha), first)
            } catch .preconditionerBreakdown(let what) {
                last = .preconditionerBreakdown(what + " with the diagonal shift \(alpha)")
            } catch {
                throw error
            }
        }
        throw last
    }
}
