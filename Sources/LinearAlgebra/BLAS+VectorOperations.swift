// Element-wise vector operations: products, fills, finiteness checks and
// column copies into a basis stored as a `Matrix`.
// Like the rest of `BLAS`, lengths are checked with `precondition` and
// nothing here allocates.

extension BLAS {
    /// The element-wise (Hadamard) product `y ← d ∘ x`.
    ///
    /// ```
    /// y[i] = d[i] · x[i],   0 ≤ i < n
    /// ```
    ///
    /// - Parameters:
    ///   - d: the scale factors, length `n ≥ 0`.
    ///   - x: the vector to scale, length `n`.
    ///   - y: receives the product, length `n`; it is overwritten, never reallocated.
    /// - Precondition: `d.count == x.count == y.count`.
    @inlinable
    package static func multiply(_ d: [Double], _ x: [Double], into y: inout [Double]) {
        precondition(d.count == x.count && x.count == y.count,
                     "BLAS.multiply: lengths \(d.count), \(x.count) and \(y.count) differ")
        d.withUnsafeBufferPointer { dp in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in BLASKernels.multiply(dp, xp, yp) }
            }
        }
    }

    /// Sets every entry of `x` to `value` in place (NaN entries included,
    /// unlike `scal(0, x)`).
    ///
    /// - Parameters:
    ///   - value: any `Double`.
    ///   - x: the vector to overwrite; its length is unchanged.
    @inlinable
    package static func fill(_ value: Double, _ x: inout [Double]) {
        x.withUnsafeMutableBufferPointer { BLASKernels.fill(value, $0) }
    }

    /// `true` when every entry of `x` is finite (neither NaN nor ±∞).
    ///
    /// - Parameter x: any vector; the empty vector is finite.
    /// - Returns: `false` as soon as one entry is NaN or ±∞.
    @inlinable
    package static func isFinite(_ x: [Double]) -> Bool {
        x.withUnsafeBufferPointer { BLASKernels.allFinite($0) }
    }

    /// Overwrites column `j` of `a` with `alpha · x`.
    ///
    /// ```
    /// A[i, j] ← α · x[i],   0 ≤ i < A.rows
    /// ```
    ///
    /// Krylov methods store their orthonormal basis as the columns of one
    /// matrix; this writes a new basis vector without allocating.
    ///
    /// - Parameters:
    ///   - j: the column, `0 ≤ j < a.columns`.
    ///   - a: the matrix to modify in place.
    ///   - x: the new column, length `a.rows`.
    ///   - alpha: the scale applied to `x` (default `1`).
    @inlinable
    package static func setColumn(_ j: Int, of a: inout Matrix, to x: [Double], scaledBy alpha: Double = 1) {
        precondition(j >= 0 && j < a.columns, "BLAS.setColumn: column \(j) outside 0..<\(a.columns)")
        precondition(x.count == a.rows, "BLAS.setColumn: x has length \(x.count), expected \(a.rows)")
        let m = a.rows
        x.withUnsafeBufferPointer { xp in
            a.elements.withUnsafeMutableBufferPointer { ap in
                if let base = ap.baseAddress { BLASKernels.scaledCopy(alpha, xp, base + j * m) }
            }
        }
    }

    /// Copies column `j` of `a` into `y` without allocating.
    ///
    /// - Parameters:
    ///   - j: the column, `0 ≤ j < a.columns`.
    ///   - a: the matrix.
    ///   - y: receives the column, length `a.rows`.
    @inlinable
    package static func copyColumn(_ j: Int, of a: Matrix, into y: inout [Double]) {
        precondition(j >= 0 && j < a.columns, "BLAS.copyColumn: column \(j) outside 0..<\(a.columns)")
        precondition(y.count == a.rows, "BLAS.copyColumn: y has length \(y.count), expected \(a.rows)")
        let m = a.rows
        a.elements.withUnsafeBufferPointer { ap in
            y.withUnsafeMutableBufferPointer { yp in
                if let base = ap.baseAddress { BLASKernels.copy(from: base + j * m, yp) }
            }
        }
    }
}
