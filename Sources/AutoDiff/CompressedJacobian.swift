import LinearAlgebra

// Compressed (coloured) Jacobian evaluation: one directional derivative per
// colour, seeded with the sum of the unit vectors of that colour's columns,
// then each entry read back from the product of its column's colour.
// Reference: A. R. Curtis, M. J. D. Powell & J. K. Reid, "On the estimation
// of sparse Jacobian matrices", J. Inst. Math. Appl. 13 (1974) 117–119 (the
// CPR method); Coleman & Moré 1983 for the colouring (ColumnColoring.swift).
//
//     A S = C,   S[j, c] = 1 if colour(j) = c       (k × colours, never k × m)
//     A[i, j] = C[i, colour(j)]   for (i, j) in the pattern
//
// Deviations from the textbook:
//  1. Every entry of C that no pattern entry reads must be zero; a non-zero
//     one means the function now depends on a column outside the pattern
//     (the pattern changed, control flow on values) and is reported as
//     ``SparseJacobianError/patternMismatch(_:)`` instead of being ignored.
//     A change that lands on an entry of the pattern is not visible here:
//     ``BivariateLinearization/verify(_:withRespectToY:probes:seed:)`` checks
//     against independent products.
//  2. Reverse passes by row colours (``BivariateLinearization/compressedJacobianByRows(withRespectToY:pattern:rowColoring:)``)
//     are the same method on the transpose.

/// The columns of each colour (grouped by a counting sort, in one flat array), and the
/// shared read-back of one compressed block.
@usableFromInline
struct ColorGroups: Sendable, Equatable {
    /// The columns, colour 0's first; colour `c`'s are `columns[starts[c] ..< starts[c + 1]]`.
    @usableFromInline let columns: [Int]
    @usableFromInline let starts: [Int]

    /// The groups of the colouring `colors` with `count` colours.
    init(colors: [Int], count: Int) {
        var starts = [Int](repeating: 0, count: count + 1)
        for c in colors { starts[c + 1] += 1 }
        for c in 0..<count { starts[c + 1] += starts[c] }
        var next = starts
        var columns = [Int](repeating: 0, count: colors.count)
        for (j, c) in colors.enumerated() {
            columns[next[c]] = j
            next[c] += 1
        }
        self.columns = columns
        self.starts = starts
    }

    /// The number of colours.
    @usableFromInline var colorCount: Int { starts.count - 1 }

    /// The columns of colour `c`, in increasing order.
    @inlinable
    func columnsOfColor(_ c: Int) -> ArraySlice<Int> { columns[starts[c]..<starts[c + 1]] }

    /// Reads the entries of the colours `first ..< first + lanes` from the
    /// compressed block `c` (`rows × lanes`, column-major, from `offset`) into `values`,
    /// zeroing what it reads; then any non-zero left is outside the pattern.
    @usableFromInline
    func scatter(_ c: inout [Double], offset: Int = 0, rows k: Int, first: Int, lanes: Int, pattern: SparsityPattern,
                 into values: inout [Double]) throws(SparseJacobianError) {
        guard k > 0 && lanes > 0 else { return }
        precondition(offset >= 0 && offset + k * lanes <= c.count && pattern.rows == k
                     && columns.count == pattern.columns && values.count == pattern.nonZeroCount && first >= 0 && first + lanes <= colorCount,
                     "ColorGroups.scatter: block, pattern and values do not fit")
        var leftover: Int? = nil
        c.withUnsafeMutableBufferPointer { cb in
            values.withUnsafeMutableBufferPointer { vb in
                pattern.columnPointers.withUnsafeBufferPointer { cp in
                    pattern.rowIndices.withUnsafeBufferPointer { ri in
                        columns.withUnsafeBufferPointer { cols in
                            let block = cb.baseAddress! + offset
                            for l in 0..<lanes {
                                let lane = block + l * k
                                for t in starts[first + l]..<starts[first + l + 1] {
                                    let j = cols[t]
                                    for pos in cp[j]..<cp[j + 1] {
                                        let r = ri[pos]
                                        vb[pos] = lane[r]
                                        lane[r] = 0
                                    }
                                }
                            }
                            for s in 0..<(k * lanes) where block[s] != 0 || block[s].isNaN {
                                leftover = s
                                break
                            }
                        }
                    }
                }
            }
        }
        if let s = leftover {
            throw .patternMismatch("row \(s % k) has a non-zero derivative \(c[offset + s]) along colour "
                                   + "\(first + s / k), in a column outside its pattern")
        }
    }
}

