import LinearAlgebra

/// A `SparseMatrix` seen as a ``LinearOperator``: products in `O(nnz)`.
///
/// ```
/// apply:            y = A x
/// applyTransposed:  y = Aᵀ x     (a dot product per stored column, no transpose formed)
/// ```
public struct SparseMatrixOperator: LinearOperator, Sendable {
    /// The matrix.
    public let matrix: SparseMatrix
    /// Declared structure (unchecked; e.g. `.symmetric` so that CG may be chosen).
    public let structure: OperatorStructure

    /// Wraps `a`, with an optional declared structure.
    ///
    /// - Parameters:
    ///   - a: the matrix.
    ///   - structure: what the caller declares about `a` (not checked).
    public init(_ a: SparseMatrix, structure: OperatorStructure = []) {
        matrix = a
        self.structure = structure
        productsByGather = false
        diagonals = nil
    }

    /// `A x` is formed as `Aᵀ x` (a gather per column, no scatter): set only for an exactly symmetric `A`.
    let productsByGather: Bool

    /// Wraps an exactly symmetric `a` (every stored entry equal to its stored mirror, e.g.
    /// ``SparseMatrix/symmetry(tolerance:)`` `.exact`), whose products `A x` then run as `Aᵀ x`:
    /// a dot product per column, faster than the scatter and identical in value.
    ///
    /// - Parameters:
    ///   - a: an exactly symmetric matrix (not checked here: the caller read it from the values).
    ///   - structure: what the caller declares about `a` (not checked).
    package init(exactlySymmetric a: SparseMatrix, structure: OperatorStructure = []) {
        matrix = a
        self.structure = structure
        productsByGather = true
        diagonals = nil
    }

    /// The same `A` stored by diagonal, when its entries lie on a few diagonals: then every
    /// product runs on it (no row index read per entry).
    package let diagonals: DiagonalOffsetMatrix?

    /// Wraps `a` with its diagonal form `diagonals` (the same matrix: ``DiagonalOffsetMatrix/init(_:maximumOffsets:)``
    /// of `a`), which then forms every product.
    ///
    /// - Parameters:
    ///   - a: the matrix.
    ///   - diagonals: `a` by diagonals (not checked here: the caller built it from `a`).
    ///   - structure: what the caller declares about `a` (not checked).
    package init(_ a: SparseMatrix, diagonals: DiagonalOffsetMatrix, structure: OperatorStructure = []) {
        precondition(diagonals.rows == a.rows && diagonals.columns == a.columns,
                     "SparseMatrixOperator: the diagonal form is \(diagonals.rows)×\(diagonals.columns), A \(a.rows)×\(a.columns)")
        matrix = a
        self.structure = structure
        productsByGather = false
        self.diagonals = diagonals
    }

    /// Number of rows of `A`.
    public var rows: Int { matrix.rows }
    /// Number of columns of `A`.
    public var columns: Int { matrix.columns }
    /// `true`: the transposed product is available.
    public var supportsTranspose: Bool { true }

    /// Writes `y = A x`.
    public func apply(_ x: [Double], into y: inout [Double]) {
        if let diagonals {
            diagonals.multiply(x, into: &y)
        } else if productsByGather {
            matrix.multiplyTransposed(x, into: &y)
        } else {
            matrix.multiply(x, into: &y)
        }
    }

    /// Writes `y = Aᵀ x`.
    public func applyTransposed(_ x: [Double], into y: inout [Double]) {
        if let diagonals { diagonals.multiplyTransposed(x, into: &y) } else { matrix.multiplyTransposed(x, into: &y) }
    }
}
