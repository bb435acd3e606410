import LinearAlgebra

/// A preconditioner: applies `M⁻¹`, an approximate inverse of the operator.
///
/// ```
/// apply:            z ← M⁻¹ r
/// applyTransposed:  z ← M⁻ᵀ r     (default: apply, i.e. M symmetric)
/// ```
///
/// GMRES and BiCGStab precondition on the right (`A M⁻¹ u = b`, `x = M⁻¹ u`),
/// so the residual they test is the true `b − A x`. Conjugate gradients needs
/// `M` symmetric positive definite. Transposed solves
/// (``KrylovSolver/solveTransposed(_:_:initialGuess:preconditioner:)``) use
/// ``applyTransposed(_:into:)``, so a non-symmetric preconditioner must
/// implement it.
public protocol Preconditioner {
    /// Writes `z = M⁻¹ r`.
    ///
    /// - Parameters:
    ///   - r: length `n`.
    ///   - z: length `n`; overwritten in place, never reallocated.
    func apply(_ r: [Double], into z: inout [Double])

    /// Writes `z = M⁻ᵀ r`. The default calls ``apply(_:into:)`` (correct for
    /// symmetric `M` only).
    ///
    /// - Parameters:
    ///   - r: length `n`.
    ///   - z: length `n`; overwritten in place, never reallocated.
    func applyTransposed(_ r: [Double], into z: inout [Double])

    /// The order `n` of `M` when it is known before any product (a matrix-built
    /// preconditioner), so that a caller can refuse a mismatch with an error
    /// instead of the products' precondition failure; `nil` when unknown (the
    /// default, e.g. closures).
    var order: Int? { get }
}

extension Preconditioner {
    /// `nil`: the order is not known in advance.
    public var order: Int? { nil }

    /// `z = M⁻¹ r`: the default for symmetric `M`.
    public func applyTransposed(_ r: [Double], into z: inout [Double]) { apply(r, into: &z) }
}

/// The Jacobi (diagonal) preconditioner `M = diag(d)`.
///
/// ```
/// z[i] = r[i] / d[i]
/// ```
///
/// Symmetric, so the transposed application is the same; positive definite
/// (usable with conjugate gradients) when every `d[i] > 0`.
public struct JacobiPreconditioner: Preconditioner, Sendable {
    /// `1 / d[i]`, stored so that each application is one multiplication pass.
    public let inverseDiagonal: [Double]

    /// Creates `M = diag(d)`.
    ///
    /// - Parameter diagonal: the diagonal of `M` (usually of `A`), length `n`;
    ///   every entry finite and non-zero.
    /// - Throws: ``KrylovError/invalidOptions(_:)`` when an entry is zero,
    ///   NaN or ±∞ (the index is in the message).
    public init(diagonal: [Double]) throws(KrylovError) {
        var inverse = [Double](repeating: 0, count: diagonal.count)
        for (i, d) in diagonal.enumerated() {
            guard d != 0 && d.isFinite else {
                throw .invalidOptions("JacobiPreconditioner: diagonal entry \(i) is \(d); "
                    + "every entry must be finite and non-zero")
            }
            inverse[i] = 1 / d
        }
        self.inverseDiagonal = inverse
    }

    /// Creates the Jacobi preconditioner of a square matrix, `M = diag(A)`.
    ///
    /// - Parameter a: a square matrix with a finite, non-zero diagonal.
    /// - Throws: ``KrylovError/invalidOptions(_:)`` as ``init(diagonal:)``.
    public init(_ a: Matrix) throws(KrylovError) {
        precondition(a.isSquare, "JacobiPreconditioner: matrix is \(a.rows)×\(a.columns), not square")
        try self.init(diagonal: a.diagonalElements)
    }

    /// The order `n`.
    public var order: Int? { inverseDiagonal.count }

    /// Writes `z = M⁻¹ r`.
    public func apply(_ r: [Double], into z: inout [Double]) {
        BLAS.multiply(inverseDiagonal, r, into: &z)
    }

    /// `D⁻¹` when `preconditioner` is a Jacobi preconditioner of order `n` (or its transposed
    /// view, the same map), for the methods that apply it inside their own passes; else `nil`.
    static func inverseDiagonal(of preconditioner: (any Preconditioner)?, order n: Int) -> [Double]? {
        let jacobi = preconditioner as? JacobiPreconditioner
            ?? (preconditioner as? TransposedPreconditioner)?.base as? JacobiPreconditioner
        guard let d = jacobi?.inverseDiagonal, d.count == n else { return nil }
        return d
    }
}

/// A preconditioner given by closures.
///
/// Each closure must overwrite every entry of its `inout` buffer (length
/// `n`) and must not reallocate it.
public struct ClosurePreconditioner: Preconditioner {
    @usableFromInline let applyBody: ([Double], inout [Double]) -> Void
    @usableFromInline let transposeBody: (([Double], inout [Double]) -> Void)?

    /// Creates a preconditioner from closures.
    ///
    /// - Parameters:
    ///   - apply: writes `M⁻¹ r` into its second argument.
    ///   - applyTransposed: writes `M⁻ᵀ r`; `nil` (default) declares `M`
    ///     symmetric and reuses `apply`.
    public init(apply: @escaping ([Double], inout [Double]) -> Void,
                applyTransposed: (([Double], inout [Double]) -> Void)? = nil) {
        self.applyBody = apply
        self.transposeBody = applyTransposed
    }

    /// Writes `z = M⁻¹ r`.
    public func apply(_ r: [Double], into z: inout [Double]) { applyBody(r, &z) }

    /// Writes `z = M⁻ᵀ r` (the `apply` closure when none was given).
    public func applyTransposed(_ r: [Double], into z: inout [Double]) {
        if let t = transposeBody { t(r, &z) } else { applyBody(r, &z) }
    }
}

/// `M⁻ᵀ` seen as a preconditioner: what a transposed solve must use.
struct TransposedPreconditioner: Preconditioner {
    let base: any Preconditioner
    func apply(_ r: [Double], into z: inout [Double]) { base.applyTransposed(r, into: &z) }
    func applyTransposed(_ r: [Double], into z: inout [Double]) { base.apply(r, into: &z) }
    var order: Int? { base.order }
}
