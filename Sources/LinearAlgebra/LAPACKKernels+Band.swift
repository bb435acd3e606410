import CLAPACK

/// LAPACK's band LU (`dgbtrf`, `dgbtrs`, `dgbcon`) on the band storage of
/// ``BandSolveKernels``.
extension LAPACKKernels {
    @inlinable
    static func gbtrf(_ n: Int, lower kl: Int, upper ku: Int, _ ab: UnsafeMutablePointer<Double>,
                      pivots: UnsafeMutablePointer<LAPACKInt>) -> LAPACKInt {
        LAPACKE_dgbtrf_work(layout, int(n), int(n), int(kl), int(ku), ab,
                            int(BandSolveKernels.bandLeadingDimension(lower: kl, upper: ku)), pivots)
    }

    @inlinable
    static func gbtrs(transpose: Bool, _ n: Int, lower kl: Int, upper ku: Int, rightHandSides k: Int,
                      _ ab: UnsafePointer<Double>, pivots: UnsafePointer<LAPACKInt>,
                      _ b: UnsafeMutablePointer<Double>) -> LAPACKInt {
        LAPACKE_dgbtrs_work(layout, char(transpose ? "T" : "N"), int(n), int(kl), int(ku), int(k), ab,
                            int(BandSolveKernels.bandLeadingDimension(lower: kl, upper: ku)), pivots, b, int(n))
    }

    /// Reciprocal 1-norm condition estimate from band LU factors; `anorm = ‖A‖₁`.
    static func gbcon(_ n: Int, lower kl: Int, upper ku: Int, _ ab: UnsafePointer<Double>,
                      pivots: UnsafePointer<LAPACKInt>, anorm: Double, rcond: inout Double) -> LAPACKInt {
        var work = [Double](repeating: 0, count: 3 * n)
        var iwork = [LAPACKInt](repeating: 0, count: n)
        return LAPACKE_dgbcon_work(layout, char("1"), int(n), int(kl), int(ku), ab,
                                   int(BandSolveKernels.bandLeadingDimension(lower: kl, upper: ku)), pivots, anorm, &rcond,
                                   &work, &iwork)
    }
}
