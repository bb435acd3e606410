import LinearAlgebra

/// A dense ``Matrix`` seen as a ``LinearOperator``; products are BLAS `gemv`.
///
/// ```
/// apply:            y ← A x      (dgemv, no transpose)
/// applyTransposed:  y ← Aᵀ x     (dgemv, transpose; no copy of A)
/// ```
public struct MatrixOperator: LinearOperator, Sendable {
    /// The matrix.
    public let matrix: Matrix
    /// Declared, unchecked structure.
    public let structure: OperatorStructure

    /// Wraps a matrix.
    ///
    /// - Parameters:
    ///   - a: any `m × n` matrix (`m, n ≥ 0`).
    ///   - structure: declared, unchecked structure (default `[]`).
    public init(_ a: Matrix, structure: OperatorStructure = []) {
        self.matrix = a
        self.structure = structure
    }

    /// `m`.
    public var rows: Int { matrix.rows }
    /// `n`.
    public var columns: Int { matrix.columns }
    /// Always `true`.
    public var supportsTranspose: Bool { true }

    /// Writes `y = A x` (`x`: length `n`, `y`: length `m`).
    public func apply(_ x: [Double], into y: inout [Double]) {
        BLAS.gemv(1, matrix, x, 0, &y)
    }

    /// Writes `y = Aᵀ x` (`x`: length `m`, `y`: length `n`).
    public func applyTransposed(_ x: [Double], into y: inout [Double]) {
        BLAS.gemv(transpose: true, 1, matrix, x, 0, &y)
    }
}
