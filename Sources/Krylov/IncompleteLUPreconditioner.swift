import LinearAlgebra

// ILU(0): the incomplete LU factorization with no fill-in.
// Reference: Y. Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed.,
// SIAM 2003, §10.3.2, Algorithm 10.4 (ILU(0), IKJ variant on rows).
//
//     A ≈ L U,  L unit lower triangular, U upper triangular,
//     both with the pattern of A (entries outside it are dropped)
//
// Deviations from the textbook:
//  1. The input is compressed by columns; the factorization runs on its rows
//     (the transpose, O(nnz)) and keeps L and U in the rows of A's pattern.
//  2. A missing, zero or non-finite pivot uᵢᵢ is a typed error
//     (`KrylovError.preconditionerBreakdown`), not a division by zero.
//  3. The transposed application solves Uᵀ then Lᵀ, column-oriented on the
//     same rows: M⁻ᵀ = L⁻ᵀ U⁻ᵀ, for transposed Krylov solves.

/// The ILU(0) preconditioner `M = L U` of a square sparse matrix.
///
/// ```
/// apply:            z = U⁻¹ L⁻¹ r       (forward, then backward substitution)
/// applyTransposed:  z = L⁻ᵀ U⁻ᵀ r       (Uᵀ first, then Lᵀ)
/// ```
///
/// Cost: factoring `O(Σᵢ Σ_{k<i, aᵢₖ≠0} nnz(row k))`, each application `2 nnz` multiply–adds.
public struct IncompleteLUPreconditioner: Preconditioner, Sendable {
    /// Row `i`'s entries are `rowPointers[i] ..< rowPointers[i + 1]`.
    let rowPointers: [Int]
    /// The column of each entry, increasing within a row.
    let columnIndices: [Int]
    /// `L` (strictly lower part, unit diagonal implied) and `U` (upper part with diagonal).
    let factors: [Double]
    /// The position of `uᵢᵢ` in row `i`.
    let diagonalPositions: [Int]

    /// Factors `a` incompletely, keeping its pattern.
    ///
    /// - Parameter a: a square sparse matrix whose diagonal is stored.
    /// - Throws: ``KrylovError/invalidOptions(_:)`` when `a` is not square;
    ///   ``KrylovError/preconditionerBreakdown(_:)`` when a pivot is missing,
    ///   zero or not finite.
    public init(_ a: SparseMatrix) throws(KrylovError) {
        guard a.isSquare else {
            throw .invalidOptions("IncompleteLUPreconditioner: the matrix is \(a.rows)×\(a.columns), not square")
        }
        let rowsOfA = a.transposed()   // column i of the transpose: row i of A
        let n = a.rows
        let pointers = rowsOfA.pattern.columnPointers, columns = rowsOfA.pattern.rowIndices
        var w = rowsOfA.values
        var diagonal = [Int](repeating: -1, count: n)
        var positionInRow = [Int](repeating: -1, count: n)   // column → position in the current row
        for i in 0..<n {
            for p in pointers[i]..<pointers[i + 1] { positionInRow[columns[p]] = p }
            guard let d = positionInRow[i] >= pointers[i] ? positionInRow[i] : nil else {
                throw .preconditionerBreakdown("row \(i) has no diagonal entry")
            }
            diagonal[i] = d
            for p in pointers[i]..<d {   // k = columns[p] < i, increasing
                let k = columns[p]
                w[p] /= w[diagonal[k]]
                let lik = w[p]
                for q in (diagonal[k] + 1)..<pointers[k + 1] {   // u_kj, j > k
                    let target = positionInRow[columns[q]]
                    if target >= pointers[i] { w[target] -= lik * w[q] }
                }
            }
            guard w[d] != 0 && w[d].isFinite else {
                throw .preconditionerBreakdown("pivot u[\(i), \(i)] = \(w[d])")
            }
            for p in pointers[i]..<pointers[i + 1] { positionInRow[columns[p]] = -1 }
        }
        rowPointers = pointers
        columnIndices = columns
        factors = w
        diagonalPositions = diagonal
    }

