/// LU kernels for small orders, written in Swift (they call no LAPACK
/// routine): the same algorithms as LAPACK's `dgetf2` (unblocked partial
/// pivoting), `dgetrs` and `dgecon` (Hager–Higham 1-norm estimator,
/// `dlacn2`), without the fixed cost of the library calls.
///
/// At these orders the library's fixed cost per call (argument checks, and
/// for `dgecon` the column norms and scale factors that its scaled triangular
/// solver `dlatrs` computes on every call) exceeds the arithmetic; the
/// figures are in `docs/performance.md`. Above ``smallOrder`` the blocked
/// LAPACK routines are used instead.
///
/// Differences from LAPACK, all in rounding or in cases that end the same way:
///
/// 1. Pivot rows are chosen exactly as `idamax` does (first entry of largest
///    magnitude), so the factors match up to the order of the floating-point
///    operations in the trailing update.
/// 2. The condition estimator uses plain triangular solves instead of
///    `dlatrs`'s scaled ones; if a solve overflows (the matrix is numerically
///    singular at the scale of `Double`), the estimate is `0` — where `dgecon`
///    would return a value below the overflow threshold, equally "singular".
@usableFromInline
enum SmallLUKernels {
    /// Largest order factored, solved and estimated by the Swift kernels.
    @usableFromInline static var smallOrder: Int { 16 }

    /// `P A = L U` in place for the column-major `n × n` matrix `a`
    /// (`dgetf2`); one-based pivots, LAPACK's `info` (`k > 0`: `U[k−1, k−1]`
    /// is exactly zero, the factorization is completed anyway).
    @usableFromInline
    static func getrfSmall(_ n: Int, _ a: UnsafeMutablePointer<Double>,
                           pivots: UnsafeMutablePointer<LAPACKInt>) -> LAPACKInt {
        var info: LAPACKInt = 0
        for j in 0..<n {
            let column = a + j * n
            var p = j, largest = Swift.abs(column[j])
            for i in (j + 1)..<n where Swift.abs(column[i]) > largest {
                p = i
                largest = Swift.abs(column[i])
            }
            pivots[j] = LAPACKInt(p + 1)
            let pivot = column[p]
            if pivot != 0 {
                if p != j {
                    for c in 0..<n { swap(&a[j + c * n], &a[p + c * n]) }
                }
                let r = 1 / pivot
                for i in (j + 1)..<n { column[i] *= r }
            } else if info == 0 {
                info = LAPACKInt(j + 1)
            }
            // Trailing update A[j+1:, j+1:] −= l · uᵀ, column by column (contiguous inner loop).
            for c in (j + 1)..<n {
                let target = a + c * n
                let u = target[j]
                if u == 0 { continue }
                for i in (j + 1)..<n { target[i] -= column[i] * u }
            }
        }
        return info
    }

    /// Solves `A X = B` or `Aᵀ X = B` with the factors of ``getrfSmall(_:_:pivots:)``
    /// for the `k` columns of the column-major `n × k` block `b`, in place.
    @usableFromInline
    static func getrsSmall(transpose: Bool, _ n: Int, rightHandSides k: Int, _ a: UnsafePointer<Double>,
                           pivots: UnsafePointer<LAPACKInt>, _ b: UnsafeMutablePointer<Double>) {
        for column in 0..<k {
            let x = b + column * n
            if transpose {
                solveUpperTransposed(n, a, x)
                solveUnitLowerTransposed(n, a, x)
                for i in stride(from: n - 1, through: 0, by: -1) {
                    let p = Int(pivots[i]) - 1
                    if p != i { swap(&x[i], &x[p]) }
                }
            } else {
                for i in 0..<n {
                    let p = Int(pivots[i]) - 1
                    if p != i { swap(&x[i], &x[p]) }
                }
                solveUnitLower(n, a, x)
                solveUpper(n, a, x)
            }
        }
    }

    /// `x ← L⁻¹ x`, `L` the unit lower triangle of `a`.
    @inline(__always)
    static func solveUnitLower(_ n: Int, _ a: UnsafePointer<Double>, _ x: UnsafeMutablePointer<Double>) {
        for j in 0..<n {
            let xj = x[j]
            if xj == 0 { continue }
            let column = a + j * n
            for i in (j + 1)..<n { x[i] -= xj * column[i] }
        }
    }

    /// `x ← U⁻¹ x`, `U` the upper triangle of `a`.
    @inline(__always)
    static func solveUpper(_ n: Int, _ a: UnsafePointer<Double>, _ x: UnsafeMutablePointer<Double>) {
        for j in stride(from: n - 1, through: 0, by: -1) {
            let column = a + j * n
            let xj = x[j] / column[j]
            x[j] = xj
            if xj == 0 { continue }
            for i in 0..<j { x[i] -= xj * column[i] }
        }
    }

