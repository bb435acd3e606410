/// A real sparse matrix in compressed sparse column (CSC) form, with value semantics.
///
/// The invariant: ``pattern`` satisfies the ``SparsityPattern`` invariant and
/// `values.count == pattern.nonZeroCount`, every value finite; `values[k]` is
/// the entry at row `pattern.rowIndices[k]` of the column whose range holds `k`.
///
/// ```
/// A = [ 4 0 1 ]     columnPointers = [0, 2, 3, 5]
///     [ 2 5 0 ]     rowIndices     = [0, 1, 1, 0, 2]
///     [ 0 0 3 ]     values         = [4, 2, 5, 1, 3]
/// ```
///
/// Stored entries may be zero (an explicit zero is part of the pattern).
/// Products cost `O(nnz)`; nothing here forms a dense `rows × columns` array
/// except ``dense(memoryLimit:)``.
public struct SparseMatrix: Sendable, Equatable, Hashable {
    /// Where the entries are.
    public let pattern: SparsityPattern
    /// The entries, in the order of `pattern.rowIndices`.
    public let values: [Double]

    /// Creates a matrix from a pattern and its values, checking that they are finite.
    ///
    /// - Parameters:
    ///   - pattern: the positions of the entries.
    ///   - values: `pattern.nonZeroCount` finite entries, in the pattern's order.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` for a wrong
    ///   number of values; ``LinearAlgebraError/nonFiniteInput(_:)`` naming
    ///   the first NaN or ±∞ by its row and column.
    public init(pattern: SparsityPattern, values: [Double]) throws(LinearAlgebraError) {
        guard values.count == pattern.nonZeroCount else {
            throw .dimensionMismatch("SparseMatrix: \(values.count) values for a pattern of \(pattern.nonZeroCount) entries")
        }
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            let j = pattern.columnPointers.lastIndex { $0 <= k }!   // the column whose range holds k
            throw .nonFiniteInput("SparseMatrix: entry (\(pattern.rowIndices[k]), \(j)) is \(values[k])")
        }
        self.pattern = pattern
        self.values = values
    }

    /// Creates a matrix from compressed columns, checking structure and values.
    ///
    /// - Parameters:
    ///   - rows: number of rows, `≥ 0`.
    ///   - columns: number of columns, `≥ 0`.
    ///   - columnPointers: `columns + 1` non-decreasing offsets from `0` to `nnz`.
    ///   - rowIndices: rows of the entries, strictly increasing within each column.
    ///   - values: the `nnz` finite entries.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for a bad
    ///   structure, ``LinearAlgebraError/dimensionMismatch(_:)``, or
    ///   ``LinearAlgebraError/nonFiniteInput(_:)``.
    public init(rows: Int, columns: Int, columnPointers: [Int], rowIndices: [Int],
                values: [Double]) throws(LinearAlgebraError) {
        try self.init(pattern: SparsityPattern(rows: rows, columns: columns, columnPointers: columnPointers,
                                               rowIndices: rowIndices),
                      values: values)
    }

    /// A matrix whose pattern and values are known to be valid (not checked).
    package init(unchecked pattern: SparsityPattern, _ values: [Double]) {
        self.pattern = pattern
        self.values = values
    }

    /// The sparse form of a dense matrix: its non-zero entries.
    ///
    /// - Parameter a: a matrix with finite entries.
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(_:)`` for a NaN or ±∞ entry.
    public init(_ a: Matrix) throws(LinearAlgebraError) {
        let p = SparsityPattern(nonZerosOf: a)
        var v = [Double]()
        v.reserveCapacity(p.nonZeroCount)
        for j in 0..<a.columns {
            for i in p.rows(inColumn: j) { v.append(a.elements[i + j * a.rows]) }
        }
        try self.init(pattern: p, values: v)
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> SparseMatrix {
        SparseMatrix(unchecked: SparsityPattern(unchecked: n, n, Array(0...n), Array(0..<n)),
                     [Double](repeating: 1, count: n))
    }

    /// Number of rows.
    @inlinable public var rows: Int { pattern.rows }
    /// Number of columns.
    @inlinable public var columns: Int { pattern.columns }
    /// Number of stored entries.
    @inlinable public var nonZeroCount: Int { pattern.nonZeroCount }
    /// `true` when `rows == columns`.
    @inlinable public var isSquare: Bool { rows == columns }
    /// The smallest band `(kl, ku)` that holds every stored entry.
    public var bandwidths: (lower: Int, upper: Int) { pattern.bandwidths }

    /// The entry `(i, j)`: the stored value, or 0 outside the pattern.
    public subscript(i: Int, j: Int) -> Double {
        precondition(i >= 0 && i < rows && j >= 0 && j < columns,
                     "SparseMatrix: index (\(i), \(j)) out of bounds for \(rows)×\(columns)")
        return pattern.position(row: i, column: j).map { values[$0] } ?? 0
    }

    /// The diagonal `A[i, i]`, `i < min(rows, columns)` (0 where not stored).
    public var diagonalElements: [Double] {
        let count = Swift.min(rows, columns)
        var d = [Double](repeating: 0, count: count)
        withUnsafeBuffers { p, r, v in
            d.withUnsafeMutableBufferPointer { d in
                for j in 0..<count {
                    for k in p[j]..<p[j + 1] where r[k] >= j {
                        if r[k] == j { d[j] = v[k] }
                        break
                    }
                }
            }
        }
        return d
    }

    /// The dense form, `rows × columns` doubles, allocated only when it fits the limit.
    ///
    /// - Parameter memoryLimit: the largest dense array, in bytes, that may be
    ///   allocated (default: half of the physical memory, as the sparse factorizations).
    /// - Returns: the matrix with every entry outside the pattern zero.
    /// - Throws: ``LinearAlgebraError/memoryLimitExceeded(estimatedBytes:limitBytes:)``
    ///   before allocating `8 · rows · columns` bytes above the limit.
    public func dense(memoryLimit: Int = sparseFactorMemoryLimit) throws(LinearAlgebraError) -> Matrix {
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        let bytes = overflow || count > Int.max / 8 ? Int.max : 8 * count
        guard bytes <= memoryLimit else { throw .memoryLimitExceeded(estimatedBytes: bytes, limitBytes: memoryLimit) }
        var a = Matrix(rows: rows, columns: columns)
        a.elements.withUnsafeMutableBufferPointer { e in
            for j in 0..<columns {
                for k in pattern.columnPointers[j]..<pattern.columnPointers[j + 1] {
                    e[pattern.rowIndices[k] + j * rows] = values[k]
                }
            }
        }
        return a
    }

    /// The transpose `Aᵀ` in CSC form (the CSR form of `A`), `O(nnz)`.
    public func transposed() -> SparseMatrix {
        let (p, source) = pattern.transposedWithPermutation()
        return SparseMatrix(unchecked: p, source.map { values[$0] })
    }

    /// `true` when `A` is square and `|aᵢⱼ − aⱼᵢ| ≤ tolerance · max(|aᵢⱼ|, |aⱼᵢ|)`
    /// for every entry (an entry outside the pattern counts as 0). First the
    /// entries below the diagonal, each with a binary search for its mirror:
    /// when every one has a stored mirror and there are as many entries above
    /// the diagonal, those are exactly the mirrors (the map is one-to-one) and
    /// the answer is read from this half; otherwise one pass over every entry.
    ///
    /// ```
    /// symmetric  ⇔  A = Aᵀ  (to the relative tolerance, entry by entry)
    /// ```
    ///
    /// - Parameter tolerance: the relative tolerance, `≥ 0` (default `0`: exact).
    /// - Returns: `false` for a non-square matrix, or when a comparison is NaN.
    public func isSymmetric(tolerance: Double = 0) -> Bool {
        symmetry(tolerance: tolerance).symmetric
    }

    /// ``isSymmetric(tolerance:)``, and whether the matrix is exactly symmetric, from the same pass:
    /// `exact` is `true` only when every entry below the diagonal has a stored mirror of equal value
    /// and the upper half has no other entry (`Aᵀ x` then equals `A x` bit for bit).
    ///
    /// - Parameter tolerance: the relative tolerance of `symmetric`, `≥ 0`.
    /// - Returns: `symmetric` as ``isSymmetric(tolerance:)``; `exact` (never `true` when `symmetric` is `false`).
    package func symmetry(tolerance: Double) -> (symmetric: Bool, exact: Bool) {
        guard rows == columns else { return (false, false) }
        var exact = true
        let half = pattern.columnPointers.withUnsafeBufferPointer { start in
            pattern.rowIndices.withUnsafeBufferPointer { row in
                values.withUnsafeBufferPointer { value in
                    SparseMatrixKernels.lowerHalfSymmetry(columns: columns, start, row, value, tolerance: tolerance,
                                                          exact: &exact)
                }
            }
        }
        if let half { return (half, half && exact) }
        return (fullSymmetry(tolerance: tolerance), false)
    }

    /// The symmetry test entry by entry (a missing mirror reads as 0).
    private func fullSymmetry(tolerance: Double) -> Bool {
        return pattern.columnPointers.withUnsafeBufferPointer { start in
            pattern.rowIndices.withUnsafeBufferPointer { row in
                values.withUnsafeBufferPointer { value in
                    for j in 0..<columns {
                        for k in start[j]..<start[j + 1] {
                            let i = row[k]
                            if i == j { continue }
                            // The mirror entry (j, i): a binary search in column i (rows sorted).
                            var low = start[i], high = start[i + 1]
                            while low < high {
                                let mid = (low + high) / 2
                                if row[mid] < j { low = mid + 1 } else { high = mid }
                            }
                            let a = value[k], b = low < start[i + 1] && row[low] == j ? value[low] : 0
                            guard Swift.abs(a - b) <= tolerance * Swift.max(Swift.abs(a), Swift.abs(b)) else {
                                return false
                            }
                        }
                    }
                    return true
                }
            }
        }
    }

    /// `y = A x`, `O(nnz)`.
    ///
    /// - Parameters:
    ///   - a: the matrix, `rows × columns`.
    ///   - x: a vector of length `columns` (a mismatch is a precondition failure).
    /// - Returns: `A x`, length `rows`.
    public static func * (a: SparseMatrix, x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: a.rows)
        a.multiply(x, into: &y)
        return y
    }

    /// `y = A x` into a buffer of length `rows`, overwritten.
    ///
    /// - Parameters:
    ///   - x: length `columns`.
    ///   - y: length `rows`; overwritten, never reallocated.
    public func multiply(_ x: [Double], into y: inout [Double]) {
        precondition(x.count == columns, "SparseMatrix * x: x has \(x.count) entries, A is \(rows)×\(columns)")
        precondition(y.count == rows, "SparseMatrix.multiply: y has \(y.count) entries, A has \(rows) rows")
        let n = columns
        withUnsafeBuffers { p, r, v in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in SparseMatrixKernels.multiply(columns: n, p, r, v, x, y) }
            }
        }
    }

    /// `y = Aᵀ x`, `O(nnz)`, without forming `Aᵀ` (a dot product per column).
    ///
    /// - Parameter x: a vector of length `rows` (a mismatch is a precondition failure).
    /// - Returns: `Aᵀ x`, length `columns`.
    public func transposedTimes(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: columns)
        multiplyTransposed(x, into: &y)
        return y
    }

    /// `y = Aᵀ x` into a buffer of length `columns`, overwritten.
    ///
    /// - Parameters:
    ///   - x: length `rows`.
    ///   - y: length `columns`; overwritten, never reallocated.
    public func multiplyTransposed(_ x: [Double], into y: inout [Double]) {
        precondition(x.count == rows, "SparseMatrix Aᵀx: x has \(x.count) entries, A is \(rows)×\(columns)")
        precondition(y.count == columns, "SparseMatrix.multiplyTransposed: y has \(y.count) entries, A has \(columns) columns")
        let n = columns
        withUnsafeBuffers { p, r, v in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in SparseMatrixKernels.multiplyTransposed(columns: n, p, r, v, x, y) }
            }
        }
    }

    /// `y = Aᵀ x` for a square `A`, returning `xᵀy = xᵀA x` summed in the same pass (the
    /// curvature of conjugate gradients, without a second pass over `x` and `y`).
    ///
    /// - Parameters:
    ///   - x: length ``rows`` (`= columns`).
    ///   - y: length ``columns``; overwritten.
    /// - Returns: `xᵀy`.
    package func multiplyTransposedReturningDot(_ x: [Double], into y: inout [Double]) -> Double {
        precondition(rows == columns, "SparseMatrix.multiplyTransposedReturningDot: A is \(rows)×\(columns), not square")
        precondition(x.count == rows && y.count == columns,
                     "SparseMatrix.multiplyTransposedReturningDot: x has \(x.count), y \(y.count) entries, A is \(rows)×\(columns)")
        let n = columns
        return withUnsafeBuffers { p, r, v in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    SparseMatrixKernels.multiplyTransposedReturningDot(columns: n, p, r, v, x, y)
                }
            }
        }
    }
}
