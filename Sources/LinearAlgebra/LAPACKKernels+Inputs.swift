/// Pointer-level input checks shared by the factorizations: copying a matrix
/// while measuring its 1-norm and finiteness in the same pass over memory.
extension LAPACKKernels {
    /// A copy of the column-major `m × n` matrix in `source`; sets `oneNorm`
    /// to its induced 1-norm `max_j Σ_i |a_ij|` and `firstNonFinite` to the
    /// column-major index of the first non-finite entry (`nil` when every
    /// entry is finite).
    ///
    /// The copy is returned directly (not in a tuple) so that the caller holds
    /// the only reference and can hand it to LAPACK without a copy-on-write.
    ///
    /// One pass: each entry is read once, written once and added to one of
    /// four partial column sums (independent chains, so the adds pipeline).
    /// A column whose sum is not finite is rescanned on the cold path; when
    /// its entries are all finite the sum overflowed and the norm saturates at
    /// `Double.greatestFiniteMagnitude`.
    static func copyMeasuringOneNorm(_ source: [Double], rows m: Int, columns n: Int,
                                     oneNorm: inout Double, firstNonFinite firstBad: inout Int?) -> [Double] {
        var norm = 0.0
        firstBad = nil
        let count = m * n
        // Capacity 0 would make the standard library store a count into the shared
        // empty-array storage (a ThreadSanitizer race between threads).
        guard count > 0 else {
            oneNorm = 0
            return []
        }
        let copy = [Double](unsafeUninitializedCapacity: count) { out, initialized in
            source.withUnsafeBufferPointer { src in
                for j in 0..<n {
                    let base = j * m
                    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                    var i = 0
                    while i + 4 <= m {
                        let v0 = src[base + i], v1 = src[base + i + 1]
                        let v2 = src[base + i + 2], v3 = src[base + i + 3]
                        out[base + i] = v0; out[base + i + 1] = v1
                        out[base + i + 2] = v2; out[base + i + 3] = v3
                        s0 += Swift.abs(v0); s1 += Swift.abs(v1)
                        s2 += Swift.abs(v2); s3 += Swift.abs(v3)
                        i += 4
                    }
                    while i < m {
                        let v = src[base + i]
                        out[base + i] = v
                        s0 += Swift.abs(v)
                        i += 1
                    }
                    let s = (s0 + s1) + (s2 + s3)
                    if s.isFinite {
                        if s > norm { norm = s }
                    } else if firstBad == nil {
                        if let bad = firstNonFinite(src, from: base, count: m) {
                            firstBad = bad
                        } else {
                            norm = Double.greatestFiniteMagnitude
                        }
                    }
                }
            }
            initialized = count
        }
        oneNorm = norm
        return copy
    }

    /// The index of the first non-finite entry of `x[from ..< from + count]`.
    @inline(never)
    static func firstNonFinite(_ x: UnsafeBufferPointer<Double>, from: Int, count: Int) -> Int? {
        for i in from..<(from + count) where !x[i].isFinite { return i }
        return nil
    }

    /// The 1-norm of the symmetric `n × n` matrix whose lower triangle is
    /// stored in `a` (column-major, the upper triangle is not read), and the
    /// column-major index of the first non-finite entry of that triangle.
    static func symmetricOneNormFromLower(_ a: [Double], order n: Int) -> (oneNorm: Double, firstNonFinite: Int?) {
        var sums = [Double](repeating: 0, count: n)
        var firstBad: Int? = nil
        a.withUnsafeBufferPointer { p in
            for j in 0..<n {
                for i in j..<n {
                    let v = p[i + j * n]
                    if !v.isFinite && firstBad == nil { firstBad = i + j * n }
                    let w = Swift.abs(v)
                    sums[j] += w
                    if i != j { sums[i] += w }
                }
            }
        }
        var norm = 0.0
        for s in sums { norm = Swift.max(norm, Swift.min(s, Double.greatestFiniteMagnitude)) }
        return (norm, firstBad)
    }

    /// Every entry of `a` finite? Otherwise the index of the first that is not.
    static func firstNonFinite(_ a: [Double]) -> Int? {
        a.withUnsafeBufferPointer { firstNonFinite($0, from: 0, count: $0.count) }
    }
}

/// The description of the entry at column-major `index` of an `m`-row matrix.
func entryDescription(_ index: Int, rows m: Int, of what: String) -> String {
    let (j, i) = m == 0 ? (0, 0) : index.quotientAndRemainder(dividingBy: m)
    return "\(what) has a non-finite entry at row \(i), column \(j)"
}
