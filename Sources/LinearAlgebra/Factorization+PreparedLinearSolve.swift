// The five dense factorizations as prepared linear solves: each is the
// "prepare" phase (its initializer) done, and serves plain and transposed
// solves, one or many right-hand sides, from the same factors.

extension LUFactorization: PreparedLinearSolve {
    /// The order `n`.
    public var rows: Int { dimension }
    /// The order `n`.
    public var columns: Int { dimension }
    /// `false`: LU solves square systems exactly.
    public var isLeastSquares: Bool { false }
    /// `lu`, with the reciprocal condition estimate and full rank.
    public var summary: LinearSolveSummary {
        LinearSolveSummary(kind: "lu", reciprocalCondition: reciprocalCondition, rank: dimension)
    }

    /// `x = A⁻¹ b` (`dgetrs`).
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)``, ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] { try solve(b, transposed: false) }
    /// `w = A⁻ᵀ c` from the same factors.
    ///
    /// - Throws: as `solve(_:)`.
    public func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] { try solve(c, transposed: true) }
    /// `X = A⁻¹ B`, one `dgetrs` call.
    ///
    /// - Throws: as `solve(_:)`.
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix { try solve(b, transposed: false) }
    /// `W = A⁻ᵀ C`, one `dgetrs` call.
    ///
    /// - Throws: as `solve(_:)`.
    public func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix { try solve(c, transposed: true) }
}

extension BandLUFactorization: PreparedLinearSolve {
    /// The order `n`.
    public var rows: Int { dimension }
    /// The order `n`.
    public var columns: Int { dimension }
    /// `false`: band LU solves square systems exactly.
    public var isLeastSquares: Bool { false }
    /// `band LU (lower kl, upper ku)`, with the reciprocal condition estimate and full rank.
    public var summary: LinearSolveSummary {
        LinearSolveSummary(kind: kind, reciprocalCondition: reciprocalCondition, rank: dimension)
    }
    /// The kind and the rank, no iterations (the condition estimate is not computed).
    public var counters: LinearSolveSummary { LinearSolveSummary(kind: kind, rank: dimension) }
    private var kind: String { "band LU (lower \(lowerBandwidth), upper \(upperBandwidth))" }

    /// `x = A⁻¹ b` (`dgbtrs`).
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)``, ``LinearAlgebraError/nonFiniteInput(_:)``.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] { try solve(b, transposed: false) }
    /// `w = A⁻ᵀ c` from the same factors.
    ///
    /// - Throws: as `solve(_:)`.
    public func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] { try solve(c, transposed: true) }
    /// `X = A⁻¹ B`, one `dgbtrs` call.
    ///
    /// - Throws: as `solve(_:)`.
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix { try solve(b, transposed: false) }
    /// `W = A⁻ᵀ C`, one `dgbtrs` call.
    ///
    /// - Throws: as `solve(_:)`.
    public func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix { try solve(c, transposed: true) }
}

extension CholeskyFactorization: PreparedLinearSolve {
    /// The order `n`.
    public var rows: Int { dimension }
    /// The order `n`.
    public var columns: Int { dimension }
    /// `false`.
    public var isLeastSquares: Bool { false }
    /// `cholesky`, with the reciprocal condition estimate and full rank.
    public var summary: LinearSolveSummary {
        LinearSolveSummary(kind: "cholesky", reciprocalCondition: reciprocalCondition, rank: dimension)
    }

    /// `Aᵀ = A`: the plain solve.
    ///
    /// - Throws: as `solve(_:)`.
    public func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] { try solve(c) }
    /// `Aᵀ = A`: the plain solve.
    ///
    /// - Throws: as `solve(_:)`.
    public func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix { try solve(c) }
}

extension QRFactorization: PreparedLinearSolve {
    /// `true`: least squares (tall `A`) or minimum norm (wide `A`).
    public var isLeastSquares: Bool { true }
    /// `qr`, with full rank (QR refuses rank-deficient matrices).
    public var summary: LinearSolveSummary {
        LinearSolveSummary(kind: "qr", rank: Swift.min(rows, columns))
    }
}

extension SVDFactorization: PreparedLinearSolve {
    /// `true`: the pseudo-inverse `A⁺`.
    public var isLeastSquares: Bool { true }
    /// `svd`, with the reciprocal condition (`σ_min / σ_max`) and the numerical rank.
    public var summary: LinearSolveSummary {
        LinearSolveSummary(kind: "svd", reciprocalCondition: reciprocalCondition, rank: rank)
    }
}
