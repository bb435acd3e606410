import LinearAlgebra

/// The diagonal operator `D = diag(d)`.
///
/// ```
/// y[i] = d[i] · x[i]
/// ```
///
/// Declared symmetric; also positive definite when every `d[i] > 0` (that
/// one is checked at construction, since it is cheap).
public struct DiagonalOperator: LinearOperator, Sendable {
    /// The diagonal entries.
    public let diagonal: [Double]
    /// `.symmetric`, plus `.positiveDefinite` when every entry is positive.
    public let structure: OperatorStructure

    /// Creates `diag(d)`.
    ///
    /// - Parameter diagonal: the entries, any length `n ≥ 0`, any values.
    public init(diagonal: [Double]) {
        self.diagonal = diagonal
        var s: OperatorStructure = .symmetric
        if diagonal.allSatisfy({ $0 > 0 }) { s.insert(.positiveDefinite) }
        self.structure = s
    }

    /// `n`.
    public var rows: Int { diagonal.count }
    /// `n`.
    public var columns: Int { diagonal.count }
    /// Always `true`.
    public var supportsTranspose: Bool { true }

    /// Writes `y = D x`.
    public func apply(_ x: [Double], into y: inout [Double]) {
        BLAS.multiply(diagonal, x, into: &y)
    }

    /// Writes `y = Dᵀ x = D x`.
    public func applyTransposed(_ x: [Double], into y: inout [Double]) {
        BLAS.multiply(diagonal, x, into: &y)
    }
}

/// The identity operator `I` of order `n`.
///
/// ```
/// y = x
/// ```
public struct IdentityOperator: LinearOperator, Sendable {
    /// `n`.
    public let rows: Int
    /// `n`.
    public var columns: Int { rows }
    /// Symmetric and positive definite.
    public var structure: OperatorStructure { [.symmetric, .positiveDefinite] }
    /// Always `true`.
    public var supportsTranspose: Bool { true }

    /// Creates the identity on `Rⁿ`.
    ///
    /// - Parameter size: `n ≥ 0`.
    public init(size: Int) {
        precondition(size >= 0, "IdentityOperator: negative size \(size)")
        self.rows = size
    }

    /// Writes `y = x`.
    public func apply(_ x: [Double], into y: inout [Double]) { BLAS.copy(x, &y) }

    /// Writes `y = x`.
    public func applyTransposed(_ x: [Double], into y: inout [Double]) { BLAS.copy(x, &y) }
}
