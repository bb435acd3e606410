import CLAPACK

// Pointer-level element-wise vector operations. Callers (the `BLAS`
// extension in `BLAS+VectorOperations.swift`) guarantee the lengths.
extension BLASKernels {
    /// `y[i] ← d[i] · x[i]` (element-wise product; `y` may alias neither input).
    @inlinable
    static func multiply(_ d: UnsafeBufferPointer<Double>, _ x: UnsafeBufferPointer<Double>,
                         _ y: UnsafeMutableBufferPointer<Double>) {
        guard let dp = d.baseAddress, let xp = x.baseAddress, let yp = y.baseAddress else { return }
        for i in 0..<y.count { yp[i] = dp[i] * xp[i] }
    }

    /// `x[i] ← value` for every `i`.
    @inlinable
    static func fill(_ value: Double, _ x: UnsafeMutableBufferPointer<Double>) {
        guard let xp = x.baseAddress else { return }
        xp.update(repeating: value, count: x.count)
    }

    /// `true` when no entry is NaN or ±∞ (one pass; `0·x` is NaN exactly for those).
    @inlinable
    static func allFinite(_ x: UnsafeBufferPointer<Double>) -> Bool {
        guard let xp = x.baseAddress else { return true }
        var acc = 0.0
        for i in 0..<x.count { acc += xp[i] * 0 }
        return acc == 0
    }

    /// Copies `alpha · x` into the column block starting at `destination`.
    @inlinable
    static func scaledCopy(_ alpha: Double, _ x: UnsafeBufferPointer<Double>,
                           _ destination: UnsafeMutablePointer<Double>) {
        guard let xp = x.baseAddress, x.count > 0 else { return }
        if alpha == 1 {
            cblas_dcopy(blasint(x.count), xp, 1, destination, 1)
        } else {
            for i in 0..<x.count { destination[i] = alpha * xp[i] }
        }
    }

    /// Copies `count` entries starting at `source` into `y`.
    @inlinable
    static func copy(from source: UnsafePointer<Double>, _ y: UnsafeMutableBufferPointer<Double>) {
        guard let yp = y.baseAddress, y.count > 0 else { return }
        cblas_dcopy(blasint(y.count), source, 1, yp, 1)
    }
}
