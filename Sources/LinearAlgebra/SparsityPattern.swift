/// The positions of the structurally non-zero entries of a `rows × columns`
/// matrix, in compressed sparse column (CSC) form, without values.
///
/// The invariant, checked by every public initializer:
///
/// ```
/// columnPointers.count == columns + 1,  columnPointers[0] == 0,
/// columnPointers[j] ≤ columnPointers[j + 1],  columnPointers[columns] == nnz
/// rowIndices[columnPointers[j] ..< columnPointers[j + 1]]   strictly increasing, in 0..<rows
/// ```
///
/// Entry `(i, j)` is in the pattern when `i` appears among the row indices of
/// column `j`. The same layout as CHOLMOD's and UMFPACK's `Ap`, `Ai` (with
/// sorted columns), so a pattern hands over to SuiteSparse without sorting.
public struct SparsityPattern: Sendable, Equatable, Hashable {
    /// Number of rows, `≥ 0`.
    public let rows: Int
    /// Number of columns, `≥ 0`.
    public let columns: Int
    /// `columns + 1` offsets into ``rowIndices``: column `j` holds the entries
    /// `columnPointers[j] ..< columnPointers[j + 1]`.
    public let columnPointers: [Int]
    /// The row of each entry, column after column, increasing within a column.
    public let rowIndices: [Int]

    /// Creates a pattern from its compressed columns, checking the invariant.
    ///
    /// - Parameters:
    ///   - rows: number of rows, `≥ 0`.
    ///   - columns: number of columns, `≥ 0`.
    ///   - columnPointers: `columns + 1` non-decreasing offsets from `0` to `rowIndices.count`.
    ///   - rowIndices: the rows of the entries, strictly increasing within each column.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` naming the first
    ///   violation (negative size, bad pointer, unsorted or duplicate or
    ///   out-of-range row index).
    public init(rows: Int, columns: Int, columnPointers: [Int], rowIndices: [Int]) throws(LinearAlgebraError) {
        guard rows >= 0, columns >= 0 else {
            throw .invalidArgument("SparsityPattern: negative dimension \(rows)×\(columns)")
        }
        guard columnPointers.count == columns + 1 else {
            throw .invalidArgument("SparsityPattern: \(columnPointers.count) column pointers for \(columns) columns "
                                   + "(expected \(columns + 1))")
        }
        guard columnPointers[0] == 0, columnPointers[columns] == rowIndices.count else {
            throw .invalidArgument("SparsityPattern: column pointers must run from 0 to nnz = \(rowIndices.count), "
                                   + "got \(columnPointers[0]) … \(columnPointers[columns])")
        }
        for j in 0..<columns where !(columnPointers[j] <= columnPointers[j + 1]) {
            throw .invalidArgument("SparsityPattern: column pointers decrease at column \(j)")
        }
        for j in 0..<columns {
            let start = columnPointers[j], end = columnPointers[j + 1]
            var previous = -1
            for k in start..<end {
                let i = rowIndices[k]
                guard i > previous, i < rows else {
                    throw .invalidArgument("SparsityPattern: row index \(i) at position \(k) of column \(j) is "
                        + (i >= rows ? "out of range for \(rows) rows" : "not strictly increasing (sorted, no duplicates)"))
                }
                previous = i
            }
        }
        self.init(unchecked: rows, columns, columnPointers, rowIndices)
    }

    /// A pattern known to satisfy the invariant (built by the package's algorithms; not checked).
    package init(unchecked rows: Int, _ columns: Int, _ columnPointers: [Int], _ rowIndices: [Int]) {
        self.rows = rows
        self.columns = columns
        self.columnPointers = columnPointers
        self.rowIndices = rowIndices
    }

    /// Creates a pattern from a list of `(row, column)` positions, in any order;
    /// repeated positions count once.
    ///
    /// - Parameters:
    ///   - rows: number of rows, `≥ 0`.
    ///   - columns: number of columns, `≥ 0`.
    ///   - entries: positions with `0 ≤ row < rows`, `0 ≤ column < columns`.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for a position out of range.
    public init(rows: Int, columns: Int, entries: [(row: Int, column: Int)]) throws(LinearAlgebraError) {
        guard rows >= 0, columns >= 0 else {
            throw .invalidArgument("SparsityPattern: negative dimension \(rows)×\(columns)")
        }
        var perColumn = [[Int]](repeating: [], count: columns)
        for (i, j) in entries {
            guard i >= 0, i < rows, j >= 0, j < columns else {
                throw .invalidArgument("SparsityPattern: position (\(i), \(j)) out of range for \(rows)×\(columns)")
            }
            perColumn[j].append(i)
        }
        self.init(sortingColumns: perColumn, rows: rows)
    }

    /// The pattern whose column `j` holds the rows in `perColumn[j]` (any
    /// order, duplicates allowed, all in `0..<rows`).
    @usableFromInline
    init(sortingColumns perColumn: [[Int]], rows: Int) {
        var pointers = [0]
        pointers.reserveCapacity(perColumn.count + 1)
        var indices: [Int] = []
        for column in perColumn {
            var previous = -1
            for i in column.sorted() where i != previous {
                indices.append(i)
                previous = i
            }
            pointers.append(indices.count)
        }
        self.init(unchecked: rows, perColumn.count, pointers, indices)
    }

    /// The pattern of the non-zero entries of a dense matrix (NaN counts as non-zero).
    ///
    /// - Parameter a: any matrix.
    public init(nonZerosOf a: Matrix) {
        var pointers = [0], indices: [Int] = []
        pointers.reserveCapacity(a.columns + 1)
        for j in 0..<a.columns {
            for i in 0..<a.rows where a.elements[i + j * a.rows] != 0 || a.elements[i + j * a.rows].isNaN {
                indices.append(i)
            }
            pointers.append(indices.count)
        }
        self.init(unchecked: a.rows, a.columns, pointers, indices)
    }

