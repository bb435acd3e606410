/// A dense real matrix stored column-major, with value semantics.
///
/// The invariant is `elements.count == rows * columns`; element `(i, j)` lives
/// at `elements[i + j * rows]`, the layout LAPACK's column-major routines use
/// without copying.
///
/// ```
/// A = [ a00 a01 ]      elements = [a00, a10, a01, a11]
///     [ a10 a11 ]
/// ```
///
/// Copies are cheap until one side is mutated (the storage is a Swift array).
/// Shape errors in subscripts and constructors are programmer errors and stop
/// with a `precondition` message; numerical failures (a singular matrix, …)
/// are thrown as ``LinearAlgebraError`` by the factorizations.
public struct Matrix: Sendable, Equatable, Hashable {
    /// Number of rows, `≥ 0`.
    public let rows: Int
    /// Number of columns, `≥ 0`.
    public let columns: Int
    /// The entries in column-major order; `elements.count == rows * columns`.
    ///
    /// Mutable in place (`a.elements[k] *= 2`); assigning an array of another
    /// length is a programmer error and stops with a precondition failure.
    public var elements: [Double] {
        didSet {
            precondition(elements.count == rows * columns,
                         "Matrix: \(elements.count) elements assigned to a \(rows)×\(columns) matrix")
        }
    }

    /// Creates a matrix from its entries in column-major order.
    ///
    /// - Parameters:
    ///   - rows: number of rows, `≥ 0`.
    ///   - columns: number of columns, `≥ 0`.
    ///   - elements: `rows * columns` entries, column after column.
    @inlinable
    public init(rows: Int, columns: Int, elements: [Double]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows)×\(columns)")
        precondition(elements.count == rows * columns,
                     "Matrix: \(elements.count) elements given for a \(rows)×\(columns) matrix")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// Creates a matrix with every entry equal to `value`.
    @inlinable
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows)×\(columns)")
        self.init(rows: rows, columns: columns,
                  elements: [Double](repeating: value, count: rows * columns))
    }

    /// Creates a matrix whose entry `(i, j)` is `entry(i, j)`.
    @inlinable
    public init(rows: Int, columns: Int, entry: (_ row: Int, _ column: Int) throws -> Double) rethrows {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows)×\(columns)")
        var e = [Double]()
        e.reserveCapacity(rows * columns)
        for j in 0..<columns {
            for i in 0..<rows { e.append(try entry(i, j)) }
        }
        self.init(rows: rows, columns: columns, elements: e)
    }

    /// Creates a matrix from its rows; every row must have the same length.
    ///
    /// `Matrix(rows: [[1, 2], [3, 4]])` is `[1 2; 3 4]`.
    public init(rows rowArrays: [[Double]]) {
        let m = rowArrays.count
        let n = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == n }, "Matrix(rows:): rows of unequal length")
        self.init(rows: m, columns: n) { i, j in rowArrays[i][j] }
    }

    /// Creates a matrix from its columns; every column must have the same length.
    public init(columns columnArrays: [[Double]]) {
        let n = columnArrays.count
        let m = columnArrays.first?.count ?? 0
        precondition(columnArrays.allSatisfy { $0.count == m }, "Matrix(columns:): columns of unequal length")
        self.init(rows: m, columns: n, elements: Array(columnArrays.joined()))
    }

    /// The `rows × columns` zero matrix.
    public static func zeros(_ rows: Int, _ columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, repeating: 0)
    }

    /// The `n × n` identity matrix.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n, repeating: 0)
        for i in 0..<n { m.elements[i + i * n] = 1 }
        return m
    }

    /// The square matrix with `diagonal` on its diagonal and zeros elsewhere.
    public static func diagonal(_ diagonal: [Double]) -> Matrix {
        let n = diagonal.count
        var m = Matrix(rows: n, columns: n, repeating: 0)
        for i in 0..<n { m.elements[i + i * n] = diagonal[i] }
        return m
    }

    /// `true` when `rows == columns`.
    @inlinable public var isSquare: Bool { rows == columns }

    /// The entry in row `i`, column `j` (both zero-based, bounds-checked).
    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns,
                         "Matrix: index (\(i), \(j)) out of bounds for \(rows)×\(columns)")
            return elements[i + j * rows]
        }
        set {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns,
                         "Matrix: index (\(i), \(j)) out of bounds for \(rows)×\(columns)")
            elements[i + j * rows] = newValue
        }
    }

    /// Column `j` as a new array.
    public func column(_ j: Int) -> [Double] {
        precondition(j >= 0 && j < columns, "Matrix: column \(j) out of bounds for \(rows)×\(columns)")
        return Array(elements[(j * rows)..<((j + 1) * rows)])
    }

    /// Replaces column `j` with `values` (`values.count == rows`).
    public mutating func setColumn(_ j: Int, to values: [Double]) {
        precondition(j >= 0 && j < columns, "Matrix: column \(j) out of bounds for \(rows)×\(columns)")
        precondition(values.count == rows, "Matrix.setColumn: \(values.count) values for \(rows) rows")
        elements.replaceSubrange((j * rows)..<((j + 1) * rows), with: values)
    }

    /// Row `i` as a new array.
    public func row(_ i: Int) -> [Double] {
        precondition(i >= 0 && i < rows, "Matrix: row \(i) out of bounds for \(rows)×\(columns)")
        return (0..<columns).map { elements[i + $0 * rows] }
    }

    /// All columns, each as an array.
    public var columnArrays: [[Double]] { (0..<columns).map(column) }

    /// All rows, each as an array.
    public var rowArrays: [[Double]] { (0..<rows).map(row) }

    /// The diagonal entries `A[i, i]`, `i < min(rows, columns)`.
    public var diagonalElements: [Double] {
        (0..<Swift.min(rows, columns)).map { elements[$0 + $0 * rows] }
    }

    /// The transpose `Aᵀ` (a new column-major matrix).
    public func transposed() -> Matrix {
        var t = [Double](repeating: 0, count: elements.count)
        let m = rows, n = columns
        elements.withUnsafeBufferPointer { a in
            t.withUnsafeMutableBufferPointer { b in
                for j in 0..<n {
                    for i in 0..<m { b[j + i * n] = a[i + j * m] }
                }
            }
        }
        return Matrix(rows: n, columns: m, elements: t)
    }

    /// `true` when every entry is finite (no NaN, no ±∞).
    public var isFinite: Bool { elements.allSatisfy { $0.isFinite } }
}

extension Matrix: CustomStringConvertible {
    /// The matrix printed row by row, entries in `%.6g`-like form.
    public var description: String {
        var lines: [String] = ["\(rows)×\(columns) Matrix"]
        for i in 0..<Swift.min(rows, 12) {
            var cells: [String] = []
            for j in 0..<Swift.min(columns, 12) { cells.append(String(format6g(self[i, j]))) }
            if columns > 12 { cells.append("…") }
            lines.append("[ " + cells.joined(separator: "  ") + " ]")
        }
        if rows > 12 { lines.append("…") }
        return lines.joined(separator: "\n")
    }
}

@usableFromInline
func format6g(_ x: Double) -> String {
    if x == 0 { return "0" }
    let a = Swift.abs(x)
    if a >= 1e-4 && a < 1e6 {
        var s = String(x)
        if s.count > 10 { s = String((x * 1e6).rounded() / 1e6) }
        return s
    }
    return "\(x)"
}
