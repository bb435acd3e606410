extension DiagonalOffsetMatrix {
    /// `true` when ``multiplyAfterJacobiDirection(beta:residual:inverseDiagonal:direction:into:transposed:)``
    /// runs as one pass (a square matrix of three or five diagonals: a 1-D or 2-D stencil).
    package var fusesJacobiDirection: Bool {
        rows == columns && DiagonalOffsetKernels.fusesDirection(terms: offsets.count)
    }

    /// Jacobi-preconditioned conjugate gradients' new direction, then its product and curvature:
    ///
    /// ```
    /// p ← D⁻¹r + β p,   q ← A p  (or Aᵀp),   returns pᵀq
    /// ```
    ///
    /// One pass over the vectors when ``fusesJacobiDirection`` (the direction is updated a few rows
    /// ahead of the rows of the product that read it), else the direction and then the product.
    /// Every entry of `p` and `q` is the same as with the separate passes; `pᵀq` may differ in rounding.
    ///
    /// - Parameters:
    ///   - beta: `β`.
    ///   - residual: `r`, length ``rows``.
    ///   - inverseDiagonal: `D⁻¹`, length ``rows``.
    ///   - direction: `p`, length ``rows``, updated.
    ///   - q: length ``rows``, overwritten.
    ///   - transposed: `true` for `q = Aᵀp`.
    /// - Returns: `pᵀq`.
    package func multiplyAfterJacobiDirection(beta: Double, residual: [Double], inverseDiagonal: [Double],
                                              direction p: inout [Double], into q: inout [Double],
                                              transposed: Bool) -> Double {
        let n = rows
        precondition(rows == columns, "DiagonalOffsetMatrix.multiplyAfterJacobiDirection: A is \(rows)×\(columns), not square")
        precondition(residual.count == n && inverseDiagonal.count == n && p.count == n && q.count == n,
                     "DiagonalOffsetMatrix.multiplyAfterJacobiDirection: a vector's length is not \(n)")
        guard fusesJacobiDirection else {
            for i in 0..<n { p[i] = inverseDiagonal[i] * residual[i] + beta * p[i] }
            return multiplyReturningDot(p, into: &q, transposed: transposed)
        }
        if let runs = constantRuns {
            return constantRunProducts(runs, beta: beta, residual: residual, inverseDiagonal: inverseDiagonal,
                                       direction: &p, into: &q, transposed: transposed)
        }
        let vector = vectorKernels
        return offsets.withUnsafeBufferPointer { o in
            values.withUnsafeBufferPointer { v in
                residual.withUnsafeBufferPointer { r in
                    inverseDiagonal.withUnsafeBufferPointer { m in
                        p.withUnsafeMutableBufferPointer { p in
                            q.withUnsafeMutableBufferPointer { q in
                                DiagonalOffsetKernels.directionAndProduct(rows: n, o, v, transposed: transposed,
                                                                          beta: beta, r, m, p, q, vector: vector)
                            }
                        }
                    }
                }
            }
        }
    }
}
