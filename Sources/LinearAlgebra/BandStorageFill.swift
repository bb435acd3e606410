/// LAPACK band storage filled from the compressed columns of a square sparse
/// matrix in one pass, with the matrix's 1-norm and the certified lower bound
/// of its reciprocal condition number from diagonal dominance by columns
/// (``BandSolveKernels/diagonalDominanceBound(_:order:lower:upper:)``) taken
/// on the way, so that the band is not read again before it is factored.
///
/// ```
/// ab[kl + ku + i − j + j·ldab] = a_ij      (i, j) stored, |i − j| inside the band
/// ab[r + j·ldab]               = 0         every other slot (fill-in rows included)
/// ‖A‖₁ = max_j Σ_i |a_ij|,   β_j = |a_jj| − Σ_{i≠j} |a_ij|   (as the bound's own pass computes them)
/// ```
extension BandSolveKernels {
    /// Writes every slot of the band storage `ab` (`ldab × n`, ``bandLeadingDimension(lower:upper:)``)
    /// from the compressed columns `cp`, `ri`, `values` of an `n × n` matrix.
    ///
    /// - Parameters:
    ///   - oneNorm: set to `‖A‖₁` (a non-finite column sum counts as the largest finite double).
    ///   - dominanceBound: set to the certified bound, bit for bit what
    ///     ``diagonalDominanceBound(_:order:lower:upper:)`` gives on the filled storage.
    /// - Returns: `false` when a stored entry lies outside the band (it is not written).
    static func fillBand(columnPointers cp: UnsafePointer<Int>, rowIndices ri: UnsafePointer<Int>,
                         values: UnsafePointer<Double>, order n: Int, lower kl: Int, upper ku: Int,
                         into ab: UnsafeMutablePointer<Double>, oneNorm: inout Double,
                         dominanceBound: inout Double) -> Bool {
        let ldab = bandLeadingDimension(lower: kl, upper: ku), kv = kl + ku
        var inside = true, dominant = true, norm = 0.0
        var dominance = DominanceBound()
        // One fill of the whole storage (a zeroing loop per column becomes a call per column).
        ab.initialize(repeating: 0, count: ldab * n)
        for j in 0..<n {
            let column = ab + j * ldab
            var sum = 0.0, off = 0.0, diagonal = 0.0
            for k in cp[j]..<cp[j + 1] {
                let i = ri[k]
                guard i - j <= kl && j - i <= ku else { inside = false; continue }
                let v = values[k], magnitude = Swift.abs(v)
                column[kv + i - j] = v
                sum += magnitude
                if i == j { diagonal = magnitude } else { off += magnitude }
            }
            norm = Swift.max(norm, Swift.min(sum, Double.greatestFiniteMagnitude))   // sum ≥ 0, not NaN
            if dominant {
                let window = Swift.min(n - 1, j + kl) - Swift.max(0, j - ku) + 1
                dominant = dominance.add(diagonal: diagonal, offDiagonal: off, window: window)
            }
        }
        oneNorm = norm
        dominanceBound = n == 0 ? 1 : dominant ? dominance.bound : 0
        return inside
    }
}
