/// The loop of ``DiagonalDominance`` on raw buffers (a kernel helper: no bounds
/// checks inside the loops; the caller passes a square CSC matrix of order `m`).
enum DiagonalDominanceKernel {
    /// The diagonal (signed), the off-diagonal row sums `Σ_{j≠i} |a_ij|` and their Jacobi-scaled
    /// form `Σ_{j≠i} |a_ij| / √(|a_ii| |a_jj|)`, and the column norm and margin:
    ///
    /// ```
    /// normMax = max_j (|a_jj| + Σ_{i≠j} |a_ij|),   margin = min_j (|a_jj| − Σ_{i≠j} |a_ij|)
    /// ```
    ///
    /// When `mirrors` is given, every off-diagonal entry is also handed to it in the same pass
    /// (the symmetry test, ``MirrorScan``).
    ///
    /// - Returns: `(normMax, margin)`, or `nil` when a diagonal entry is zero or missing
    ///   (`diagonal` then holds the diagonal; the row sums are not filled, nor is `mirrors` run).
    static func sums(_ m: Int, _ p: UnsafeBufferPointer<Int>, _ row: UnsafeBufferPointer<Int>,
                     _ v: UnsafeBufferPointer<Double>, diagonal: UnsafeMutableBufferPointer<Double>,
                     rowOff: UnsafeMutableBufferPointer<Double>, scaledRowOff: UnsafeMutableBufferPointer<Double>,
                     mirrors: inout MirrorScan?)
        -> (normMax: Double, margin: Double)?
    {
        var allNonZero = true
        for j in 0..<m {
            for k in p[j]..<p[j + 1] where row[k] == j { diagonal[j] = v[k] }
            allNonZero = allNonZero && abs(diagonal[j]) > 0   // NaN fails
        }
        guard allNonZero else { return nil }
        var scale = [Double](repeating: 0, count: m)
        for j in 0..<m { scale[j] = 1 / abs(diagonal[j]).squareRoot() }
        var normMax = 0.0, margin = Double.infinity
        scale.withUnsafeBufferPointer { scale in
            for j in 0..<m {
                var off = 0.0
                let sj = scale[j]
                for k in p[j]..<p[j + 1] {
                    let i = row[k]
                    if i == j { continue }
                    mirrors?.visit(i, j, k, p, row, v)
                    let x = abs(v[k])
                    off += x
                    rowOff[i] += x
                    scaledRowOff[i] += x * scale[i] * sj
                }
                let d = abs(diagonal[j])
                normMax = Swift.max(normMax, d + off)
                margin = Swift.min(margin, d - off)
            }
        }
        return (normMax, margin)
    }
}
