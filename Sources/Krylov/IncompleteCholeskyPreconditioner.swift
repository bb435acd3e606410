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
//     (`KrylovError.preconditionerBreakdown`); no diagonal shift is tried.
//  3. Only the lower triangle of A is read; symmetry is the caller's promise.

/// The IC(0) preconditioner `M = L Lᵀ` of a symmetric positive definite
/// sparse matrix, for conjugate gradients.
///
/// ```
/// apply:  z = L⁻ᵀ L⁻¹ r     (symmetric: the transposed application is the same)
/// ```
public struct IncompleteCholeskyPreconditioner: Preconditioner, Sendable {
    /// Row `i` of `L`: entries `rowPointers[i] ..< rowPointers[i + 1]`, the diagonal last.
    let rowPointers: [Int]
    /// The column of each entry, increasing within a row.
    let columnIndices: [Int]
    /// The entries of `L`, except that each row's last entry holds `1 / lᵢᵢ`
    /// (the triangular sweeps multiply by it instead of dividing).
    let factors: [Double]

    /// Factors the lower triangle of `a` incompletely.
    ///
    /// - Parameter a: a square sparse matrix, symmetric positive definite,
    ///   its diagonal stored (only the lower triangle is read).
    /// - Throws: ``KrylovError/invalidOptions(_:)`` when `a` is not square;
    ///   ``KrylovError/preconditionerBreakdown(_:)`` when a diagonal entry is
    ///   missing or a pivot is not positive.
    public init(_ a: SparseMatrix) throws(KrylovError) {
        guard a.isSquare else {
            throw .invalidOptions("IncompleteCholeskyPreconditioner: the matrix is \(a.rows)×\(a.columns), not square")
        }
        let rowsOfA = a.transposed()
        let n = a.rows
        var pointers = [0], columns: [Int] = [], l: [Double] = []
        for i in 0..<n {
            let start = columns.count
            for p in rowsOfA.pattern.columnPointers[i]..<rowsOfA.pattern.columnPointers[i + 1] {
                let j = rowsOfA.pattern.rowIndices[p]
                if j > i { break }
                columns.append(j)
                l.append(rowsOfA.values[p])
            }
            guard columns.last == i else { throw .preconditionerBreakdown("row \(i) has no diagonal entry") }
            let diagonal = columns.count - 1
            for p in start..<diagonal {   // l_ij, j < i, increasing j
                let j = columns[p]
                // Σ_{k<j} l_ik l_jk over the common columns of rows i (so far) and j.
                var s = l[p], q = pointers[j], r = start
                let endJ = pointers[j + 1] - 1   // row j without its diagonal
                while q < endJ && r < p {
                    if columns[q] == columns[r] { s -= l[q] * l[r]; q += 1; r += 1 }
                    else if columns[q] < columns[r] { q += 1 } else { r += 1 }
                }
                l[p] = s / l[pointers[j + 1] - 1]
            }
            var d = l[diagonal]
            for p in start..<diagonal { d -= l[p] * l[p] }
            guard d > 0 && d.isFinite else {
                throw .preconditionerBreakdown("pivot l[\(i), \(i)]² = \(d) is not positive")
            }
            l[diagonal] = d.squareRoot()
            pointers.append(columns.count)
        }
        rowPointers = pointers
        columnIndices = columns
        for i in 0..<n { l[pointers[i + 1] - 1] = 1 / l[pointers[i + 1] - 1] }
        factors = l
    }

    /// Writes `z = L⁻ᵀ L⁻¹ r`.
    public func apply(_ r: [Double], into z: inout [Double]) {
        let n = rowPointers.count - 1
        precondition(r.count == n && z.count == n, "IncompleteCholeskyPreconditioner.apply: lengths \(r.count), \(z.count) for order \(n)")
        r.withUnsafeBufferPointer { r in
            z.withUnsafeMutableBufferPointer { z in
                rowPointers.withUnsafeBufferPointer { rowPointers in
                    columnIndices.withUnsafeBufferPointer { columnIndices in
                        factors.withUnsafeBufferPointer { factors in
                            Self.sweeps(n, r, z, rowPointers, columnIndices, factors)
                        }
                    }
                }
            }
        }
    }

    /// The two triangular sweeps of ``apply(_:into:)`` on the factor's buffers
    /// (a kernel helper: no bounds or uniqueness checks in the loops).
    private static func sweeps(_ n: Int, _ r: UnsafeBufferPointer<Double>, _ z: UnsafeMutableBufferPointer<Double>,
                               _ rowPointers: UnsafeBufferPointer<Int>, _ columnIndices: UnsafeBufferPointer<Int>,
                               _ factors: UnsafeBufferPointer<Double>) {
        for i in 0..<n {   // L y = r
            var s = r[i]
            let diagonal = rowPointers[i + 1] - 1
            for p in rowPointers[i]..<diagonal { s -= factors[p] * z[columnIndices[p]] }
            z[i] = s * factors[diagonal]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {   // Lᵀ z = y, by rows of L
            let diagonal = rowPointers[i + 1] - 1
            let zi = z[i] * factors[diagonal]
            z[i] = zi
            for p in rowPointers[i]..<diagonal { z[columnIndices[p]] -= factors[p] * zi }
        }
    }
}
