import LinearAlgebra

/// One factorization of `A` serving `A⁻¹` (or `A⁺`) and `A⁻ᵀ` (or `(Aᵀ)⁺`)
/// for one or many right-hand sides.
enum DenseFactorization: Sendable {
    case lu(LUFactorization)
    /// LU on the band of a banded `A` (reported as `.lu`).
    case bandLU(BandLUFactorization)
    case cholesky(CholeskyFactorization)
    case qr(QRFactorization)
    case svd(SVDFactorization)

    /// `A⁻¹ b`, or `A⁺ b` for the least-squares factorizations.
    func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        switch self {
        case .lu(let f): return try f.solve(b)
        case .bandLU(let f): return try f.solve(b)
        case .cholesky(let f): return try f.solve(b)
        case .qr(let f): return try f.solve(b)
        case .svd(let f): return try f.solve(b)
        }
    }

    /// `A⁻ᵀ c`, or `(Aᵀ)⁺ c = (A⁺)ᵀ c` for the least-squares factorizations.
    func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] {
        switch self {
        case .lu(let f): return try f.solve(c, transposed: true)
        case .bandLU(let f): return try f.solve(c, transposed: true)
        case .cholesky(let f): return try f.solve(c)
        case .qr(let f): return try f.solveTransposed(c)
        case .svd(let f): return try f.solveTransposed(c)
        }
    }

    /// `A⁻¹ B` for many right-hand sides at once.
    func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        switch self {
        case .lu(let f): return try f.solve(b)
        case .bandLU(let f): return try f.solve(b)
        case .cholesky(let f): return try f.solve(b)
        case .qr(let f): return try f.solve(b)
        case .svd(let f): return try f.solve(b)
        }
    }

    /// `A⁻ᵀ C` for many right-hand sides at once.
    func solveTransposed(_ c: Matrix) throws(LinearAlgebraError) -> Matrix {
        switch self {
        case .lu(let f): return try f.solve(c, transposed: true)
        case .bandLU(let f): return try f.solve(c, transposed: true)
        case .cholesky(let f): return try f.solve(c)
        case .qr(let f): return try f.solveTransposed(c)
        case .svd(let f): return try f.solveTransposed(c)
        }
    }

    /// Factors `a` with the requested direct solver, applying the singularity
    /// rules of ``SolvePlan``.
    ///
    /// - Returns: the factorization, the solver actually used, its
    ///   reciprocal condition estimate and rank when known, and a note when
    ///   a fallback happened.
    static func factor(_ a: Matrix, solver: LinearSolver, automatic: Bool, minimumReciprocalCondition: Double)
        throws(ImplicitDifferentiationError) -> (DenseFactorization, used: LinearSolver, rcond: Double?, rank: Int?, note: String?, fellBack: Bool)
    {
        func svd(note: String?, fellBack: Bool = true) throws(ImplicitDifferentiationError)
            -> (DenseFactorization, used: LinearSolver, rcond: Double?, rank: Int?, note: String?, fellBack: Bool) {
            do {
                let f = try SVDFactorization(a)
                let rank = f.rank
                var n = note
                if rank < min(a.rows, a.columns) {
                    n = (n.map { $0 + "; " } ?? "")
                        + "∂F/∂y has rank \(rank) < \(min(a.rows, a.columns)): the minimum-norm derivative is returned"
                }
                return (.svd(f), .svd, f.reciprocalCondition, rank, n, fellBack)
            } catch {
                throw .linearAlgebra(error)
            }
        }
        switch solver {
        case .lu:
            guard a.isSquare else {
                throw .dimensionMismatch("LU needs as many equations as unknowns, F has \(a.rows) for \(a.columns); use .qr")
            }
            // The same singularity rules whether the LU runs on the band or the whole matrix.
            let factored: DenseFactorization, rcond: Double
            do {
                if let band = bandedShape(a) {
                    let f = try BandLUFactorization(a, lowerBandwidth: band.lower, upperBandwidth: band.upper)
                    (factored, rcond) = (.bandLU(f), f.reciprocalCondition)
                } else {
                    let f = try LUFactorization(a)
                    (factored, rcond) = (.lu(f), f.reciprocalCondition)   // read once: later reads re-enter the cache
                }
            } catch .singular(let pivot) {
                if automatic { return try svd(note: "LU found ∂F/∂y singular (zero pivot at \(pivot)); used svd") }
                throw .singularJacobian(pivot: pivot, reciprocalCondition: nil)
            } catch {
                throw .linearAlgebra(error)
            }
            if !(rcond >= minimumReciprocalCondition) {   // NaN fails
                if automatic {
                    return try svd(note: "LU found ∂F/∂y numerically singular (rcond ≈ \(rcond)); used svd")
                }
                throw .singularJacobian(pivot: nil, reciprocalCondition: rcond)
            }
            return (factored, .lu, rcond, a.rows, nil, false)
        case .cholesky:
            guard a.isSquare else {
                throw .dimensionMismatch("Cholesky needs a square ∂F/∂y, F has \(a.rows) equations for \(a.columns) unknowns")
            }
            let f: CholeskyFactorization
            do {
                f = try CholeskyFactorization(a)
            } catch .notPositiveDefinite(let minor) {
                if automatic { return try indefiniteFallback(a, minor: minor, minimumReciprocalCondition) }
                throw .notPositiveDefinite(minor: minor)
            } catch {
                throw .linearAlgebra(error)
            }
            if !(f.reciprocalCondition >= minimumReciprocalCondition) {
                throw .singularJacobian(pivot: nil, reciprocalCondition: f.reciprocalCondition)
            }
            return (.cholesky(f), .cholesky, f.reciprocalCondition, a.rows, nil, false)
        case .qr:
            do {
                let f = try QRFactorization(a)
                return (.qr(f), .qr, nil, min(a.rows, a.columns), nil, false)
            } catch .rankDeficient(let rank, _) {
                return try svd(note: "QR found ∂F/∂y rank deficient (rank \(rank)); used svd", fellBack: false)
            } catch {
                throw .linearAlgebra(error)
            }
        case .svd:
            return try svd(note: nil, fellBack: false)
        default:
            throw .invalidOption("\(solver) is not a direct solver")
        }
    }

    /// The bandwidths of `a` when a band LU is worth it, else `nil`: order at
    /// least 32 and a band (with pivoting's fill-in, `2kl + ku + 1` rows) at
    /// most a quarter of the order. The band LU costs about `2n·kl(kl + ku)`
    /// flops against `2n³/3` (a tridiagonal `A` at `n = 100`: 0.5k against
    /// 670k), the scan for the bandwidths `O(n²)` comparisons.
    static func bandedShape(_ a: Matrix) -> (lower: Int, upper: Int)? {
        let n = a.rows
        guard n >= 32 else { return nil }
        let band = BandLUFactorization.bandwidths(of: a)
        return 4 * (2 * band.lower + band.upper + 1) <= n ? band : nil
    }
}
