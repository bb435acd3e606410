import ImplicitDifferentiation

// The Bratu stencil as a sparse matrix, for incomplete-Cholesky
// preconditioning on the unit square, where A = D·L + diag(θ eᵘ) with
// D = (N + 1)² has a condition number of about 0.4 (N + 1)² and plain CG
// needs O(N) iterations.

extension BratuConditions {
    /// The pattern of the stencil: column `q` holds `q` and its grid neighbours.
    ///
    /// - Returns: the `m × m` pattern, `m = nx·ny`.
    public func stencilPattern() -> SparsityPattern {
        var pointers = [0], rows: [Int] = []
        pointers.reserveCapacity(count + 1)
        rows.reserveCapacity(5 * count)
        for j in 0..<ny {
            for i in 0..<nx {
                let q = i + nx * j
                if j > 0 { rows.append(q - nx) }
                if i > 0 { rows.append(q - 1) }
                rows.append(q)
                if i < nx - 1 { rows.append(q + 1) }
                if j < ny - 1 { rows.append(q + nx) }
                pointers.append(rows.count)
            }
        }
        return try! SparsityPattern(rows: count, columns: count, columnPointers: pointers, rowIndices: rows)
    }

    /// `D·L + diag(w)` as a sparse matrix (`w = θ∘eᵘ` gives `A`).
    ///
    /// - Parameter w: the diagonal weights, length ``count``.
    /// - Returns: the `m × m` stencil matrix.
    public func stencilMatrix(weights w: [Double]) -> SparseMatrix {
        assemble { v, out in applyOperator(v, weights: w, into: &out) }
    }

    /// The stencil matrix of the linear map `apply`, recovered from five
    /// products: grid point `(i, j)` takes colour `(i + 2j) mod 5`, and
    /// the five points of one stencil have five different colours, so
    ///
    /// ```
    /// A[p, q] = (A · Σ_{colour(q′) = colour(q)} e_q′)[p]     for p in the stencil of q
    /// ```
    ///
    /// - Parameter apply: `(v, out) ↦ out = A v` for a map with the stencil's pattern (any values).
    /// - Returns: `A` as a sparse matrix with ``stencilPattern()``.
    public func assemble(_ apply: ([Double], inout [Double]) -> Void) -> SparseMatrix {
        let pattern = stencilPattern()
        let colour = (0..<count).map { q in (q % nx + 2 * (q / nx)) % 5 }
        var values = [Double](repeating: 0, count: pattern.nonZeroCount)
        var v = [Double](repeating: 0, count: count), out = v
        for c in 0..<5 {
            for q in 0..<count { v[q] = colour[q] == c ? 1 : 0 }
            apply(v, &out)
            for q in 0..<count where colour[q] == c {
                for k in pattern.columnPointers[q]..<pattern.columnPointers[q + 1] {
                    values[k] = out[pattern.rowIndices[k]]
                }
            }
        }
        return try! SparseMatrix(pattern: pattern, values: values)
    }

    /// A preconditioner factory for the implicit layer's Krylov solves:
    /// IC(0) of `A`, taken from the sparse path's matrix, the matrix path's
    /// dense `A`, or assembled from five products with the lazy operator
    /// (``assemble(_:)``); `nil` (no preconditioner) when IC(0) breaks down.
    public var incompleteCholeskyFactory: PreconditionerFactory {
        PreconditionerFactory { system in
            let a: SparseMatrix?
            if let sparse = (system.linearOperator as? SparseMatrixOperator)?.matrix {
                a = sparse
            } else if let dense = system.matrix {
                a = try? SparseMatrix(dense)
            } else {
                let op = system.linearOperator
                a = assemble { v, out in op.apply(v, into: &out) }
            }
            return a.flatMap { try? IncompleteCholeskyPreconditioner($0) }
        }
    }
}
