import LinearAlgebra

/// The errors of the Krylov layer.
///
/// Numerical failure is not thrown by the solvers themselves (they return a
/// ``KrylovResult`` whose status says what happened); it is thrown by
/// `KrylovStatistics/requireConverged()` for callers that want an error.
/// Invalid settings are thrown at construction.
public enum KrylovError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The solve ended without meeting its tolerance; the statistics say how
    /// and what to try.
    case notConverged(KrylovStatistics)
    /// A setting is out of range (negative or NaN tolerance, `maxIterations < 1`,
    /// `restart < 1`, a zero Jacobi diagonal entry); the string says which.
    case invalidOptions(String)
    /// An incomplete factorization broke down (a zero or non-finite pivot in
    /// ILU(0), a non-positive one in IC(0)); the string names the row.
    case preconditionerBreakdown(String)

    /// One line: what went wrong and what to try.
    public var description: String {
        switch self {
        case .notConverged(let statistics): return statistics.description
        case .invalidOptions(let what): return "invalid Krylov options: \(what)"
        case .preconditionerBreakdown(let what):
            return "the incomplete factorization broke down: \(what); "
                + "try the Jacobi preconditioner, a diagonal shift, or a sparse direct solve"
        }
    }
}

extension KrylovStatistics {
    /// Throws unless the solve succeeded (`KrylovStatus/isSuccess`: converged
    /// or zero right-hand side).
    ///
    /// - Throws: ``KrylovError/notConverged(_:)`` carrying these statistics.
    public func requireConverged() throws(KrylovError) {
        if !status.isSuccess { throw .notConverged(self) }
    }
}