/// Checks shapes and builds the matrix once every value is read.
@usableFromInline
func finishCompressed(_ pattern: SparsityPattern, _ values: [Double]) throws(SparseJacobianError) -> SparseMatrix {
    if let pos = values.firstIndex(where: { !$0.isFinite }) {
        let column = pattern.columnPointers.lastIndex { $0 <= pos }!
        throw .nonFiniteEntry(row: pattern.rowIndices[pos], column: column)
    }
    return SparseMatrix(unchecked: pattern, values)
}

@usableFromInline
func checkShape(_ pattern: SparsityPattern, _ coloring: ColumnColoring, columns: Int,
                rows: Int) throws(SparseJacobianError) {
    guard pattern.columns == columns, pattern.rows == rows, coloring.colors.count == columns else {
        throw .dimensionMismatch("pattern \(pattern.rows)×\(pattern.columns) and colouring of "
                                 + "\(coloring.colors.count) columns for a \(rows)×\(columns) Jacobian")
    }
}

extension AD {
    /// The Jacobian block `A = ∂F/∂y` (`withRespectToY`) or `B = ∂F/∂x` in
    /// sparse form, from evaluations on ``DualN`` whose lanes are seeded by
    /// colour (passes of ``AD/dualPassWidths(_:)``), never forming the dense `k × m` block
    /// (``compressedJacobians(of:x:y:a:b:verifySeed:workspace:multiplyingY:)`` with one block and no
    /// verification).
    ///
    /// ```
    /// lane l of a pass seeds every column j with colour(j) = l + (the pass's first colour);
    /// A[i, j] = ∂Fᵢ along the lane of colour(j)
    /// ```
    ///
    /// - Parameters:
    ///   - f: the function.
    ///   - x: the first argument, length `n`.
    ///   - y: the second argument, length `m`.
    ///   - withRespectToY: `true` for `∂F/∂y`, `false` for `∂F/∂x`.
    ///   - pattern: the block's pattern (``BivariateLinearization/jacobianPatterns()``), `k` rows.
    ///   - coloring: a valid colouring of `pattern`'s columns (``ColumnColoring``).
    /// - Returns: the block, with `pattern` as its pattern.
    /// - Throws: ``SparseJacobianError/patternMismatch(_:)`` when `F` has a
    ///   non-zero derivative outside `pattern` (read off the compressed
    ///   products); ``SparseJacobianError/nonFiniteEntry(row:column:)``;
    ///   ``SparseJacobianError/dimensionMismatch(_:)``.
    @inlinable
    public static func compressedJacobian<F: DifferentiableBivariateFunction>(
        of f: F, x: [Double], y: [Double], withRespectToY: Bool,
        pattern: SparsityPattern, coloring: ColumnColoring
    ) throws(SparseJacobianError) -> SparseMatrix {
        let block = (pattern: pattern, coloring: coloring)
        let r = try compressedJacobians(of: f, x: x, y: y, a: withRespectToY ? block : nil,
                                        b: withRespectToY ? nil : block, verifySeed: nil)
        if let bad = r.nonFinite { throw .nonFiniteEntry(row: bad.row, column: bad.column) }
        return withRespectToY ? r.y! : r.x!
    }
}