    /// Number of entries in the pattern (structural non-zeros).
    @inlinable public var nonZeroCount: Int { rowIndices.count }

    /// The rows of column `j`'s entries, increasing.
    ///
    /// - Parameter j: a column, `0 ≤ j < columns`.
    @inlinable
    public func rows(inColumn j: Int) -> ArraySlice<Int> {
        precondition(j >= 0 && j < columns, "SparsityPattern: column \(j) out of range for \(columns) columns")
        return rowIndices[columnPointers[j]..<columnPointers[j + 1]]
    }

    /// `true` when `(i, j)` is in the pattern (a binary search in column `j`).
    public func contains(row i: Int, column j: Int) -> Bool {
        guard i >= 0, i < rows, j >= 0, j < columns else { return false }
        return position(row: i, column: j) != nil
    }

    /// The index into ``rowIndices`` of entry `(i, j)`, or `nil` when it is not in the pattern.
    @usableFromInline
    func position(row i: Int, column j: Int) -> Int? {
        var low = columnPointers[j], high = columnPointers[j + 1]
        while low < high {
            let mid = (low + high) / 2
            if rowIndices[mid] < i { low = mid + 1 } else { high = mid }
        }
        return low < columnPointers[j + 1] && rowIndices[low] == i ? low : nil
    }

    /// The transposed pattern (`columns × rows`), in `O(nnz + rows + columns)`.
    ///
    /// Its compressed columns are this pattern's rows: the compressed sparse
    /// row (CSR) form, which the colourings and row products walk.
    public func transposed() -> SparsityPattern {
        var counts = [Int](repeating: 0, count: rows + 1)
        for i in rowIndices { counts[i + 1] += 1 }
        for i in 0..<rows { counts[i + 1] += counts[i] }
        var next = counts
        var indices = [Int](repeating: 0, count: nonZeroCount)
        for j in 0..<columns {
            for k in columnPointers[j]..<columnPointers[j + 1] {
                let i = rowIndices[k]
                indices[next[i]] = j
                next[i] += 1
            }
        }
        return SparsityPattern(unchecked: columns, rows, counts, indices)
    }

    /// The transpose and, for each of its entries, the index of the same
    /// entry in this pattern (to carry values along).
    package func transposedWithPermutation() -> (pattern: SparsityPattern, source: [Int]) {
        var counts = [Int](repeating: 0, count: rows + 1)
        for i in rowIndices { counts[i + 1] += 1 }
        for i in 0..<rows { counts[i + 1] += counts[i] }
        let pointers = counts
        var next = counts
        var indices = [Int](repeating: 0, count: nonZeroCount)
        var source = [Int](repeating: 0, count: nonZeroCount)
        for j in 0..<columns {
            for k in columnPointers[j]..<columnPointers[j + 1] {
                let i = rowIndices[k]
                indices[next[i]] = j
                source[next[i]] = k
                next[i] += 1
            }
        }
        return (SparsityPattern(unchecked: columns, rows, pointers, indices), source)
    }

    /// The number of entries in each row, length ``rows``.
    public var rowCounts: [Int] {
        var counts = [Int](repeating: 0, count: rows)
        for i in rowIndices { counts[i] += 1 }
        return counts
    }

    /// The largest number of entries in one row: a lower bound on the number
    /// of colours of any valid column colouring.
    public var maximumNonZerosPerRow: Int { rowCounts.max() ?? 0 }

    /// The smallest `(kl, ku)` such that every entry has `i − j ≤ kl` and `j − i ≤ ku`.
    ///
    /// - Returns: `(lower: kl, upper: ku)`, both `≥ 0`; `(0, 0)` for an empty pattern.
    public var bandwidths: (lower: Int, upper: Int) {
        var kl = 0, ku = 0
        for j in 0..<columns {
            for k in columnPointers[j]..<columnPointers[j + 1] {
                let i = rowIndices[k]
                kl = Swift.max(kl, i - j)
                ku = Swift.max(ku, j - i)
            }
        }
        return (kl, ku)
    }

    /// `true` when the pattern equals its transpose (square, `(i, j)` in it ⇔ `(j, i)` in it).
    public var isStructurallySymmetric: Bool {
        rows == columns && transposed() == self
    }

    /// The union of two patterns of the same shape.
    ///
    /// - Parameter other: a pattern with the same ``rows`` and ``columns``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` for another shape.
    public func union(_ other: SparsityPattern) throws(LinearAlgebraError) -> SparsityPattern {
        guard rows == other.rows, columns == other.columns else {
            throw .dimensionMismatch("SparsityPattern.union: \(rows)×\(columns) and \(other.rows)×\(other.columns)")
        }
        let perColumn = (0..<columns).map { Array(rows(inColumn: $0)) + Array(other.rows(inColumn: $0)) }
        return SparsityPattern(sortingColumns: perColumn, rows: rows)
    }
}

extension SparsityPattern {
    /// The sub-pattern made of the columns in `range` (all rows).
    ///
    /// - Parameter range: columns, within `0...columns`.
    /// - Returns: a `rows × range.count` pattern.
    public func columns(_ range: Range<Int>) -> SparsityPattern {
        precondition(range.lowerBound >= 0 && range.upperBound <= columns,
                     "SparsityPattern.columns: \(range) out of range for \(columns) columns")
        let start = columnPointers[range.lowerBound]
        let pointers = columnPointers[range.lowerBound...range.upperBound].map { $0 - start }
        let indices = Array(rowIndices[start..<columnPointers[range.upperBound]])
        return SparsityPattern(unchecked: rows, range.count, pointers, indices)
    }
}
