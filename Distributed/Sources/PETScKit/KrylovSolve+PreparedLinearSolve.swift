import CPETSc
import LinearAlgebra

/// A PETSc KSP as the main package's two-phase solve, with every array read
/// as **this rank's slice** of a distributed vector.
///
/// ```
/// rows      = this rank's rows of A      (the length of its slice of b)
/// columns   = this rank's columns of A   (the length of its slice of x)
/// solve(b)  = this rank's slice of A⁻¹ b,  b given as this rank's slice
/// ```
///
/// The protocol's shape carries over once "the length of `b`" is read as
/// the local length: every rank calls `solve` at the same time with its own
/// slice (the call is collective), and gets its own slice of the answer; on
/// one rank the slices are the whole vectors and this is an ordinary
/// ``LinearAlgebra/PreparedLinearSolve``. The `Matrix` overloads (the
/// protocol's column-by-column defaults) read each column as a slice, so
/// every rank must pass the same number of columns. Generic code written for
/// one process works unchanged on one rank; on several ranks it must not
/// reduce over the slices itself (a norm of a slice is not the norm).
///
/// Failures: a KSP that stops without converging is
/// ``LinearAlgebra/LinearAlgebraError/notConverged(_:)`` with
/// ``KrylovSolve/lastStatistics`` (PETSc's reason in the method name; the
/// same on every rank, since the reason is global); a slice of the wrong
/// length is ``LinearAlgebra/LinearAlgebraError/dimensionMismatch(_:)`` on
/// the ranks where it is wrong, before any collective (a caller must agree on
/// lengths first, or the other ranks wait); any other PETSc failure is
/// ``LinearAlgebra/LinearAlgebraError/outOfMemory(_:)`` for PETSc's
/// out-of-memory code and ``LinearAlgebra/LinearAlgebraError/invalidArgument(_:)``
/// with PETSc's message otherwise.
extension KrylovSolve: PreparedLinearSolve {
    /// This rank's rows of `A` (the length of its slice of `b`).
    public var rows: Int { localSizes.rows }
    /// This rank's columns of `A` (the length of its slice of `x`).
    public var columns: Int { localSizes.columns }
    /// Always `false`: KSP solves square systems.
    public var isLeastSquares: Bool { false }

    /// Kind `"PETSc <ksp> + <pc>"`, iterations over every solve, the last solve's statistics.
    public var summary: LinearSolveSummary {
        LinearSolveSummary(kind: "PETSc \(kind)", iterations: iterations, lastStatistics: lastStatistics,
                           note: "solves: \(solves); PETSc does not count operator applications (0 above)")
    }

    /// This rank's slice of `x = A⁻¹ b` (collective).
    ///
    /// - Parameter b: this rank's slice of `b`, length ``rows``.
    /// - Returns: this rank's slice of `x`, length ``columns``.
    /// - Throws: ``LinearAlgebra/LinearAlgebraError`` as described on the extension.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        try sliced(b, count: rows, answer: columns, transposed: false)
    }

    /// This rank's slice of `w = A⁻ᵀ c`, by `KSPSolveTranspose` (collective).
    ///
    /// - Parameter c: this rank's slice of `c`, length ``columns``.
    /// - Returns: this rank's slice of `w`, length ``rows``.
    /// - Throws: ``LinearAlgebra/LinearAlgebraError`` as described on the extension.
    public func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] {
        try sliced(c, count: columns, answer: rows, transposed: true)
    }

    private var localSizes: (rows: Int, columns: Int) {
        var m: PetscInt = 0, n: PetscInt = 0
        MatGetLocalSize(operator_.handle, &m, &n)
        return (Int(m), Int(n))
    }

    private func sliced(_ input: [Double], count: Int, answer: Int,
                        transposed: Bool) throws(LinearAlgebraError) -> [Double] {
        guard input.count == count else {
            throw .dimensionMismatch("KrylovSolve: a slice of \(input.count) entries for this rank's \(count)")
        }
        do {
            var left: Vec?, right: Vec?
            try check(MatCreateVecs(operator_.handle, &right, &left), "MatCreateVecs")
            let x = DistributedVector(owning: right!), b = DistributedVector(owning: left!)
            if transposed {
                try x.setLocalEntries(input)
                try solveTransposed(x, into: b)
                return try b.localEntries()
            }
            try b.setLocalEntries(input)
            try solve(b, into: x)
            return try x.localEntries()
        } catch {
            throw Self.linearAlgebraError(error, statistics: lastStatistics)
        }
    }

    /// A ``PETScError`` in the main package's terms (see the extension's doc).
    static func linearAlgebraError(_ error: PETScError, statistics: KrylovStatistics?) -> LinearAlgebraError {
        switch error {
        case .kspNotConverged:
            if let statistics { return .notConverged(statistics) }
            return .invalidArgument("\(error)")
        case let .call(function, code, message) where code == PETSC_ERR_MEM:
            return .outOfMemory("PETSc \(function): \(message)")
        default:
            return .invalidArgument("PETSc: \(error)")
        }
    }
}
