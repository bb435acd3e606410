import LinearAlgebra

// Products of a constant matrix with a vector of differentiable scalars,
// kept in BLAS at every AD level (JAX differentiates `M @ y` the same way:
// one array operation, not m² scalar ones). The map v ↦ op(M)·v is linear,
// so its derivative rules are the map itself and its transpose:
//
//     w = M v:      ẇ = M v̇            (forward: tangents through the same product)
//                   v̄ += Mᵀ w̄          (reverse: adjoints through the transpose)
//     w = Mᵀ v:     ẇ = Mᵀ v̇,          v̄ += M w̄
//
// Per scalar type (each a `DifferentiableScalar.matrixProduct` implementation):
//
//     Double       one gemv
//     Dual<Base>   value and tangent each through Base's product (Dual<Double>:
//                  two gemvs; Dual<TapeScalar>: two tape nodes; nesting recurses)
//     DualN<N>     one gemm of op(M) with the p × (N + 1) block [values | partials]
//                  (a gemv and column updates when the partials are sparse seeds)
//     TapeScalar   one custom node: forward sweep gemv with op(M), reverse with op(M)ᵀ

extension Matrix {
    /// The matrix-vector product `M v` for a vector of differentiable
    /// scalars, as one BLAS operation at every AD level (see
    /// ``DifferentiableScalar/matrixProduct(_:_:transposed:)``).
    ///
    /// ```
    /// w = M v,   ẇ = M v̇,   v̄ += Mᵀ w̄
    /// ```
    ///
    /// `M` is a constant: no derivative flows into its entries. On `[Double]`
    /// the non-generic `Matrix * [Double]` of LinearAlgebra is chosen; both
    /// compute the same `gemv`.
    ///
    /// - Parameters:
    ///   - matrix: `M`, `k × p`.
    ///   - vector: `v`, length `p` (a mismatch is a precondition failure).
    /// - Returns: `M v`, length `k`.
    @inlinable
    public static func * <T: DifferentiableScalar>(matrix: Matrix, vector: [T]) -> [T] {
        T.matrixProduct(matrix, vector, transposed: false)
    }

    /// The product `Mᵀ v` for a vector of differentiable scalars, without
    /// forming `Mᵀ`, as one BLAS operation at every AD level.
    ///
    /// ```
    /// w = Mᵀ v,   ẇ = Mᵀ v̇,   v̄ += M w̄
    /// ```
    ///
    /// - Parameter vector: `v`, length `rows` (a mismatch is a precondition failure).
    /// - Returns: `Mᵀ v`, length `columns`.
    @inlinable
    public func transposedTimes<T: DifferentiableScalar>(_ vector: [T]) -> [T] {
        T.matrixProduct(self, vector, transposed: true)
    }
}

/// Stops with a clear message when `op(M)·v` is not defined.
@inlinable @inline(__always)
func checkProductShape(_ a: Matrix, _ count: Int, transposed: Bool) {
    precondition(count == (transposed ? a.rows : a.columns),
                 "\(transposed ? "Mᵀ·v" : "M·v"): v has \(count) entries, M is \(a.rows)×\(a.columns)")
}

extension DifferentiableScalar {
    /// The scalar loop `wᵢ = Σⱼ op(M)ᵢⱼ·vⱼ`, for conforming types without a
    /// BLAS implementation.
    @inlinable
    public static func matrixProduct(_ matrix: Matrix, _ vector: [Self], transposed: Bool) -> [Self] {
        checkProductShape(matrix, vector.count, transposed: transposed)
        let k = matrix.rows, p = matrix.columns
        return matrix.elements.withUnsafeBufferPointer { a in
            if transposed {   // wⱼ = Σᵢ Mᵢⱼ vᵢ: column j of M against v
                return (0..<p).map { j in
                    var s = Self.zero
                    for i in 0..<k { s = s + Self(a[i + j * k]) * vector[i] }
                    return s
                }
            }
            var w = [Self](repeating: .zero, count: k)
            for j in 0..<p {
                for i in 0..<k { w[i] = w[i] + Self(a[i + j * k]) * vector[j] }
            }
            return w
        }
    }
}

extension Double {
    /// `op(M)·v` by one BLAS `gemv`.
    @inlinable
    public static func matrixProduct(_ matrix: Matrix, _ vector: [Double], transposed: Bool) -> [Double] {
        checkProductShape(matrix, vector.count, transposed: transposed)
        var w = [Double](repeating: 0, count: transposed ? matrix.columns : matrix.rows)
        BLAS.gemv(transpose: transposed, 1, matrix, vector, 0, &w)
        return w
    }
}

