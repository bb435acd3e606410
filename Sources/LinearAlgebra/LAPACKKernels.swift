import CLAPACK

/// LAPACK's integer type (`lapack_int`, 32 bits on Debian), for pivot storage
/// in the factorizations; it never appears in the public API.
@usableFromInline
typealias LAPACKInt = clapack_int

/// The LAPACK routines this module calls, named for error messages.
@usableFromInline
enum LAPACKRoutine: String, Sendable {
    case getrf = "dgetrf", getrs = "dgetrs", gecon = "dgecon"
    case gbtrf = "dgbtrf", gbtrs = "dgbtrs", gbcon = "dgbcon"
    case potrf = "dpotrf", potrs = "dpotrs", pocon = "dpocon"
    case geqrf = "dgeqrf", ormqr = "dormqr", trtrs = "dtrtrs", trcon = "dtrcon"
    case gesdd = "dgesdd", gesvd = "dgesvd"
}

/// Maps a nonzero LAPACK `info` to the typed error: the only place in the
/// package that interprets `info`.
///
/// - `info < 0`: argument `−info` was illegal (a bug in this wrapper), or
///   LAPACKE could not allocate memory (`-1010`, `-1011`).
/// - `info > 0`, by routine: `getrf`, `gbtrf` → ``LinearAlgebraError/singular(pivot:)``
///   with the zero-based pivot `info − 1`; `potrf` →
///   ``LinearAlgebraError/notPositiveDefinite(minor:)`` with the one-based
///   `info`; `trtrs` → ``LinearAlgebraError/rankDeficient(rank:expected:)``
///   (`R[info−1, info−1]` is exactly zero, `order` is the expected rank);
///   `gesdd`/`gesvd` → ``LinearAlgebraError/noConvergence(_:)``.
@usableFromInline @inline(never)
func lapackError(_ info: clapack_int, in routine: LAPACKRoutine, order: Int) -> LinearAlgebraError {
    let name = routine.rawValue
    if info == clapack_int(LAPACK_WORK_MEMORY_ERROR) || info == clapack_int(LAPACK_TRANSPOSE_MEMORY_ERROR) {
        return .invalidArgument("\(name): LAPACKE could not allocate its workspace (out of memory)")
    }
    if info < 0 {
        return .invalidArgument("\(name): argument \(-info) had an illegal value (a bug in LinearAlgebra; please report it)")
    }
    let k = Int(info)
    switch routine {
    case .getrf, .gbtrf: return .singular(pivot: k - 1)
    case .potrf: return .notPositiveDefinite(minor: k)
    case .trtrs: return .rankDeficient(rank: k - 1, expected: order)
    case .gesdd, .gesvd:
        return .noConvergence("\(name): \(k) superdiagonals of the bidiagonal form did not converge to zero")
    case .getrs, .gecon, .gbtrs, .gbcon, .potrs, .pocon, .geqrf, .ormqr, .trcon:
        return .invalidArgument("\(name): unexpected info = \(k) (a bug in LinearAlgebra; please report it)")
    }
}

/// Pointer-level LAPACK helpers (column-major, `LAPACKE_*_work`): the only
/// place, with `BLASKernels`, where raw pointers meet C. Callers guarantee the
/// buffer sizes; every function returns LAPACK's `info` unchanged.
@usableFromInline
enum LAPACKKernels {
    @inlinable static var layout: Int32 { Int32(LAPACK_COL_MAJOR) }

    @inlinable
    static func char(_ c: Unicode.Scalar) -> CChar { CChar(truncatingIfNeeded: c.value) }

    @inlinable
    static func int(_ n: Int) -> clapack_int { clapack_int(n) }

    // MARK: LU

    @inlinable
    static func getrf(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int,
                      pivots: UnsafeMutablePointer<clapack_int>) -> clapack_int {
        LAPACKE_dgetrf_work(layout, int(m), int(n), a, int(lda), pivots)
    }

    @inlinable
    static func getrs(transpose: Bool, _ n: Int, rightHandSides k: Int, _ a: UnsafePointer<Double>, lda: Int,
                      pivots: UnsafePointer<clapack_int>, _ b: UnsafeMutablePointer<Double>, ldb: Int) -> clapack_int {
        LAPACKE_dgetrs_work(layout, char(transpose ? "T" : "N"), int(n), int(k), a, int(lda), pivots, b, int(ldb))
    }

    /// Reciprocal 1-norm condition estimate from LU factors; `anorm = ‖A‖₁`.
    @inlinable
    static func gecon(_ n: Int, _ a: UnsafePointer<Double>, lda: Int, anorm: Double,
                      rcond: inout Double) -> clapack_int {
        var work = [Double](repeating: 0, count: 4 * n)
        var iwork = [clapack_int](repeating: 0, count: n)
        return LAPACKE_dgecon_work(layout, char("1"), int(n), a, int(lda), anorm, &rcond, &work, &iwork)
    }

    // MARK: Cholesky (lower triangle)

    @inlinable
    static func potrf(_ n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int) -> clapack_int {
        LAPACKE_dpotrf_work(layout, char("L"), int(n), a, int(lda))
    }

    @inlinable
    static func potrs(_ n: Int, rightHandSides k: Int, _ a: UnsafePointer<Double>, lda: Int,
                      _ b: UnsafeMutablePointer<Double>, ldb: Int) -> clapack_int {
        LAPACKE_dpotrs_work(layout, char("L"), int(n), int(k), a, int(lda), b, int(ldb))
    }

