/// A certified lower bound of a band matrix's reciprocal condition number
/// from strict diagonal dominance by columns, so that a singularity test can
/// often skip the condition estimate.
///
/// Varah's bound (J. M. Varah, "A lower bound for the smallest singular
/// value of a matrix", Linear Algebra Appl. 11, 1975) for a matrix strictly
/// diagonally dominant by rows, applied to `Aᵀ`:
///
/// ```
/// β = min_j ( |a_jj| − Σ_{i≠j} |a_ij| ) > 0   ⇒   ‖A⁻¹‖₁ = ‖A⁻ᵀ‖∞ ≤ 1/β
/// rcond = 1 / (‖A‖₁ ‖A⁻¹‖₁) ≥ β / ‖A‖₁
/// ```
///
/// The estimate of ``BandLUFactorization/reciprocalCondition`` computes
/// `‖A⁻¹ v‖₁` for some `‖v‖₁ = 1`, a lower bound of `‖A⁻¹‖₁`, so it is at
/// least the true `rcond` (up to its own rounding): when the certified bound
/// clears a threshold, the estimate clears it too, and a test against the
/// bound decides as a test against the estimate does.
///
/// Deviations from the textbook:
///  1. Rounding: a column of `w` stored entries gives `Σ|a_ij|` with a relative
///     error below `w·u`; the bound subtracts `(w + 2)·ε·(|a_jj| + Σ_{i≠j}|a_ij|)`
///     from each margin, divides by `‖A‖₁·(1 + (w + 2)ε)` and shrinks the quotient
///     by `4ε`, so that the computed bound is below the exact `β / ‖A‖₁`.
///  2. A margin that is not positive, or any non-finite sum, gives `0` (no bound).
extension BandLUFactorization {
    /// The reciprocal condition for a singularity test against `minimum`: the
    /// certified lower bound ``reciprocalConditionLowerBound`` when it is at
    /// least `minimum` (then the estimate is not computed), else the estimate
    /// ``reciprocalCondition``.
    ///
    /// - Parameter minimum: the smallest acceptable reciprocal condition, in `[0, 1)`.
    /// - Returns: the value tested and whether it is the certified lower bound;
    ///   `value >= minimum` fails only when the estimate is below `minimum`.
    public func reciprocalCondition(testedAgainst minimum: Double) -> (value: Double, isLowerBound: Bool) {
        let bound = reciprocalConditionLowerBound
        if bound >= minimum && bound > 0 { return (bound, true) }   // NaN fails
        return (reciprocalCondition, false)
    }
}

extension BandSolveKernels {
    /// The certified lower bound `β / ‖A‖₁` of the reciprocal 1-norm condition
    /// number of the `n × n` band matrix in LAPACK band storage `ab` (the
    /// matrix's entries at `ab[kl + ku + i − j + j·ldab]`, see
    /// ``BandLUFactorization+DiagonalDominance``), or `0` when `A` is not strictly
    /// diagonally dominant by columns.
    static func diagonalDominanceBound(_ ab: UnsafePointer<Double>, order n: Int, lower kl: Int,
                                       upper ku: Int) -> Double {
        guard n > 0 else { return 1 }
        let ldab = bandLeadingDimension(lower: kl, upper: ku), kv = kl + ku
        var dominance = DominanceBound()
        for j in 0..<n {
            let first = Swift.max(0, j - ku), last = Swift.min(n - 1, j + kl)
            let column = ab + kv - j + j * ldab   // column[i] = A[i, j]
            var off = 0.0
            for i in first...last where i != j { off += Swift.abs(column[i]) }
            guard dominance.add(diagonal: Swift.abs(column[j]), offDiagonal: off, window: last - first + 1) else { return 0 }
        }
        return dominance.bound
    }
}

/// The running minimum margin, largest column sum and widest window of
/// ``BandSolveKernels/diagonalDominanceBound(_:order:lower:upper:)``, one column at a time,
/// so that a pass filling the band storage can compute the bound on the way.
struct DominanceBound {
    private var margin = Double.infinity, norm = 0.0, slack = 0.0

    /// Adds column `j`: `diagonal = |a_jj|`, `offDiagonal = Σ_{i≠j}|a_ij|` summed in increasing `i`,
    /// `window` the number of band rows of the column.
    ///
    /// - Returns: `false` when the column's margin is not positive or not finite (no bound).
    @inline(__always)
    mutating func add(diagonal d: Double, offDiagonal off: Double, window: Int) -> Bool {
        let eps = Double.ulpOfOne, w = Double(window)
        let m = (d - off) - (w + 2) * eps * (d + off)
        guard m > 0 && m < .infinity else { return false }   // NaN fails
        margin = Swift.min(margin, m)
        norm = Swift.max(norm, d + off)
        slack = Swift.max(slack, w)
        return true
    }

    /// `min margin / (max column sum · (1 + (w + 2)ε)) · (1 − 4ε)`, in `(0, 1]`, or `0`.
    var bound: Double {
        let eps = Double.ulpOfOne
        let upperNorm = norm * (1 + (slack + 2) * eps)
        guard upperNorm.isFinite && upperNorm > 0 else { return 0 }
        let bound = margin / upperNorm * (1 - 4 * eps)
        return bound > 0 && bound.isFinite ? Swift.min(bound, 1) : 0
    }
}