    /// The order `n`.
    public var order: Int? { diagonalPositions.count }

    /// Writes `z = U⁻¹ L⁻¹ r`.
    public func apply(_ r: [Double], into z: inout [Double]) {
        let n = diagonalPositions.count
        precondition(r.count == n && z.count == n, "IncompleteLUPreconditioner.apply: lengths \(r.count), \(z.count) for order \(n)")
        withBuffers(r, &z) { IncompleteLUKernels.solve(n, $0, $1, $2, $3, $4, $5) }
    }

    /// Writes `z = L⁻ᵀ U⁻ᵀ r`: `Uᵀ w = r` (forward, by columns of `Uᵀ` = rows of `U`), then `Lᵀ z = w`.
    public func applyTransposed(_ r: [Double], into z: inout [Double]) {
        let n = diagonalPositions.count
        precondition(r.count == n && z.count == n, "IncompleteLUPreconditioner.applyTransposed: lengths \(r.count), \(z.count) for order \(n)")
        withBuffers(r, &z) { IncompleteLUKernels.solveTransposed(n, $0, $1, $2, $3, $4, $5) }
    }

    /// Runs `body(r, z, rowPointers, columnIndices, factors, diagonalPositions)` on raw buffers.
    private func withBuffers(_ r: [Double], _ z: inout [Double],
                             _ body: (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>,
                                      UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int>, UnsafeBufferPointer<Double>,
                                      UnsafeBufferPointer<Int>) -> Void) {
        r.withUnsafeBufferPointer { r in
            z.withUnsafeMutableBufferPointer { z in
                rowPointers.withUnsafeBufferPointer { rp in
                    columnIndices.withUnsafeBufferPointer { ci in
                        factors.withUnsafeBufferPointer { f in
                            diagonalPositions.withUnsafeBufferPointer { d in body(r, z, rp, ci, f, d) }
                        }
                    }
                }
            }
        }
    }
}

/// The triangular sweeps of ``IncompleteLUPreconditioner`` on raw buffers (kernel helpers: no
/// bounds or uniqueness checks inside the loops).
enum IncompleteLUKernels {
    /// `z = U⁻¹ L⁻¹ r`: `L y = r` forward (unit diagonal), then `U z = y` backward, by rows.
    static func solve(_ n: Int, _ r: UnsafeBufferPointer<Double>, _ z: UnsafeMutableBufferPointer<Double>,
                      _ rowPointers: UnsafeBufferPointer<Int>, _ columnIndices: UnsafeBufferPointer<Int>,
                      _ factors: UnsafeBufferPointer<Double>, _ diagonal: UnsafeBufferPointer<Int>) {
        for i in 0..<n {
            var s = r[i]
            for p in rowPointers[i]..<diagonal[i] { s -= factors[p] * z[columnIndices[p]] }
            z[i] = s
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = z[i]
            for p in (diagonal[i] + 1)..<rowPointers[i + 1] { s -= factors[p] * z[columnIndices[p]] }
            z[i] = s / factors[diagonal[i]]
        }
    }

    /// `z = L⁻ᵀ U⁻ᵀ r`: `Uᵀ w = r` forward by rows of `U` (scatter), then `Lᵀ z = w` backward by rows of `L`.
    static func solveTransposed(_ n: Int, _ r: UnsafeBufferPointer<Double>, _ z: UnsafeMutableBufferPointer<Double>,
                                _ rowPointers: UnsafeBufferPointer<Int>, _ columnIndices: UnsafeBufferPointer<Int>,
                                _ factors: UnsafeBufferPointer<Double>, _ diagonal: UnsafeBufferPointer<Int>) {
        for i in 0..<n { z[i] = r[i] }
        for i in 0..<n {
            let wi = z[i] / factors[diagonal[i]]
            z[i] = wi
            for p in (diagonal[i] + 1)..<rowPointers[i + 1] { z[columnIndices[p]] -= factors[p] * wi }
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            let zi = z[i]
            for p in rowPointers[i]..<diagonal[i] { z[columnIndices[p]] -= factors[p] * zi }
        }
    }
}
