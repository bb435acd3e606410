/// The numerical failures of the dense linear-algebra layer.
///
/// Shape mistakes at the public entry points of factorizations are reported
/// with ``dimensionMismatch(_:)`` rather than a trap, so that a caller
/// building systems from user input can recover; indexing mistakes remain
/// `precondition` failures.
public enum LinearAlgebraError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `U[pivot, pivot]` is exactly zero in the LU factorization: the matrix is
    /// singular. `pivot` is zero-based (LAPACK's `info − 1`).
    case singular(pivot: Int)
    /// The leading minor of order `minor` (one-based, as LAPACK reports it) is
    /// not positive: the matrix is not symmetric positive definite.
    case notPositiveDefinite(minor: Int)
    /// Operands have incompatible shapes; the string names them.
    case dimensionMismatch(String)
    /// An argument is out of its valid range; the string says which.
    case invalidArgument(String)
    /// The input contains NaN or ±∞.
    case nonFiniteInput(String)
    /// The matrix does not have full rank where full rank is required
    /// (e.g. QR least squares); `rank` is the numerical rank found.
    case rankDeficient(rank: Int, expected: Int)
    /// An iterative LAPACK routine (the SVD) did not converge.
    case noConvergence(String)
    /// A factorization would need more memory than allowed: `estimatedBytes`
    /// (the library's estimate, made before allocating) exceeds `limitBytes`.
    case memoryLimitExceeded(estimatedBytes: Int, limitBytes: Int)
    /// A library ran out of memory during a factorization; the string says where.
    case outOfMemory(String)
    /// An iterative solve (a Krylov method prepared as a ``PreparedLinearSolve``)
    /// did not converge; the statistics say how far it got and what to try.
    case notConverged(KrylovStatistics)

    /// One line: what went wrong and what to try.
    public var description: String {
        switch self {
        case .singular(let pivot):
            return "matrix is singular: zero pivot at column \(pivot) of the LU factorization; "
                + "use a least-squares solve (QR/SVD) if the system is consistent"
        case .notPositiveDefinite(let minor):
            return "matrix is not positive definite: leading minor of order \(minor) is not positive; "
                + "use LU, or check that the matrix is symmetric positive definite"
        case .dimensionMismatch(let what):
            return "dimension mismatch: \(what)"
        case .invalidArgument(let what):
            return "invalid argument: \(what)"
        case .nonFiniteInput(let what):
            return "non-finite input (NaN or ±∞): \(what); check the inputs for overflow or division by zero"
        case .rankDeficient(let rank, let expected):
            return "matrix is rank deficient: numerical rank \(rank) < \(expected); "
                + "use the rank-revealing (SVD) least-squares solve"
        case .noConvergence(let what):
            return "LAPACK iteration did not converge: \(what)"
        case .memoryLimitExceeded(let estimate, let limit):
            return "the factorization would need about \(estimate) bytes, above the limit of \(limit) bytes; "
                + "raise the limit or use an iterative (Krylov) solve"
        case .outOfMemory(let what):
            return "out of memory: \(what); use an iterative (Krylov) solve or a fill-reducing ordering"
        case .notConverged(let statistics):
            return statistics.description
        }
    }
}
