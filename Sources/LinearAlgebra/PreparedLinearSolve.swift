/// A linear solver prepared for one operator `A` (`rows × columns`): the
/// second phase of "prepare once, solve many".
///
/// ```
/// prepare(A)            factor A, or set up a Krylov method on A    (once)
/// solve(b)              x = A⁻¹ b      or the least-squares x = A⁺ b
/// solveTransposed(c)    w = A⁻ᵀ c      or w = (A⁺)ᵀ c
/// ```
///
/// Every direct factorization (``LUFactorization``, ``BandLUFactorization``,
/// ``CholeskyFactorization``, ``QRFactorization``, ``SVDFactorization``)
/// conforms, and so does every Krylov method once set up on an operator
/// (`KrylovLinearSolve` in the Krylov module). A transposed solve reuses the
/// preparation: it never refactors. For a least-squares preparation
/// (``isLeastSquares``) `solve` returns the minimum-norm least-squares
/// solution and `solveTransposed` its exact adjoint `(A⁺)ᵀ c`.
///
/// Failures are ``LinearAlgebraError`` values: the factorizations' own
/// errors, and ``LinearAlgebraError/notConverged(_:)`` with the full
/// ``KrylovStatistics`` for an iterative solve that did not converge.
public protocol PreparedLinearSolve: Sendable {
    /// The number of rows of `A` (the length of `b`).
    var rows: Int { get }
    /// The number of columns of `A` (the length of `x`).
    var columns: Int { get }
    /// `true` when `solve(_:)` returns a least-squares / minimum-norm answer.
    var isLeastSquares: Bool { get }
    /// What this preparation is, for reports: kind, condition estimate, rank, Krylov statistics.
    var summary: LinearSolveSummary { get }
    /// The summary's kind, iteration counters and last Krylov statistics, without what
    /// else ``summary`` computes on demand (a band LU's condition estimate, for one): the
    /// condition and rank may be left `nil`. Default: ``summary``.
    var counters: LinearSolveSummary { get }

    /// `x = A⁻¹ b` (or `A⁺ b`).
    ///
    /// - Parameter b: length ``rows``, finite.
    /// - Returns: `x`, length ``columns``.
    /// - Throws: ``LinearAlgebraError``.
    func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double]

    /// `w = A⁻ᵀ c` (or `(A⁺)ᵀ c`), from the same preparation.
    ///
    /// - Parameter c: length ``columns``, finite.
    /// - Returns: `w`, length ``rows``.
    /// - Throws: ``LinearAlgebraError``.
    func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double]

    /// `X = A⁻¹ B` for every column of `B` (`rows × r`).
    ///
    /// - Throws: ``LinearAlgebraError``.
    func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix

    /// `W = A⁻ᵀ C` for every column of `C` (`columns × r`).
    ///
    /// - Throws: ``LinearAlgebraError``.
    func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix
}

extension PreparedLinearSolve {
    /// ``summary``.
    public var counters: LinearSolveSummary { summary }

    /// Column by column through `solve(_:)` (the default for
    /// solvers without a blocked multi-right-hand-side solve).
    ///
    /// - Throws: the first column's failure; `.dimensionMismatch` when a
    ///   column's answer has the wrong length.
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        try columnByColumn(b, rows: columns) { (v: [Double]) throws(LinearAlgebraError) in try solve(v) }
    }

    /// Column by column through `solveTransposed(_:)`.
    ///
    /// - Throws: the first column's failure; `.dimensionMismatch` when a
    ///   column's answer has the wrong length.
    public func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix {
        try columnByColumn(c, rows: rows) { (v: [Double]) throws(LinearAlgebraError) in try solveTransposed(v) }
    }
}

/// Applies `solve` to each column of `b`, giving a `rows × b.columns` matrix.
///
/// - Throws: the first column's failure; `.dimensionMismatch` when a column's
///   answer does not have `rows` values (a conformance's bug, reported rather than trapped).
func columnByColumn(_ b: Matrix, rows: Int, _ solve: ([Double]) throws(LinearAlgebraError) -> [Double])
    throws(LinearAlgebraError) -> Matrix
{
    var x = Matrix(rows: rows, columns: b.columns)
    for j in 0..<b.columns {
        let column = try solve(b.column(j))
        guard column.count == rows else {
            throw .dimensionMismatch("a solve returned \(column.count) values for column \(j), expected \(rows)")
        }
        x.setColumn(j, to: column)
    }
    return x
}

/// What a ``PreparedLinearSolve`` is and what it has done, for reports.
public struct LinearSolveSummary: Sendable, Equatable, CustomStringConvertible {
    /// The kind of solver: `"lu"`, `"band LU (lower 1, upper 1)"`, `"cholesky"`, `"qr"`, `"svd"`, `"GMRES"`, …
    public var kind: String
    /// The reciprocal condition estimate of `A` when the solver has one.
    public var reciprocalCondition: Double?
    /// The (numerical) rank of `A` when the solver knows it.
    public var rank: Int?
    /// Iterative solvers: iterations summed over every solve so far.
    public var iterations: Int
    /// Iterative solvers: operator applications summed over every solve so far.
    public var operatorApplications: Int
    /// Iterative solvers: the statistics of the most recent solve.
    public var lastStatistics: KrylovStatistics?
    /// A remark on the preparation (a fallback taken, a rank deficiency), or `nil`.
    public var note: String?

    /// Creates a summary.
    ///
    /// - Parameters: see the properties.
    public init(kind: String, reciprocalCondition: Double? = nil, rank: Int? = nil, iterations: Int = 0,
                operatorApplications: Int = 0, lastStatistics: KrylovStatistics? = nil, note: String? = nil) {
        self.kind = kind
        self.reciprocalCondition = reciprocalCondition
        self.rank = rank
        self.iterations = iterations
        self.operatorApplications = operatorApplications
        self.lastStatistics = lastStatistics
        self.note = note
    }

    /// One line: kind, then whatever is known.
    public var description: String {
        var s = kind
        if let r = reciprocalCondition { s += ", rcond ≈ \(shortScientific(r))" }
        if let rank { s += ", rank \(rank)" }
        if iterations > 0 || lastStatistics != nil {
            s += ", \(iterations) iterations, \(operatorApplications) operator applications"
        }
        if let note { s += "; \(note)" }
        return s
    }
}
