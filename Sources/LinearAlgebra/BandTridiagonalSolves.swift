/// The band LU solves of ``BandSolveKernels/bandSolve(_:_:_:_:_:_:)`` and
/// ``BandSolveKernels/bandSolveTransposed(_:_:_:_:_:_:)`` for one bandwidth each side
/// (`kl = ku = 1`: `L` unit lower bidiagonal with interchanges, `U` with two
/// superdiagonals), the running entries kept in registers instead of stored and
/// reloaded, and the interchange of each step a selection between two registers.
/// Every operation is the general loops' own, in the same order: the results are
/// bit for bit theirs.
///
/// ```
/// ab[4j + 0] = U[j−2, j]   ab[4j + 1] = U[j−1, j]   ab[4j + 2] = U[j, j]   ab[4j + 3] = L[j+1, j]
///
/// A x = b:    for j = 0 … n−2:  swap x_j, x_{j+1} when pivot_j = j+1;  x_{j+1} −= L[j+1, j] x_j   (x_j ≠ 0)
///             for j = n−1 … 0:  x_j ·= 1/U[j, j];  x_{j−1} −= U[j−1, j] x_j;  x_{j−2} −= U[j−2, j] x_j   (x_j ≠ 0)
/// Aᵀ x = b:   for j = 0 … n−1:  x_j = (x_j − U[j−2, j] x_{j−2} − U[j−1, j] x_{j−1}) · 1/U[j, j]
///             for j = n−2 … 0:  x_j −= L[j+1, j] x_{j+1};  swap x_j, x_{j+1} when pivot_j = j+1
/// ```
extension BandSolveKernels {
    /// `x ← A⁻¹x` from the band LU factors of an `n × n` matrix with `kl = ku = 1`.
    @inline(__always)
    static func tridiagonalBandSolve(_ n: Int, _ ab: UnsafePointer<Double>, _ pivots: UnsafePointer<LAPACKInt>,
                                     _ x: UnsafeMutablePointer<Double>) {
        guard n > 0 else { return }
        // L with its interchanges; `c` is the running x_j.
        var c = x[0]
        for j in 0..<(n - 1) {
            let next = x[j + 1], swapped = pivots[j] != LAPACKInt(j + 1)
            let xj = swapped ? next : c, rest = swapped ? c : next
            x[j] = xj
            let updated = rest - ab[4 * j + 3] * xj
            c = xj == 0 ? rest : updated
        }
        x[n - 1] = c
        // U; `q0`, `q1`, `q2` are the running x_j, x_{j−1}, x_{j−2}.
        var q0 = c, q1 = n >= 2 ? x[n - 2] : 0
        var j = n - 1
        while j >= 2 {
            let column = ab + 4 * j
            let xj = q0 * (1 / column[2])
            x[j] = xj
            let q2 = x[j - 2]
            let a1 = q1 - column[1] * xj, a2 = q2 - column[0] * xj
            q0 = xj == 0 ? q1 : a1
            q1 = xj == 0 ? q2 : a2
            j -= 1
        }
        if j == 1 {
            let xj = q0 * (1 / ab[6])
            x[1] = xj
            let a1 = q1 - ab[5] * xj
            q0 = xj == 0 ? q1 : a1
        }
        x[0] = q0 * (1 / ab[2])
    }

    /// `x ← A⁻ᵀx` from the band LU factors of an `n × n` matrix with `kl = ku = 1`.
    @inline(__always)
    static func tridiagonalBandSolveTransposed(_ n: Int, _ ab: UnsafePointer<Double>,
                                               _ pivots: UnsafePointer<LAPACKInt>, _ x: UnsafeMutablePointer<Double>) {
        guard n > 0 else { return }
        // Uᵀ; `p1`, `p2` are x_{j−1}, x_{j−2} as solved.
        var p1 = x[0] * (1 / ab[2]), p2 = 0.0
        x[0] = p1
        if n >= 2 {
            var s = x[1]
            s -= ab[5] * p1
            p2 = p1
            p1 = s * (1 / ab[6])
            x[1] = p1
        }
        if n >= 3 {
            for j in 2..<n {
                let column = ab + 4 * j
                var s = x[j]
                s -= column[0] * p2
                s -= column[1] * p1
                p2 = p1
                p1 = s * (1 / column[2])
                x[j] = p1
            }
        }
        // Lᵀ with the interchanges in reverse; `c` is the running x_{j+1}.
        var c = p1
        var j = n - 2
        while j >= 0 {
            var s = x[j]
            s -= ab[4 * j + 3] * c
            let swapped = pivots[j] != LAPACKInt(j + 1)
            x[j + 1] = swapped ? s : c
            c = swapped ? c : s
            j -= 1
        }
        x[0] = c
    }
}
