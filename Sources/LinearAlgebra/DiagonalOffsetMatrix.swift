/// A real matrix whose entries lie on a few diagonals, stored by diagonal ("DIA" form):
/// one array of `rows` values per offset, so that its products read no index.
///
/// The invariant: ``offsets`` are distinct and increasing, each in `-(rows − 1) … columns − 1`;
/// `values.count == offsets.count · rows`; `values[t · rows + i]` is the entry at row `i`,
/// column `i + offsets[t]`, and is `0` where that column is outside `0 ..< columns` or the
/// entry is not stored in the source; every value is finite.
///
/// ```
/// A = [ 4 1 0 ]     offsets = [-1, 0, 1]
///     [ 2 5 1 ]     values  = [ 0 2 3 | 4 5 6 | 1 1 0 ]
///     [ 0 3 6 ]               (a_{i,i−1})  (a_ii)  (a_{i,i+1})
/// ```
///
/// A five-point stencil on an `N × N` grid lies on offsets `−N, −1, 0, 1, N` (the explicit zeros
/// where a neighbour is missing are stored), so its products are five shifted, vectorizable
/// multiply-adds per row instead of a row index, a value and a gathered `x` per non-zero.
public struct DiagonalOffsetMatrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The diagonals held, as `column − row`, increasing.
    public let offsets: [Int]
    /// The diagonals, `offsets.count` runs of `rows` values (see the invariant).
    public let values: [Double]
    /// The off-diagonal runs as constants, when this is a square stencil's form that has them (found
    /// from ``values`` on construction; the products then multiply by the constants).
    package let constantRuns: DiagonalOffsetConstantRuns?
    /// Whether the stencil products run their hot loops on the AVX2 kernels (`CStencilKernels`, every
    /// result the Swift loops' bits): `true` when the processor runs AVX2 and the environment variable
    /// `IMPLICIT_DIFF_SCALAR_KERNELS` is not set (``vectorKernelsAvailable``); ``withScalarKernels``
    /// is a copy that keeps to the Swift loops.
    package let vectorKernels: Bool

    /// Whether this process runs the stencil products' hot loops on the AVX2 kernels (asked once).
    package static var vectorKernelsAvailable: Bool { DiagonalOffsetKernels.vectorKernels }

    /// The largest number of diagonals ``init(_:maximumOffsets:)`` accepts by default.
    public static let defaultMaximumOffsets = 8

    /// The diagonal form of `a`, when its entries lie on at most `maximumOffsets` diagonals and
    /// the diagonals hold at most twice as many values as `a` stores.
    ///
    /// ```
    /// offsets = { j − i : (i, j) stored },   accepted when |offsets| ≤ maximumOffsets
    ///                                         and |offsets| · rows ≤ 2 · max(nnz, rows)
    /// ```
    ///
    /// - Parameters:
    ///   - a: the matrix (its values are finite by its own invariant).
    ///   - maximumOffsets: the most diagonals accepted, `≥ 0` (default ``defaultMaximumOffsets``).
    /// - Returns: `nil` when more diagonals are needed or they would mostly hold zeros.
    public init?(_ a: SparseMatrix, maximumOffsets: Int = DiagonalOffsetMatrix.defaultMaximumOffsets) {
        guard let found = Self.offsets(of: a.pattern, maximumOffsets: maximumOffsets) else { return nil }
        self.init(a, offsets: found)
    }

    /// The diagonal form of `a` on offsets known in advance (``offsets(of:maximumOffsets:)`` of its
    /// pattern, kept with the pattern): one pass over the entries, each checked to lie on them.
    ///
    /// - Parameters:
    ///   - a: the matrix (its values are finite by its own invariant).
    ///   - offsets: distinct increasing offsets `column − row`.
    /// - Returns: `nil` when an entry of `a` lies off `offsets`, the offsets are not increasing within
    ///   `-(rows − 1) … columns − 1`, or the diagonals would hold more than `2 · max(nnz, rows)` values.
    public init?(_ a: SparseMatrix, offsets: [Int]) {
        var none: [Double] = []
        self.init(a, offsets: offsets, reusing: &none)
    }

    /// The diagonal form of `a` on known offsets (``init(_:offsets:)``), its values written into
    /// `storage` when that holds exactly `offsets.count · rows` values (zero-filled first), so that a
    /// buffer kept from an earlier form is reused instead of a fresh one being allocated.
    ///
    /// `storage` is moved into the result and left empty. When another value still shares its
    /// elements (an earlier form still alive), writing copies them first, so no other value changes.
    ///
    /// - Parameters:
    ///   - a: the matrix (its values are finite by its own invariant).
    ///   - offsets: distinct increasing offsets `column − row`.
    ///   - storage: a buffer to reuse; left empty.
    /// - Returns: `nil` as ``init(_:offsets:)`` does.
    package init?(_ a: SparseMatrix, offsets: [Int], reusing storage: inout [Double]) {
        var diagonals: [Double] = []
        swap(&diagonals, &storage)
        guard Self.offsetsAreIncreasing(offsets, rows: a.rows, columns: a.columns) else { return nil }
        let (count, overflow) = offsets.count.multipliedReportingOverflow(by: a.rows)
        guard !overflow, count <= 2 * Swift.max(a.nonZeroCount, a.rows) else { return nil }
        if diagonals.count == count {
            diagonals.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        } else {
            diagonals = [Double](repeating: 0, count: count)
        }
        let rowCount = a.rows
        let filled = a.withUnsafeBuffers { p, r, v in
            offsets.withUnsafeBufferPointer { o in
                diagonals.withUnsafeMutableBufferPointer { d in
                    DiagonalOffsetKernels.fill(columns: a.columns, rows: rowCount, p, r, v, offsets: o, into: d)
                }
            }
        }
        guard filled else { return nil }
        self.init(filled: a.rows, columns: a.columns, offsets: offsets, values: diagonals)
    }

    /// A form from parts that already hold the invariant (made by a checked fill of this module).
    init(filled rows: Int, columns: Int, offsets: [Int], values: [Double]) {
        self.init(rows: rows, columns: columns, offsets: offsets, values: values,
                  constantRuns: rows == columns ? DiagonalOffsetConstantRuns.detect(rows: rows, offsets: offsets, values: values) : nil)
    }

    private init(rows: Int, columns: Int, offsets: [Int], values: [Double], constantRuns: DiagonalOffsetConstantRuns?,
                 vectorKernels: Bool = DiagonalOffsetKernels.vectorKernels) {
        self.rows = rows
        self.columns = columns
        self.offsets = offsets
        self.values = values
        self.constantRuns = constantRuns
        self.vectorKernels = vectorKernels
    }

    /// The same matrix with its products on the general kernels (every run loaded).
    package var withoutConstantRuns: DiagonalOffsetMatrix {
        DiagonalOffsetMatrix(rows: rows, columns: columns, offsets: offsets, values: values, constantRuns: nil,
                             vectorKernels: vectorKernels)
    }

    /// The same matrix with its products on the Swift loops alone, never the AVX2 kernels (the same
    /// bits: for the tests that compare the two).
    package var withScalarKernels: DiagonalOffsetMatrix {
        DiagonalOffsetMatrix(rows: rows, columns: columns, offsets: offsets, values: values, constantRuns: constantRuns,
                             vectorKernels: false)
    }

    /// The distinct offsets `column − row` of the entries of `pattern`, increasing, or `nil` when
    /// there are more than `maximumOffsets` (one pass over the row indices).
    ///
    /// - Parameters:
    ///   - pattern: a sparsity pattern.
    ///   - maximumOffsets: the most offsets accepted, `≥ 0`.
    /// - Returns: the offsets, or `nil`.
    public static func offsets(of pattern: SparsityPattern,
                               maximumOffsets: Int = DiagonalOffsetMatrix.defaultMaximumOffsets) -> [Int]? {
        precondition(maximumOffsets >= 0, "DiagonalOffsetMatrix: maximumOffsets \(maximumOffsets) < 0")
        return pattern.columnPointers.withUnsafeBufferPointer { p in
            pattern.rowIndices.withUnsafeBufferPointer { r in
                DiagonalOffsetKernels.offsets(columns: pattern.columns, p, r, maximum: maximumOffsets)
            }
        }
    }

    /// A matrix from its diagonals, checked.
    ///
    /// - Parameters:
    ///   - rows: number of rows, `≥ 0`.
    ///   - columns: number of columns, `≥ 0`.
    ///   - offsets: distinct increasing offsets `column − row`, each in `-(rows − 1) … columns − 1`.
    ///   - values: `offsets.count · rows` finite values, diagonal by diagonal (see the invariant);
    ///     a value whose column is outside the matrix must be `0`.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for bad sizes or offsets, or a non-zero
    ///   outside the matrix; ``LinearAlgebraError/nonFiniteInput(_:)`` for a NaN or ±∞.
    public init(rows: Int, columns: Int, offsets: [Int], values: [Double]) throws(LinearAlgebraError) {
        guard rows >= 0, columns >= 0 else {
            throw .invalidArgument("DiagonalOffsetMatrix: \(rows) × \(columns) is not a size")
        }
        guard Self.offsetsAreIncreasing(offsets, rows: rows, columns: columns) else {
            throw .invalidArgument("DiagonalOffsetMatrix: offsets \(offsets) are not increasing within the matrix")
        }
        guard values.count == offsets.count * rows else {
            throw .invalidArgument("DiagonalOffsetMatrix: \(values.count) values for \(offsets.count) diagonals of \(rows)")
        }
        for (t, o) in offsets.enumerated() {
            for i in 0..<rows {
                let v = values[t * rows + i]
                guard v.isFinite else {
                    throw .nonFiniteInput("DiagonalOffsetMatrix: entry (\(i), \(i + o)) is \(v)")
                }
                guard v == 0 || (i + o >= 0 && i + o < columns) else {
                    throw .invalidArgument("DiagonalOffsetMatrix: entry (\(i), \(i + o)) is outside \(rows) × \(columns)")
                }
            }
        }
        self.init(filled: rows, columns: columns, offsets: offsets, values: values)
    }

    /// `true` when `offsets` increase strictly and each lies in `-(rows − 1) … columns − 1`.
    private static func offsetsAreIncreasing(_ offsets: [Int], rows: Int, columns: Int) -> Bool {
        offsets.indices.allSatisfy { t in
            offsets[t] > -rows && offsets[t] < columns && (t == 0 || offsets[t - 1] < offsets[t])
        }
    }

    /// `y = A x` into a buffer of length `rows`, overwritten.
    ///
    /// ```
    /// yᵢ = Σₜ values[t·rows + i] · x[i + offsets[t]]      (terms with the column outside A omitted)
    /// ```
    ///
    /// - Parameters:
    ///   - x: length `columns`.
    ///   - y: length `rows`; overwritten, never reallocated.
    public func multiply(_ x: [Double], into y: inout [Double]) {
        precondition(x.count == columns, "DiagonalOffsetMatrix * x: x has \(x.count) entries, A is \(rows)×\(columns)")
        precondition(y.count == rows, "DiagonalOffsetMatrix.multiply: y has \(y.count) entries, A has \(rows) rows")
        _ = products(x, &y, transposed: false, dot: false)
    }

    /// `y = Aᵀ x` into a buffer of length `columns`, overwritten.
    ///
    /// ```
    /// yⱼ = Σₜ values[t·rows + j − offsets[t]] · x[j − offsets[t]]      (terms with the row outside A omitted)
    /// ```
    ///
    /// - Parameters:
    ///   - x: length `rows`.
    ///   - y: length `columns`; overwritten, never reallocated.
    public func multiplyTransposed(_ x: [Double], into y: inout [Double]) {
        precondition(x.count == rows, "DiagonalOffsetMatrix Aᵀx: x has \(x.count) entries, A is \(rows)×\(columns)")
        precondition(y.count == columns,
                     "DiagonalOffsetMatrix.multiplyTransposed: y has \(y.count) entries, A has \(columns) columns")
        _ = products(x, &y, transposed: true, dot: false)
    }

    /// `y = A x` (or `Aᵀ x`) for a square `A`, returning `xᵀy` summed in the same pass (the curvature
    /// of conjugate gradients).
    ///
    /// - Parameters:
    ///   - x: length ``rows`` (`= columns`).
    ///   - y: length ``rows``; overwritten.
    ///   - transposed: `true` for `Aᵀ x`.
    /// - Returns: `xᵀy`.
    package func multiplyReturningDot(_ x: [Double], into y: inout [Double], transposed: Bool) -> Double {
        precondition(rows == columns, "DiagonalOffsetMatrix.multiplyReturningDot: A is \(rows)×\(columns), not square")
        precondition(x.count == rows && y.count == rows,
                     "DiagonalOffsetMatrix.multiplyReturningDot: x has \(x.count), y \(y.count) entries, A is \(rows)×\(columns)")
        return products(x, &y, transposed: transposed, dot: true)
    }

    /// The product kernels on the raw buffers (lengths checked by the callers).
    private func products(_ x: [Double], _ y: inout [Double], transposed: Bool, dot: Bool) -> Double {
        let (r, c) = (rows, columns)
        if let runs = constantRuns {
            return constantRunProducts(runs, x, &y, transposed: transposed, dot: dot)
        }
        return offsets.withUnsafeBufferPointer { o in
            values.withUnsafeBufferPointer { v in
                x.withUnsafeBufferPointer { x in
                    y.withUnsafeMutableBufferPointer { y in
                        transposed
                            ? DiagonalOffsetKernels.multiplyTransposed(rows: r, columns: c, o, v, x, y, dot: dot)
                            : DiagonalOffsetKernels.multiply(rows: r, columns: c, o, v, x, y, dot: dot)
                    }
                }
            }
        }
    }
}