    /// `x ← U⁻ᵀ x`.
    @inline(__always)
    static func solveUpperTransposed(_ n: Int, _ a: UnsafePointer<Double>, _ x: UnsafeMutablePointer<Double>) {
        for j in 0..<n {
            let column = a + j * n
            var s = x[j]
            for i in 0..<j { s -= column[i] * x[i] }
            x[j] = s / column[j]
        }
    }

    /// `x ← L⁻ᵀ x`.
    @inline(__always)
    static func solveUnitLowerTransposed(_ n: Int, _ a: UnsafePointer<Double>, _ x: UnsafeMutablePointer<Double>) {
        for j in stride(from: n - 1, through: 0, by: -1) {
            let column = a + j * n
            var s = x[j]
            for i in (j + 1)..<n { s -= column[i] * x[i] }
            x[j] = s
        }
    }

    /// The reciprocal 1-norm condition estimate `1 / (‖A‖₁ · est ‖A⁻¹‖₁)`
    /// from the factors of ``getrfSmall(_:_:pivots:)`` (`dgecon` with
    /// `dlacn2`'s estimator; `P` does not change the 1-norm of `A⁻¹ = U⁻¹L⁻¹P`,
    /// so it is left out, as `dgecon` does).
    ///
    /// `dlacn2` (Higham 1988, Algorithm 4.1): start from `x = (1/n, …, 1/n)`;
    /// alternate `v = A⁻¹x` and `z = A⁻ᵀ sign(v)`, moving `x` to the unit vector
    /// at `argmax |z|`, until the signs repeat, the estimate stops growing, or
    /// five iterations; finally compare with the alternating vector
    /// `x_i = ±(1 + i/(n−1))`, whose image gives `2‖A⁻¹x‖₁ / (3n)`.
    @usableFromInline
    static func geconSmall(_ n: Int, _ a: UnsafePointer<Double>, anorm: Double) -> Double {
        reciprocalConditionEstimate(n, anorm: anorm,
                                    inverse: { solveUnitLower(n, a, $0); solveUpper(n, a, $0) },
                                    inverseTransposed: { solveUpperTransposed(n, a, $0); solveUnitLowerTransposed(n, a, $0) })
    }

    /// `1 / (‖A‖₁ · est ‖A⁻¹‖₁)` by `dlacn2`'s estimator (see
    /// ``geconSmall(_:_:anorm:)``) with the given in-place products
    /// `x ← A⁻¹x` and `x ← A⁻ᵀx`; `0` when a product overflows.
    @inline(__always)
    static func reciprocalConditionEstimate(_ n: Int, anorm: Double,
                                            inverse: (UnsafeMutablePointer<Double>) -> Void,
                                            inverseTransposed: (UnsafeMutablePointer<Double>) -> Void) -> Double {
        guard n > 0 else { return 1 }
        guard anorm > 0 else { return 0 }
        guard anorm.isFinite else { return 0 }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * n) { buffer -> Double in
            let x = buffer.baseAddress!, signs = x + n
            func oneNorm() -> Double { var s = 0.0; for i in 0..<n { s += Swift.abs(x[i]) }; return s }
            func argmaxAbs() -> Int {
                var j = 0, largest = Swift.abs(x[0])
                for i in 1..<n where Swift.abs(x[i]) > largest { j = i; largest = Swift.abs(x[i]) }
                return j
            }
            for i in 0..<n { x[i] = 1 / Double(n) }
            inverse(x)
            var estimate = oneNorm()
            if n > 1 {
                for i in 0..<n { x[i] = x[i] >= 0 ? 1 : -1; signs[i] = x[i] }
                inverseTransposed(x)
                var j = argmaxAbs()
                var iteration = 2
                while true {
                    for i in 0..<n { x[i] = 0 }
                    x[j] = 1
                    inverse(x)
                    let previous = estimate
                    estimate = oneNorm()
                    var repeated = true
                    for i in 0..<n where (x[i] >= 0 ? 1.0 : -1.0) != signs[i] { repeated = false; break }
                    if repeated || estimate <= previous { break }
                    for i in 0..<n { x[i] = x[i] >= 0 ? 1 : -1; signs[i] = x[i] }
                    inverseTransposed(x)
                    let last = j
                    j = argmaxAbs()
                    if x[last] != Swift.abs(x[j]) && iteration < 5 {
                        iteration += 1
                        continue
                    }
                    break
                }
                var alternating = 1.0
                for i in 0..<n {
                    x[i] = alternating * (1 + Double(i) / Double(n - 1))
                    alternating = -alternating
                }
                inverse(x)
                let candidate = 2 * (oneNorm() / Double(3 * n))
                if candidate > estimate { estimate = candidate }
            }
            guard estimate.isFinite else { return 0 }   // a solve overflowed: numerically singular
            return estimate == 0 ? 0 : (1 / estimate) / anorm
        }
    }
}