extension Dual {
    /// op(M)(a + bε) = op(M)a + op(M)b ε: value and tangent each by `Base`'s product.
    @inlinable
    public static func matrixProduct(_ matrix: Matrix, _ vector: [Dual], transposed: Bool) -> [Dual] {
        checkProductShape(matrix, vector.count, transposed: transposed)
        let values = Base.matrixProduct(matrix, vector.map(\.value), transposed: transposed)
        let tangents = Base.matrixProduct(matrix, vector.map(\.tangent), transposed: transposed)
        return (0..<values.count).map { Dual(values[$0], tangent: tangents[$0]) }
    }
}

extension DualN {
    /// op(M)(a + Σbₖεₖ) = op(M)a + Σ op(M)bₖ εₖ: one `gemm` of `op(M)` with the
    /// `p × (N + 1)` matrix whose first column is the values and column
    /// `k + 1` the partials `k`.
    ///
    /// When at most one partial in eight is non-zero (the seeded identity
    /// block of a Jacobian pass, or constants), the values go through one
    /// `gemv` and each non-zero partial adds its multiple of one column of
    /// `op(M)`: `O(q·nnz)` instead of a `gemm` that packs all of `M` for `N`
    /// columns. Structural zeros then contribute nothing, not `0·∞ = NaN`.
    @inlinable
    public static func matrixProduct(_ matrix: Matrix, _ vector: [DualN], transposed: Bool) -> [DualN] {
        checkProductShape(matrix, vector.count, transposed: transposed)
        let p = vector.count, q = transposed ? matrix.columns : matrix.rows
        var v = Matrix(rows: p, columns: N + 1)
        var nonzeros = 0
        v.elements.withUnsafeMutableBufferPointer { e in
            for j in 0..<p {
                let x = vector[j]
                e[j] = x.value
                for k in 0..<N {
                    let d = x.partials[k]
                    e[j + (k + 1) * p] = d
                    nonzeros &+= d != 0 ? 1 : 0
                }
            }
        }
        let w: Matrix
        if 8 * nonzeros <= p * N {
            w = productWithSparseColumns(matrix, v, transposed: transposed)
        } else {
            var c = Matrix(rows: q, columns: N + 1)
            BLAS.gemm(transposeA: transposed, 1, matrix, v, 0, &c)
            w = c
        }
        return w.elements.withUnsafeBufferPointer { e in
            (0..<q).map { i in
                var partials = InlineArray<N, Double>(repeating: 0)
                for k in 0..<N { partials[k] = e[i + (k + 1) * q] }
                return DualN(e[i], partials: partials)
            }
        }
    }
}

/// `op(M)·V` for a `V` whose first column is dense and whose other columns
/// are mostly zero: one `gemv` for column 0, then for each non-zero `V[j, k]`
/// (k ≥ 1) the update `W[:, k] += V[j, k]·op(M)[:, j]` (a column of `M`, or a
/// row when transposed).
@usableFromInline
func productWithSparseColumns(_ a: Matrix, _ v: Matrix, transposed: Bool) -> Matrix {
    let p = v.rows, q = transposed ? a.columns : a.rows, lda = a.rows, columns = v.columns
    var first = [Double](repeating: 0, count: q)
    BLAS.gemv(transpose: transposed, 1, a, v.column(0), 0, &first)
    var w = Matrix(rows: q, columns: v.columns)
    w.setColumn(0, to: first)
    a.elements.withUnsafeBufferPointer { a in
        v.elements.withUnsafeBufferPointer { v in
            w.elements.withUnsafeMutableBufferPointer { w in
                for k in 1..<columns {
                    for j in 0..<p {
                        let s = v[j + k * p]
                        if s == 0 { continue }
                        let out = k * q
                        if transposed {   // row j of M
                            for i in 0..<q { w[out + i] += s * a[j + i * lda] }
                        } else {          // column j of M
                            let col = j * lda
                            for i in 0..<q { w[out + i] += s * a[col + i] }
                        }
                    }
                }
            }
        }
    }
    return w
}

extension TapeScalar {
    /// `op(M)·v` by one `gemv`, recorded as **one** custom node whose forward
    /// sweep is `ẇ = op(M) v̇` and whose reverse sweep is `v̄ += op(M)ᵀ w̄`
    /// (one `gemv` each), instead of `k·p` scalar nodes. Constant inputs
    /// only: nothing is recorded. Its pattern, for sparsity detection, is
    /// the non-zeros of `op(M)` (computed only when asked for).
    public static func matrixProduct(_ matrix: Matrix, _ vector: [TapeScalar], transposed: Bool) -> [TapeScalar] {
        checkProductShape(matrix, vector.count, transposed: transposed)
        let w = Double.matrixProduct(matrix, vector.map(\.value), transposed: transposed)
        return recordCustom(inputs: vector, outputValues: w,
                            jvp: { Double.matrixProduct(matrix, $0, transposed: transposed) },
                            vjp: { Double.matrixProduct(matrix, $0, transposed: !transposed) },
                            pattern: {
                                let p = SparsityPattern(nonZerosOf: matrix)
                                return transposed ? p.transposed() : p
                            })
    }
}
