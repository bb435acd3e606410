/// The "factorization" of a diagonal matrix `D = diag(d)`: solves are divisions.
///
/// ```
/// D x = b    ⇔   xᵢ = bᵢ / dᵢ
/// Dᵀ x = b   ⇔   the same (D is symmetric)
/// rcond = min |dᵢ| / max |dᵢ|   (exact for the 1-, 2- and ∞-norms)
/// ```
///
/// The fast path for element-wise conditions, whose `A = ∂F/∂y` is diagonal.
public struct DiagonalFactorization: Sendable {
    /// The diagonal `d`, every entry finite and non-zero.
    public let diagonal: [Double]

    /// Checks and stores the diagonal.
    ///
    /// - Parameter d: the diagonal entries.
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(_:)`` for a NaN or ±∞
    ///   entry; ``LinearAlgebraError/singular(pivot:)`` with the first zero entry.
    public init(diagonal d: [Double]) throws(LinearAlgebraError) {
        if let bad = d.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteInput("DiagonalFactorization: diagonal entry \(bad) is \(d[bad])")
        }
        if let zero = d.firstIndex(of: 0) { throw .singular(pivot: zero) }
        diagonal = d
    }

    /// The diagonal of a square sparse matrix whose entries all lie on the diagonal.
    ///
    /// - Parameter a: a square sparse matrix with bandwidths `(0, 0)`.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when `a` is not
    ///   square; ``LinearAlgebraError/invalidArgument(_:)`` when an entry lies
    ///   off the diagonal; ``LinearAlgebraError/singular(pivot:)``.
    public init(_ a: SparseMatrix) throws(LinearAlgebraError) {
        guard a.isSquare else {
            throw .dimensionMismatch("DiagonalFactorization needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        guard a.bandwidths == (0, 0) else {
            throw .invalidArgument("DiagonalFactorization: the matrix has entries off the diagonal "
                                   + "(bandwidths \(a.bandwidths)); use BandLUFactorization or SparseLUFactorization")
        }
        try self.init(diagonal: a.diagonalElements)
    }

    /// The order `n`.
    public var dimension: Int { diagonal.count }

    /// `min |dᵢ| / max |dᵢ|` (1 for the empty matrix).
    public var reciprocalCondition: Double {
        guard let high = diagonal.lazy.map(Swift.abs).max(), let low = diagonal.lazy.map(Swift.abs).min() else { return 1 }
        return low / high
    }

    /// Solves `D x = b`.
    ///
    /// - Parameter b: length ``dimension``, finite entries.
    /// - Returns: `x`, length ``dimension``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)``, ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        try solve(Matrix(rows: b.count, columns: 1, elements: b)).elements
    }

    /// Solves `Dᵀ x = c`, the same as the vector `solve(_:)`.
    ///
    /// - Parameter c: length ``dimension``, finite entries.
    /// - Returns: `x`, length ``dimension``.
    /// - Throws: as the vector `solve(_:)`.
    public func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] { try solve(c) }

    /// Solves `D X = B` for every column of `B`.
    ///
    /// - Parameter b: `dimension × k`, finite entries.
    /// - Returns: `X`, `dimension × k`.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)``, ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        try checkRightHandSides(b, order: dimension, in: "DiagonalFactorization.solve")
        var x = b.elements
        let n = dimension
        for j in 0..<b.columns { for i in 0..<n { x[i + j * n] /= diagonal[i] } }
        return Matrix(rows: n, columns: b.columns, elements: x)
    }

    /// Solves `Dᵀ X = C`, the same as the matrix `solve(_:)`.
    ///
    /// - Parameter c: `dimension × k`, finite entries.
    /// - Returns: `X`, `dimension × k`.
    /// - Throws: as the matrix `solve(_:)`.
    public func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix { try solve(c) }
}