extension DiagonalOffsetMatrix {
    /// `y = A x` (or `Aᵀx`) with the constant runs, returning `xᵀy` when `dot` (square, lengths checked by the callers).
    func constantRunProducts(_ runs: DiagonalOffsetConstantRuns, _ x: [Double], _ y: inout [Double],
                             transposed: Bool, dot: Bool) -> Double {
        x.withUnsafeBufferPointer { x in
            guard let xp = x.baseAddress else { return 0 }
            // Read only: the kernel writes `p` only when it is given a direction to update.
            return constantRunKernel(runs, UnsafeMutablePointer(mutating: xp), &y, transposed: transposed, direction: nil, dot: dot)
        }
    }

    /// `p ← D⁻¹r + βp`, then `q = A p` (or `Aᵀp`) and `pᵀq`, in one pass with the constant runs
    /// (square, lengths checked by the callers).
    func constantRunProducts(_ runs: DiagonalOffsetConstantRuns, beta: Double, residual: [Double],
                             inverseDiagonal: [Double], direction p: inout [Double], into q: inout [Double],
                             transposed: Bool) -> Double {
        residual.withUnsafeBufferPointer { r in
            inverseDiagonal.withUnsafeBufferPointer { m in
                p.withUnsafeMutableBufferPointer { p in
                    guard let pp = p.baseAddress, let rp = r.baseAddress, let mp = m.baseAddress else { return 0 }
                    let update = DiagonalOffsetKernels.JacobiDirection(beta: beta, residual: rp, inverseDiagonal: mp)
                    return constantRunKernel(runs, pp, &q, transposed: transposed, direction: update, dot: true)
                }
            }
        }
    }

    private func constantRunKernel(_ runs: DiagonalOffsetConstantRuns, _ p: UnsafeMutablePointer<Double>,
                                   _ y: inout [Double], transposed: Bool,
                                   direction: DiagonalOffsetKernels.JacobiDirection?, dot: Bool) -> Double {
        let n = rows
        let exceptions = transposed ? runs.columnExceptions : runs.rowExceptions
        return offsets.withUnsafeBufferPointer { o in
            values.withUnsafeBufferPointer { v in
                runs.constants.withUnsafeBufferPointer { c in
                    exceptions.withUnsafeBufferPointer { e in
                        y.withUnsafeMutableBufferPointer { y in
                            guard let vp = v.baseAddress, let yp = y.baseAddress else { return 0 }
                            return DiagonalOffsetKernels.constantRunProduct(
                                rows: n, o, vp, constants: c, exceptions: e, transposed: transposed,
                                direction: direction, p, yp, dot: dot, vector: vectorKernels)
                        }
                    }
                }
            }
        }
    }
}
