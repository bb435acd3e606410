/// `p[i ..< end] ← D⁻¹r + βp`, Jacobi-preconditioned conjugate gradients' new direction, by pairs of
/// entries, then the last one (kernel helper: raw pointers, no checks).
///
/// - Parameters:
///   - i: the first entry to update.
///   - end: one past the last entry to update.
///   - beta: `β`.
///   - r: the residual.
///   - inverseDiagonal: `D⁻¹`.
///   - p: the direction, updated in place.
@inlinable @inline(__always)
package func updateJacobiDirection(_ i: Int, _ end: Int, beta: Double, _ r: UnsafePointer<Double>,
                                   _ inverseDiagonal: UnsafePointer<Double>, _ p: UnsafeMutablePointer<Double>) {
    let b = SIMD2<Double>(repeating: beta)
    var i = i
    while i + 2 <= end {
        storePair(loadPair(inverseDiagonal + i) * loadPair(r + i) + b * loadPair(p + i), p + i)
        i += 2
    }
    if i < end { p[i] = inverseDiagonal[i] * r[i] + beta * p[i] }
}
