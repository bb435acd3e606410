import LinearAlgebra

/// The loops of ``IncompleteCholeskyPreconditioner`` on raw buffers (kernel
/// helpers: no bounds or uniqueness checks inside the loops).
enum IncompleteCholeskyKernels {
    /// Why a factorization stopped.
    enum Failure {
        /// Row `i` of the lower triangle has no diagonal entry.
        case missingDiagonal(Int)
        /// The pivot `lᵢᵢ²` of row `i` is not positive (or not finite).
        case pivot(Int, Double)
    }

    /// The lower triangle of `a` by rows: row `i` holds the `(i, j)`, `j ≤ i`, in increasing `j`
    /// (a count and a fill over the columns of `a`; the diagonal, when stored, comes last).
    static func lowerRows(_ a: SparseMatrix) -> (pointers: [Int], columns: [Int], values: [Double]) {
        let n = a.rows
        let cp = a.pattern.columnPointers, ri = a.pattern.rowIndices, v = a.values
        var pointers = [Int](repeating: 0, count: n + 1)
        var total = 0
        cp.withUnsafeBufferPointer { cp in
            ri.withUnsafeBufferPointer { ri in
                pointers.withUnsafeMutableBufferPointer { pointers in
                    for j in 0..<n {
                        for k in cp[j]..<cp[j + 1] where ri[k] >= j { pointers[ri[k] + 1] += 1 }
                    }
                    for i in 0..<n { pointers[i + 1] += pointers[i] }
                    total = pointers[n]
                }
            }
        }
        var columns = [Int](repeating: 0, count: total)
        var values = [Double](repeating: 0, count: total)
        var next = pointers
        cp.withUnsafeBufferPointer { cp in
            ri.withUnsafeBufferPointer { ri in
                v.withUnsafeBufferPointer { v in
                    columns.withUnsafeMutableBufferPointer { columns in
                        values.withUnsafeMutableBufferPointer { values in
                            next.withUnsafeMutableBufferPointer { next in
                                for j in 0..<n {
                                    for k in cp[j]..<cp[j + 1] where ri[k] >= j {
                                        let i = ri[k], q = next[i]
                                        columns[q] = j
                                        values[q] = v[k]
                                        next[i] = q + 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (pointers, columns, values)
    }

    /// Factors the rows in place: on return each row holds `L`'s entries, its last (diagonal)
    /// entry `1 / lᵢᵢ`; the diagonal is read as `(1 + shift)·aᵢᵢ`.
    ///
    /// - Returns: `nil`, or the first failure (the buffers are then partly overwritten).
    static func factor(_ n: Int, _ pointers: UnsafeBufferPointer<Int>, _ columns: UnsafeBufferPointer<Int>,
                       _ l: UnsafeMutableBufferPointer<Double>, shift: Double) -> Failure? {
        for i in 0..<n {
            let start = pointers[i], end = pointers[i + 1]
            guard end > start, columns[end - 1] == i else { return .missingDiagonal(i) }
            let diagonal = end - 1
            var d = (1 + shift) * l[diagonal]
            for p in start..<diagonal {   // l_ij, j < i, increasing j
                let j = columns[p]
                // Σ_{k<j} l_ik l_jk over the common columns of rows i (so far) and j.
                var s = l[p], q = pointers[j], r = start
                let endJ = pointers[j + 1] - 1   // row j without its diagonal
                while q < endJ && r < p {
                    let cq = columns[q], cr = columns[r]
                    if cq == cr { s -= l[q] * l[r]; q += 1; r += 1 } else if cq < cr { q += 1 } else { r += 1 }
                }
                let lij = s * l[endJ]   // row j's last entry holds 1 / l_jj
                l[p] = lij
                d -= lij * lij
            }
            guard d > 0 && d.isFinite else { return .pivot(i, d) }   // NaN fails
            l[diagonal] = 1 / d.squareRoot()
        }
        // Unit-diagonal form: nᵢⱼ = lᵢⱼ / lⱼⱼ, δᵢ = 1 / lᵢᵢ² (rows in decreasing order, so that
        // each row still reads its columns' 1 / lⱼⱼ, j < i, before they are squared).
        for i in stride(from: n - 1, through: 0, by: -1) {
            let diagonal = pointers[i + 1] - 1
            for p in pointers[i]..<diagonal { l[p] *= l[pointers[columns[p] + 1] - 1] }
            l[diagonal] *= l[diagonal]
        }
        return nil
    }

    /// `z = (I + N)⁻ᵀ Δ⁻² (I + N)⁻¹ r` (the factor in unit-diagonal form): forward substitution by
    /// rows, then backward by the same rows (a scatter along `(I + N)ᵀ`'s columns).
    ///
    /// The neighbour `i − 1`, when row `i` holds it (last among the off-diagonals: columns
    /// increase), is carried in a register from one row to the next instead of a store and a
    /// reload: on stencil patterns that is the recurrence that bounds both sweeps.
    static func sweeps(_ n: Int, _ r: UnsafeBufferPointer<Double>, _ z: UnsafeMutableBufferPointer<Double>,
                       _ rowPointers: UnsafeBufferPointer<Int>, _ columnIndices: UnsafeBufferPointer<Int>,
                       _ factors: UnsafeBufferPointer<Double>) {
        var previous = 0.0   // w[i − 1]
        for i in 0..<n {   // (I + N) w = r
            let start = rowPointers[i], diagonal = rowPointers[i + 1] - 1
            let carried = diagonal > start && columnIndices[diagonal - 1] == i - 1
            let end = carried ? diagonal - 1 : diagonal
            var s = r[i]
            for p in start..<end { s -= factors[p] * z[columnIndices[p]] }
            if carried { s -= factors[end] * previous }
            previous = s
            z[i] = s
        }
        for i in 0..<n { z[i] *= factors[rowPointers[i + 1] - 1] }   // Δ⁻² w
        var pendingFactor = 0.0, pendingValue = 0.0   // row i + 1's n_{i+1,i} and z[i + 1]
        for i in stride(from: n - 1, through: 0, by: -1) {   // (I + N)ᵀ z = Δ⁻² w, by rows of N
            let start = rowPointers[i], diagonal = rowPointers[i + 1] - 1
            let zi = z[i] - pendingFactor * pendingValue
            z[i] = zi
            let carried = diagonal > start && columnIndices[diagonal - 1] == i - 1
            let end = carried ? diagonal - 1 : diagonal
            for p in start..<end { z[columnIndices[p]] -= factors[p] * zi }
            pendingFactor = carried ? factors[end] : 0
            pendingValue = zi
        }
    }
}
