/// The product loops of ``SparseMatrix`` on raw buffers (kernel helpers: no
/// bounds or uniqueness checks inside the loops; the callers check lengths).
enum SparseMatrixKernels {
    /// `y = A x` by columns (a scatter per column); a zero `xⱼ` skips its column, so an
    /// infinite entry of `A` in it adds nothing (no `0·∞`).
    static func multiply(columns n: Int, _ pointers: UnsafeBufferPointer<Int>, _ rowIndices: UnsafeBufferPointer<Int>,
                         _ values: UnsafeBufferPointer<Double>, _ x: UnsafeBufferPointer<Double>,
                         _ y: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<y.count { y[i] = 0 }
        var start = pointers[0]
        for j in 0..<n {
            let end = pointers[j + 1]
            let xj = x[j]
            if xj != 0 {
                for k in start..<end { y[rowIndices[k]] += values[k] * xj }
            }
            start = end
        }
    }

    /// `y = Aᵀ x` by columns of `A` (a dot product per column, a gather of `x`).
    static func multiplyTransposed(columns n: Int, _ pointers: UnsafeBufferPointer<Int>,
                                   _ rowIndices: UnsafeBufferPointer<Int>, _ values: UnsafeBufferPointer<Double>,
                                   _ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>) {
        var start = pointers[0]
        for j in 0..<n {
            let end = pointers[j + 1]
            var s = 0.0
            for k in start..<end { s += values[k] * x[rowIndices[k]] }
            y[j] = s
            start = end
        }
    }

    /// `y = Aᵀ x` as ``multiplyTransposed(columns:_:_:_:_:_:)``, returning `xᵀy` summed in the same pass
    /// (square `A`: `xᵀAᵀx = xᵀAx`, the curvature of conjugate gradients); two partial sums.
    static func multiplyTransposedReturningDot(columns n: Int, _ pointers: UnsafeBufferPointer<Int>,
                                               _ rowIndices: UnsafeBufferPointer<Int>,
                                               _ values: UnsafeBufferPointer<Double>, _ x: UnsafeBufferPointer<Double>,
                                               _ y: UnsafeMutableBufferPointer<Double>) -> Double {
        var even = 0.0, odd = 0.0
        var start = pointers[0]
        var j = 0
        while j + 2 <= n {
            let middle = pointers[j + 1], end = pointers[j + 2]
            var s0 = 0.0, s1 = 0.0
            for k in start..<middle { s0 += values[k] * x[rowIndices[k]] }
            for k in middle..<end { s1 += values[k] * x[rowIndices[k]] }
            y[j] = s0
            y[j + 1] = s1
            even += x[j] * s0
            odd += x[j + 1] * s1
            start = end
            j += 2
        }
        if j < n {
            var s = 0.0
            for k in start..<pointers[j + 1] { s += values[k] * x[rowIndices[k]] }
            y[j] = s
            even += x[j] * s
        }
        return even + odd
    }

    /// The symmetry test of ``SparseMatrix/isSymmetric(tolerance:)`` read from the entries below
    /// the diagonal: `false` as soon as one differs from its stored mirror beyond the tolerance
    /// (or the comparison is NaN), `true` when every one matches its stored mirror and the entries
    /// above the diagonal are as many, `nil` when a mirror is missing or the counts differ (the
    /// caller then compares every entry). `exact` is set `false` when a compared pair is not equal.
    static func lowerHalfSymmetry(columns n: Int, _ start: UnsafeBufferPointer<Int>, _ row: UnsafeBufferPointer<Int>,
                                  _ value: UnsafeBufferPointer<Double>, tolerance: Double,
                                  exact: inout Bool) -> Bool? {
        var lower = 0, upper = 0
        for j in 0..<n {
            for k in start[j]..<start[j + 1] {
                let i = row[k]
                if i < j { upper += 1; continue }
                if i == j { continue }
                lower += 1
                // The mirror entry (j, i): a binary search in column i (rows sorted).
                var low = start[i], high = start[i + 1]
                while low < high {
                    let mid = (low + high) / 2
                    if row[mid] < j { low = mid + 1 } else { high = mid }
                }
                guard low < start[i + 1] && row[low] == j else { return nil }
                let a = value[k], b = value[low]
                if a != b { exact = false }
                guard Swift.abs(a - b) <= tolerance * Swift.max(Swift.abs(a), Swift.abs(b)) else { return false }
            }
        }
        return lower == upper ? true : nil
    }
}

extension SparseMatrix {
    /// Runs `body` on the raw buffers of the pattern and the values.
    func withUnsafeBuffers<R>(_ body: (_ pointers: UnsafeBufferPointer<Int>, _ rowIndices: UnsafeBufferPointer<Int>,
                                       _ values: UnsafeBufferPointer<Double>) -> R) -> R {
        pattern.columnPointers.withUnsafeBufferPointer { p in
            pattern.rowIndices.withUnsafeBufferPointer { r in
                values.withUnsafeBufferPointer { v in body(p, r, v) }
            }
        }
    }
}