extension BivariateLinearization {
    /// The block `A = ∂F/∂y` (`withRespectToY`) or `B = ∂F/∂x` in sparse
    /// form, by one forward sweep of the recording per colour (seeded with
    /// the indicator of the colour's columns).
    ///
    /// - Parameters:
    ///   - withRespectToY: `true` for `A`, `false` for `B`.
    ///   - pattern: the block's pattern (``jacobianPatterns()``).
    ///   - coloring: a valid colouring of `pattern`'s columns.
    /// - Returns: the block, with `pattern` as its pattern.
    /// - Throws: as ``AD/compressedJacobian(of:x:y:withRespectToY:pattern:coloring:)``.
    public func compressedJacobian(withRespectToY: Bool, pattern: SparsityPattern,
                                   coloring: ColumnColoring) throws(SparseJacobianError) -> SparseMatrix {
        let columns = withRespectToY ? yCount : xCount, k = outputCount
        try checkShape(pattern, coloring, columns: columns, rows: k)
        let groups = coloring.groups
        var values = [Double](repeating: 0, count: pattern.nonZeroCount)
        var seed = [Double](repeating: 0, count: columns)
        var c = [Double](repeating: 0, count: k)
        for color in 0..<coloring.colorCount {
            for j in groups.columnsOfColor(color) { seed[j] = 1 }
            jvp(dx: withRespectToY ? nil : seed, dy: withRespectToY ? seed : nil, into: &c)
            try groups.scatter(&c, rows: k, first: color, lanes: 1, pattern: pattern, into: &values)
            for j in groups.columnsOfColor(color) { seed[j] = 0 }
        }
        return try finishCompressed(pattern, values)
    }

    /// The block `A` or `B` in sparse form, by one reverse sweep per row
    /// colour (the cotangent is the indicator of the colour's rows): fewer
    /// sweeps than columns when a few dense columns force many column colours.
    ///
    /// ```
    /// Aᵀ (Σ_{colour(i) = c} e_i) = Σ_{colour(i) = c} A[i, :]ᵀ,   A[i, j] = (that sweep)[j]
    /// ```
    ///
    /// - Parameters:
    ///   - withRespectToY: `true` for `A`, `false` for `B`.
    ///   - pattern: the block's pattern.
    ///   - rowColoring: a valid colouring of `pattern`'s rows (``ColumnColoring/rows(of:order:)``).
    /// - Returns: the block, with `pattern` as its pattern.
    /// - Throws: as ``compressedJacobian(withRespectToY:pattern:coloring:)``.
    public func compressedJacobianByRows(withRespectToY: Bool, pattern: SparsityPattern,
                                         rowColoring: ColumnColoring) throws(SparseJacobianError) -> SparseMatrix {
        let (t, source) = pattern.transposedWithPermutation()
        let columns = withRespectToY ? yCount : xCount
        try checkShape(t, rowColoring, columns: outputCount, rows: columns)
        let groups = rowColoring.groups
        var transposedValues = [Double](repeating: 0, count: t.nonZeroCount)
        var u = [Double](repeating: 0, count: outputCount)
        var gx = [Double](repeating: 0, count: xCount), gy = [Double](repeating: 0, count: yCount)
        for color in 0..<rowColoring.colorCount {
            for i in groups.columnsOfColor(color) { u[i] = 1 }
            vjp(u, intoX: &gx, intoY: &gy)
            if withRespectToY {
                try groups.scatter(&gy, rows: columns, first: color, lanes: 1, pattern: t, into: &transposedValues)
            } else {
                try groups.scatter(&gx, rows: columns, first: color, lanes: 1, pattern: t, into: &transposedValues)
            }
            for i in groups.columnsOfColor(color) { u[i] = 0 }
        }
        var values = [Double](repeating: 0, count: pattern.nonZeroCount)
        for (q, pos) in source.enumerated() { values[pos] = transposedValues[q] }
        return try finishCompressed(pattern, values)
    }
}
