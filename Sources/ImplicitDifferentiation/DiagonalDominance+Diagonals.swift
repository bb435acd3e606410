import LinearAlgebra

extension DiagonalDominance {
    /// The sums of ``DiagonalDominance/init(_:symmetryTolerance:)`` read from `A` stored by diagonals:
    /// a pass over each off-diagonal run (contiguous, no index per entry) instead of the CSC columns.
    ///
    /// ```
    /// rowOff_i    = Σ_{t, oₜ≠0} |a_{i,i+oₜ}|          colOff_j = Σ_{t, oₜ≠0} |a_{j−oₜ,j}|
    /// scaledOff_i = Σ_{t, oₜ≠0} |a_{i,i+oₜ}| / √(|a_ii| |a_{i+oₜ,i+oₜ}|)
    /// symmetric   ⇔ |a_{i,i+o} − a_{i+o,i}| ≤ tolerance · max(|a_{i,i+o}|, |a_{i+o,i}|)  for every o > 0, i
    /// ```
    ///
    /// Entries outside the stored diagonals, and holes in them, read `0` (as the full symmetry test
    /// reads a missing mirror), so the symmetry answer is ``LinearAlgebra/SparseMatrix/symmetry(tolerance:)``'s;
    /// `exact` means every entry equals its mirror's value (a hole equals an explicit zero).
    ///
    /// - Parameters:
    ///   - d: the square `A` by diagonals.
    ///   - symmetryTolerance: when given, the relative tolerance of the symmetry test made with the sums.
    /// - Returns: `nil` when `A` is empty, not square, or has no main diagonal or a zero on it.
    init?(_ d: DiagonalOffsetMatrix, symmetryTolerance: Double? = nil) {
        let m = d.rows
        guard m > 0, d.columns == m, let main = d.offsets.firstIndex(of: 0) else { return nil }
        let values = d.values, offsets = d.offsets
        let signed = Array(values[main * m ..< (main + 1) * m])
        guard signed.allSatisfy({ abs($0) > 0 }) else { return nil }   // NaN fails
        var rowOff = [Double](repeating: 0, count: m), scaledRowOff = rowOff, columnOff = rowOff
        let scale = DiagonalRunKernel.inverseSquareRoots(signed)
        var symmetric = true, exact = true
        values.withUnsafeBufferPointer { v in
            scale.withUnsafeBufferPointer { s in
                rowOff.withUnsafeMutableBufferPointer { row in
                    scaledRowOff.withUnsafeMutableBufferPointer { scaled in
                        columnOff.withUnsafeMutableBufferPointer { column in
                            guard let vp = v.baseAddress, let sp = s.baseAddress, let rp = row.baseAddress,
                                  let qp = scaled.baseAddress, let cp = column.baseAddress else { return }
                            for (t, o) in offsets.enumerated() where o != 0 {
                                // Rows i with the column i + o inside A.
                                let first = Swift.max(0, -o), end = Swift.min(m, m - o)
                                DiagonalRunKernel.sums(vp + t * m, sp, sp + o, rp, qp, cp + o, first..<end)
                                guard let tolerance = symmetryTolerance, symmetric else { continue }
                                let mirror = offsets.firstIndex(of: -o)
                                if o < 0 && mirror != nil { continue }   // compared from its positive partner
                                let run = vp + t * m
                                if let mirror {
                                    // Entry (i, i + o) against (i + o, i), stored at row i + o of the mirror run.
                                    let partner = vp + mirror * m + o
                                    for i in first..<end {
                                        let a = run[i], b = partner[i]
                                        if a != b { exact = false }
                                        if !(abs(a - b) <= tolerance * Swift.max(abs(a), abs(b))) { symmetric = false; break }
                                    }
                                } else {
                                    // No mirror diagonal: every mirror reads 0.
                                    for i in first..<end where run[i] != 0 { exact = false; symmetric = false; break }
                                }
                            }
                        }
                    }
                }
            }
        }
        var columnNormMax = 0.0, columnMargin = Double.infinity
        for i in 0..<m {
            let a = abs(signed[i])
            columnNormMax = Swift.max(columnNormMax, a + columnOff[i])
            columnMargin = Swift.min(columnMargin, a - columnOff[i])
        }
        self.init(diagonal: signed, rowOff: rowOff, scaledRowOff: scaledRowOff,
                  column: (columnNormMax, columnMargin),
                  symmetry: symmetryTolerance == nil ? nil : (symmetric, symmetric && exact))
    }
}

/// The sums of one off-diagonal run for ``DiagonalDominance`` (a kernel helper: raw pointers, no
/// bounds checks; the caller shifts `scaleAcross` and `column` by the run's offset).
enum DiagonalRunKernel {
    /// `1/√|dᵢ|` for every entry, on SIMD2 lanes (a square root and a division per pair).
    static func inverseSquareRoots(_ d: [Double]) -> [Double] {
        var s = [Double](repeating: 0, count: d.count)
        d.withUnsafeBufferPointer { d in
            s.withUnsafeMutableBufferPointer { s in
                guard let dp = d.baseAddress, let sp = s.baseAddress else { return }
                let one = SIMD2<Double>(repeating: 1)
                var i = 0
                while i + 2 <= d.count {
                    let v = SIMD2(dp[i], dp[i + 1])
                    let r = one / SIMD2(abs(v.x), abs(v.y)).squareRoot()
                    sp[i] = r.x
                    sp[i + 1] = r.y
                    i += 2
                }
                if i < d.count { sp[i] = 1 / abs(dp[i]).squareRoot() }
            }
        }
        return s
    }

    /// For `i` in `range`: `row[i] += |v[i]|`, `scaled[i] += |v[i]|·scale[i]·scaleAcross[i]`,
    /// `column[i] += |v[i]|`.
    @inline(__always)
    static func sums(_ v: UnsafePointer<Double>, _ scale: UnsafePointer<Double>, _ scaleAcross: UnsafePointer<Double>,
                     _ row: UnsafeMutablePointer<Double>, _ scaled: UnsafeMutablePointer<Double>,
                     _ column: UnsafeMutablePointer<Double>, _ range: Range<Int>) {
        for i in range {
            let a = abs(v[i])
            row[i] += a
            scaled[i] += a * scale[i] * scaleAcross[i]
            column[i] += a
        }
    }
}