    @inlinable
    static func pocon(_ n: Int, _ a: UnsafePointer<Double>, lda: Int, anorm: Double,
                      rcond: inout Double) -> clapack_int {
        var work = [Double](repeating: 0, count: 3 * n)
        var iwork = [clapack_int](repeating: 0, count: n)
        return LAPACKE_dpocon_work(layout, char("L"), int(n), a, int(lda), anorm, &rcond, &work, &iwork)
    }

    // MARK: QR

    /// `A = QR` in place (Householder reflectors below the diagonal, `tau`
    /// of length `min(m, n)`); allocates its own workspace after a query.
    static func geqrf(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int,
                      tau: UnsafeMutablePointer<Double>) -> clapack_int {
        var query = 0.0
        let info = LAPACKE_dgeqrf_work(layout, int(m), int(n), a, int(lda), tau, &query, -1)
        guard info == 0 else { return info }
        var work = [Double](repeating: 0, count: Swift.max(1, Int(query)))
        return LAPACKE_dgeqrf_work(layout, int(m), int(n), a, int(lda), tau, &work, int(work.count))
    }

    /// `C ← Q C` or `C ← Qᵀ C` for the `m × m` orthogonal `Q` of `geqrf` with
    /// `k` reflectors stored in `a` (`m × k`); `C` is `m × n`.
    static func ormqr(transpose: Bool, _ m: Int, _ n: Int, reflectors k: Int,
                      _ a: UnsafePointer<Double>, lda: Int, tau: UnsafePointer<Double>,
                      _ c: UnsafeMutablePointer<Double>, ldc: Int) -> clapack_int {
        let side = char("L"), trans = char(transpose ? "T" : "N")
        var query = 0.0
        let info = LAPACKE_dormqr_work(layout, side, trans, int(m), int(n), int(k), a, int(lda), tau,
                                       c, int(ldc), &query, -1)
        guard info == 0 else { return info }
        var work = [Double](repeating: 0, count: Swift.max(1, Int(query)))
        return LAPACKE_dormqr_work(layout, side, trans, int(m), int(n), int(k), a, int(lda), tau,
                                   c, int(ldc), &work, int(work.count))
    }

    /// `B ← R⁻¹ B` or `B ← R⁻ᵀ B` for the upper triangle `R` (`n × n`) of `a`.
    @inlinable
    static func trtrs(transpose: Bool, _ n: Int, rightHandSides k: Int, _ a: UnsafePointer<Double>, lda: Int,
                      _ b: UnsafeMutablePointer<Double>, ldb: Int) -> clapack_int {
        LAPACKE_dtrtrs_work(layout, char("U"), char(transpose ? "T" : "N"), char("N"), int(n), int(k),
                            a, int(lda), b, int(ldb))
    }

    /// Reciprocal 1-norm condition estimate of the upper triangle `R` (`n × n`) of `a`.
    @inlinable
    static func trcon(_ n: Int, _ a: UnsafePointer<Double>, lda: Int, rcond: inout Double) -> clapack_int {
        var work = [Double](repeating: 0, count: 3 * n)
        var iwork = [clapack_int](repeating: 0, count: n)
        return LAPACKE_dtrcon_work(layout, char("1"), char("U"), char("N"), int(n), a, int(lda), &rcond,
                                   &work, &iwork)
    }

    // MARK: SVD

    /// Thin SVD `A = U Σ Vᵀ` by divide and conquer; destroys `a`. `u` is
    /// `m × min(m,n)`, `vt` is `min(m,n) × n`, `s` has `min(m,n)` entries.
    static func gesdd(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int,
                      s: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>, ldu: Int,
                      vt: UnsafeMutablePointer<Double>, ldvt: Int) -> clapack_int {
        var iwork = [clapack_int](repeating: 0, count: 8 * Swift.min(m, n))
        var query = 0.0
        let info = LAPACKE_dgesdd_work(layout, char("S"), int(m), int(n), a, int(lda), s, u, int(ldu),
                                       vt, int(ldvt), &query, -1, &iwork)
        guard info == 0 else { return info }
        var work = [Double](repeating: 0, count: Swift.max(1, Int(query)))
        return LAPACKE_dgesdd_work(layout, char("S"), int(m), int(n), a, int(lda), s, u, int(ldu),
                                   vt, int(ldvt), &work, int(work.count), &iwork)
    }

    /// Thin SVD by QR iteration (the slower, more robust fallback); same
    /// shapes as ``gesdd(_:_:_:lda:s:u:ldu:vt:ldvt:)``.
    static func gesvd(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int,
                      s: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>, ldu: Int,
                      vt: UnsafeMutablePointer<Double>, ldvt: Int) -> clapack_int {
        var query = 0.0
        let info = LAPACKE_dgesvd_work(layout, char("S"), char("S"), int(m), int(n), a, int(lda), s,
                                       u, int(ldu), vt, int(ldvt), &query, -1)
        guard info == 0 else { return info }
        var work = [Double](repeating: 0, count: Swift.max(1, Int(query)))
        return LAPACKE_dgesvd_work(layout, char("S"), char("S"), int(m), int(n), a, int(lda), s,
                                   u, int(ldu), vt, int(ldvt), &work, int(work.count))
    }
}
