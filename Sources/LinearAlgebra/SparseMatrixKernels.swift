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
