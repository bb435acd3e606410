// The sparse and diagonal factorizations as prepared linear solves: the
// initializer is the "prepare" phase; their own `solve` / `solveTransposed`
// (one or many right-hand sides) are the protocol's.

extension SparseCholeskyFactorization: PreparedLinearSolve {
    /// The order `n`.
    public var rows: Int { dimension }
    /// The order `n`.
    public var columns: Int { dimension }
    /// `false`.
    public var isLeastSquares: Bool { false }
    /// `sparse cholesky (CHOLMOD, ordering)`, with CHOLMOD's condition estimate and full rank.
    public var summary: LinearSolveSummary {
        LinearSolveSummary(kind: "sparse cholesky (CHOLMOD, \(ordering))", reciprocalCondition: reciprocalCondition,
                           rank: dimension)
    }
}

extension SparseLUFactorization: PreparedLinearSolve {
    /// The order `n`.
    public var rows: Int { dimension }
    /// The order `n`.
    public var columns: Int { dimension }
    /// `false`.
    public var isLeastSquares: Bool { false }
    /// `sparse lu (UMFPACK, ordering)`, with UMFPACK's condition estimate and full rank.
    public var summary: LinearSolveSummary {
        LinearSolveSummary(kind: "sparse lu (UMFPACK, \(ordering))", reciprocalCondition: reciprocalCondition,
                           rank: dimension)
    }
}

extension DiagonalFactorization: PreparedLinearSolve {
    /// The order `n`.
    public var rows: Int { dimension }
    /// The order `n`.
    public var columns: Int { dimension }
    /// `false`.
    public var isLeastSquares: Bool { false }
    /// `diagonal`, with the exact reciprocal condition and full rank.
    public var summary: LinearSolveSummary {
        LinearSolveSummary(kind: "diagonal", reciprocalCondition: reciprocalCondition, rank: dimension)
    }
}
