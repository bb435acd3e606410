import LinearAlgebra

extension BivariateLinearization {
    /// Checks a sparse Jacobian block against independent products: for a
    /// few random directions `v`, `A v` from the sparse matrix must equal
    /// the forward sweep of this recording row by row, to rounding.
    ///
    /// ```
    /// |(A v)ᵢ − (J v)ᵢ| ≤ 1e-10 · (Σⱼ |aᵢⱼ vⱼ| + |(J v)ᵢ|)   for every row i
    /// ```
    ///
    /// This is the guard against a pattern that changed between its
    /// detection and a later evaluation (control flow on values): record at
    /// the new point, then verify the compressed Jacobian computed there.
    /// Costs `probes` forward sweeps and sparse products.
    ///
    /// - Parameters:
    ///   - a: the block (`k × m` for `A`, `k × n` for `B`).
    ///   - withRespectToY: `true` when `a` is `A = ∂F/∂y`, `false` for `B`.
    ///   - probes: the number of random directions, `≥ 1` (default 3).
    ///   - seed: the seed of the directions (uniform in `[-1, 1)`).
    /// - Throws: ``SparseJacobianError/patternMismatch(_:)`` naming the first
    ///   row that differs; ``SparseJacobianError/dimensionMismatch(_:)``.
    public func verify(_ a: SparseMatrix, withRespectToY: Bool, probes: Int = 3,
                       seed: UInt64 = 0x1DC0_FFEE) throws(SparseJacobianError) {
        let columns = withRespectToY ? yCount : xCount
        guard a.rows == outputCount, a.columns == columns else {
            throw .dimensionMismatch("verify: the matrix is \(a.rows)×\(a.columns), the block \(outputCount)×\(columns)")
        }
        var state = seed
        var sweep = [Double](repeating: 0, count: outputCount)
        for probe in 0..<Swift.max(probes, 1) {
            let v = (0..<columns).map { _ in uniformSplitMix(&state) }
            jvp(dx: withRespectToY ? nil : v, dy: withRespectToY ? v : nil, into: &sweep)
            var product = [Double](repeating: 0, count: outputCount), scale = product
            addProductAndAbsoluteTerms(a, v, product: &product, scale: &scale)
            try checkRows(product, against: sweep, scale: scale, probe: "random probe \(probe)")
        }
    }
}

/// Adds `A v` to `product` and `Σⱼ |aᵢⱼ vⱼ|` to `scale` in one pass over `A`'s entries:
///
/// ```
/// productᵢ += Σⱼ aᵢⱼ vⱼ,   scaleᵢ += Σⱼ |aᵢⱼ vⱼ|
/// ```
func addProductAndAbsoluteTerms(_ a: SparseMatrix, _ v: [Double], product: inout [Double], scale: inout [Double]) {
    precondition(v.count == a.columns && product.count == a.rows && scale.count == a.rows,
                 "addProductAndAbsoluteTerms: lengths \(v.count), \(product.count), \(scale.count) for a \(a.rows)×\(a.columns) matrix")
    a.pattern.columnPointers.withUnsafeBufferPointer { cp in
        a.pattern.rowIndices.withUnsafeBufferPointer { ri in
            a.values.withUnsafeBufferPointer { values in
                v.withUnsafeBufferPointer { v in
                    product.withUnsafeMutableBufferPointer { p in
                        scale.withUnsafeMutableBufferPointer { s in
                            for j in 0..<v.count {
                                let vj = v[j]
                                for pos in cp[j]..<cp[j + 1] {
                                    let t = values[pos] * vj, i = ri[pos]
                                    p[i] += t
                                    s[i] += Swift.abs(t)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Checks a product from a sparse matrix against an independent one, row by row, to rounding:
///
/// ```
/// |productᵢ − referenceᵢ| ≤ 1e-10 · (scaleᵢ + |referenceᵢ|)     (NaN fails)
/// ```
///
/// - Throws: ``SparseJacobianError/patternMismatch(_:)`` naming the first row that differs and `probe`.
func checkRows(_ product: [Double], against reference: [Double], scale: [Double],
               probe: String) throws(SparseJacobianError) {
    for i in 0..<product.count {
        let difference = Swift.abs(product[i] - reference[i])
        guard difference <= 1e-10 * (scale[i] + Swift.abs(reference[i])) else {
            throw .patternMismatch("row \(i): sparse product \(product[i]) against \(reference[i]) on \(probe)")
        }
    }
}

/// A uniform double in `[-1, 1)` from a SplitMix64 state.
func uniformSplitMix(_ state: inout UInt64) -> Double {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return -1 + 2 * Double(z >> 11) * 0x1p-53
}
