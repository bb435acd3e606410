import AutoDiff

// Dense linear solves in any scalar type T (nested duals, tape scalars), for
// the implicit-function rule at second order, where A and the right-hand side
// carry derivatives themselves and LAPACK (Double only) cannot be used.
//
// Algorithm: Gaussian elimination with partial pivoting (Golub & Van Loan,
// "Matrix Computations", 4th ed., Alg. 3.4.1), done in T so that every
// operation differentiates. Deviations from the textbook:
//
// 1. Pivots are chosen by the magnitude of their primal (Double) value, so the
//    elimination order is the one plain Double evaluation would take.
// 2. A pivot with |primal| ≤ m·ε·max|A| is reported as singular (no
//    condition estimate): the caller returns NaNs and records the error.
// 3. k > m equations are reduced to the normal equations AᵀA v = Aᵀb (full
//    column rank assumed; squares the condition number — fine for the small,
//    well-conditioned systems of a second derivative), and the solution must
//    then satisfy A v = b to 1e-6 relative (consistency), else it is refused.

/// Solves `A v = b` in `T` for a column-major `k × m` matrix `a` (`k ≥ m`).
///
/// ```
/// k = m:  v = A⁻¹ b            (partial pivoting on primal values)
/// k > m:  v = (AᵀA)⁻¹ Aᵀ b     (must satisfy A v = b: consistent system)
/// ```
///
/// - Returns: `v` (length `m`), or the error: `.singularJacobian` for a
///   (numerically) singular `A`, `.inconsistentLinearization` when `k > m`
///   and `A v = b` has no solution.
func genericDenseSolve<T: DifferentiableScalar>(_ a: [T], rows k: Int, columns m: Int, _ b: [T])
    -> Result<[T], ImplicitDifferentiationError>
{
    precondition(a.count == k * m && b.count == k && k >= m, "genericDenseSolve: shapes disagree")
    if k == m { return luSolve(a, m, b) }
    // Normal equations: N = AᵀA (m × m), c = Aᵀb.
    var n = [T](repeating: T(0), count: m * m)
    var c = [T](repeating: T(0), count: m)
    for j in 0..<m {
        for i in 0..<m {
            var s = T(0)
            for r in 0..<k { s += a[r + i * k] * a[r + j * k] }
            n[i + j * m] = s
        }
        var s = T(0)
        for r in 0..<k { s += a[r + j * k] * b[r] }
        c[j] = s
    }
    let v: [T]
    switch luSolve(n, m, c) {
    case .success(let s): v = s
    case .failure(let e): return .failure(e)
    }
    var residual = 0.0, scale = 0.0
    for r in 0..<k {
        var s = -b[r].primal
        for j in 0..<m { s += a[r + j * k].primal * v[j].primal }
        residual += s * s
        scale += b[r].primal * b[r].primal
    }
    let relative = (residual / Swift.max(scale, Double.leastNormalMagnitude)).squareRoot()
    if scale != 0 && !(relative <= 1e-6) { return .failure(.inconsistentLinearization(relativeResidual: relative)) }
    return .success(v)
}

/// `A⁻¹ b` for a square column-major `m × m` matrix, by LU with partial pivoting in `T`.
private func luSolve<T: DifferentiableScalar>(_ matrix: [T], _ m: Int, _ rhs: [T])
    -> Result<[T], ImplicitDifferentiationError>
{
    var a = matrix, b = rhs
    var largest = 0.0
    for e in a { largest = Swift.max(largest, Swift.abs(e.primal)) }
    let tiny = Double(Swift.max(m, 1)) * Double.ulpOfOne * largest
    for col in 0..<m {
        // Pivot: the largest |primal| in this column at or below the diagonal.
        var p = col
        for r in (col + 1)..<m where Swift.abs(a[r + col * m].primal) > Swift.abs(a[p + col * m].primal) {
            p = r
        }
        let pivot = a[p + col * m]
        if !(Swift.abs(pivot.primal) > tiny) {
            return .failure(.singularJacobian(pivot: col + 1, reciprocalCondition: nil))
        }
        if p != col {
            for j in col..<m { a.swapAt(p + j * m, col + j * m) }
            b.swapAt(p, col)
        }
        for r in (col + 1)..<m {
            let factor = a[r + col * m] / pivot
            for j in (col + 1)..<m { a[r + j * m] -= factor * a[col + j * m] }
            b[r] -= factor * b[col]
        }
    }
    // Back substitution on the upper triangle.
    var v = [T](repeating: T(0), count: m)
    for i in stride(from: m - 1, through: 0, by: -1) {
        var s = b[i]
        for j in (i + 1)..<m { s -= a[i + j * m] * v[j] }
        v[i] = s / a[i + i * m]
    }
    return .success(v)
}
