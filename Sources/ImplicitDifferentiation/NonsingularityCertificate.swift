import LinearAlgebra

// A proof from the values of a sparse A that it is nonsingular and not close to singular, so
// that the Krylov singularity probe (one extra solve) has nothing left to find. Three tests,
// one O(nnz) pass; d_i = |a_ii|, all non-zero:
//
//   rows      δ = min_i (d_i − Σ_{j≠i} |a_ij|) > 0     A strictly diagonally dominant by rows:
//                                                        ‖A⁻¹‖_∞ ≤ 1/δ (Varah 1975), κ_∞(A) ≤ ‖A‖_∞/δ
//   columns   the same on Aᵀ                             κ_1(A) ≤ ‖A‖_1/δ
//   scaled    r = max_i Σ_{j≠i} |a_ij| / √(d_i d_j) < 1  S = D^{-1/2} A D^{-1/2} has a unit-modulus
//                                                        diagonal and is strictly diagonally dominant:
//                                                        κ_∞(S) ≤ (1 + r)/(1 − r)
//
// A strictly diagonally dominant matrix is nonsingular (Levy–Desplanques: 0 would lie outside
// every Gershgorin disc); S is A scaled by invertible diagonals on both sides, so A is
// nonsingular with S. None of the three needs symmetry. For a symmetric A with a positive
// diagonal the scaled test is the Gershgorin bound of `JacobiConditionBound.swift` and makes A
// positive definite as well.
//
// The probe also reads a nonsingular but very ill-conditioned A as singular (its solve's forward
// error above 10⁻³ at tolerance 10⁻⁸, κ above about 10⁵). A certificate is therefore only given
// when its condition bound is at most `maximumCondition` = 10⁵: where the probe would stop
// answering "nonsingular" with confidence, it runs as before. Reference for the bounds:
// J. M. Varah, "A lower bound for the smallest singular value of a matrix", Linear Algebra Appl.
// 11 (1975) 3–5; R. S. Varga, "Geršgorin and his circles", Springer 2004, §1.1.

/// Why a square sparse `A` is known nonsingular from its values, with a bound on its condition.
struct NonsingularityCertificate: Sendable, Equatable {
    /// Which test proved it.
    enum Kind: Sendable, Equatable {
        /// Strictly diagonally dominant by rows.
        case rows
        /// Strictly diagonally dominant by columns.
        case columns
        /// Strictly diagonally dominant after the symmetric Jacobi scaling `D^{-1/2} A D^{-1/2}`.
        case jacobiScaled
    }

    /// The test that holds with the smallest condition bound.
    let kind: Kind
    /// That test's bound on the condition number (of `A` by rows or columns, of the scaled `A` otherwise).
    let conditionBound: Double

    /// The largest condition bound that counts as a certificate (see the file's opening comment).
    static var maximumCondition: Double { 1e5 }

    /// One sentence for the plan's note.
    var description: String {
        let bound = "condition ≤ \(shortNumber(conditionBound))"
        switch kind {
        case .rows: return "∂F/∂y is strictly diagonally dominant by rows (\(bound))"
        case .columns: return "∂F/∂y is strictly diagonally dominant by columns (\(bound))"
        case .jacobiScaled: return "D^-1/2 ∂F/∂y D^-1/2 is strictly diagonally dominant (\(bound))"
        }
    }

    /// The certificate of `a`, or `nil` when none of the three tests holds with a condition
    /// bound of at most ``maximumCondition`` (or `a` is not square, is empty, or has a zero or
    /// missing diagonal entry).
    ///
    /// ```
    /// δ_rows = min_i (|a_ii| − Σ_{j≠i} |a_ij|),   κ ≤ ‖A‖_∞ / δ_rows
    /// δ_cols = min_j (|a_jj| − Σ_{i≠j} |a_ij|),   κ ≤ ‖A‖_1 / δ_cols
    /// r = max_i Σ_{j≠i} |a_ij| / √(|a_ii| |a_jj|),   κ ≤ (1 + r) / (1 − r)
    /// ```
    ///
    /// - Parameter a: the compressed `A` (finite by its invariant).
    /// - Returns: the test with the smallest bound, or `nil`.
    init?(_ a: SparseMatrix) {
        guard let d = DiagonalDominance(a) else { return nil }
        self.init(d)
    }

    /// The certificate read from the sums of one ``DiagonalDominance`` pass, or `nil` as ``init(_:)``.
    init?(_ d: DiagonalDominance) {
        let rowNormMax = d.rowNormMax, rowMargin = d.rowMargin, r = d.scaledRadius
        let columnNormMax = d.columnNormMax, columnMargin = d.columnMargin
        var best: (Kind, Double)? = nil
        func consider(_ kind: Kind, _ bound: Double) {
            // NaN fails both comparisons.
            guard bound >= 1, bound <= Self.maximumCondition else { return }
            if best == nil || bound < best!.1 { best = (kind, bound) }
        }
        if rowMargin > 0 { consider(.rows, rowNormMax / rowMargin) }
        if columnMargin > 0 { consider(.columns, columnNormMax / columnMargin) }
        if r < 1 { consider(.jacobiScaled, (1 + r) / (1 - r)) }
        guard let (kind, bound) = best else { return nil }
        self.kind = kind
        conditionBound = bound
    }
}

/// The sums the diagonal-dominance tests read, from one `O(nnz)` pass over a square sparse `A`
/// with a non-zero diagonal (`d_i = |a_ii|`):
///
/// ```
/// rowMargin    = min_i (d_i − Σ_{j≠i} |a_ij|)      rowNormMax    = ‖A‖_∞
/// columnMargin = min_j (d_j − Σ_{i≠j} |a_ij|)      columnNormMax = ‖A‖_1
/// scaledRadius = max_i Σ_{j≠i} |a_ij| / √(d_i d_j)
/// ```
struct DiagonalDominance {
    let rowMargin: Double, rowNormMax: Double
    let columnMargin: Double, columnNormMax: Double
    /// `r`, the largest Gershgorin radius of `D^{-1/2} A D^{-1/2}`, `D = diag(|a_ii|)`.
    let scaledRadius: Double
    /// Every `a_ii > 0` (not only non-zero).
    let positiveDiagonal: Bool

    /// The signed diagonal `a_ii`.
    let diagonal: [Double]
    /// The symmetry test made in the same pass (``MirrorScan``): `nil` when it was not asked for or
    /// could not decide (the pattern is not symmetric); `exact` when every pair was equal.
    let symmetry: (symmetric: Bool, exact: Bool)?

    /// The sums of `a`, or `nil` when `a` is not square, is empty, or has a zero or missing diagonal entry.
    ///
    /// - Parameters:
    ///   - a: the matrix.
    ///   - symmetryTolerance: when given, the relative tolerance of a symmetry test made in the
    ///     same pass (see ``symmetry``).
    init?(_ a: SparseMatrix, symmetryTolerance: Double? = nil) {
        guard a.isSquare, a.rows > 0 else { return nil }
        let m = a.rows
        var signed = [Double](repeating: 0, count: m)
        var rowOff = [Double](repeating: 0, count: m), scaledRowOff = rowOff
        var cursors = [Int](repeating: 0, count: symmetryTolerance == nil ? 0 : m)
        var column: (normMax: Double, margin: Double)? = nil
        var symmetry: (symmetric: Bool, exact: Bool)? = nil
        a.pattern.columnPointers.withUnsafeBufferPointer { p in
            a.pattern.rowIndices.withUnsafeBufferPointer { row in
                a.values.withUnsafeBufferPointer { v in
                    signed.withUnsafeMutableBufferPointer { d in
                        rowOff.withUnsafeMutableBufferPointer { off in
                            scaledRowOff.withUnsafeMutableBufferPointer { scaled in
                                cursors.withUnsafeMutableBufferPointer { cursor in
                                    var mirrors = symmetryTolerance.map { MirrorScan(tolerance: $0, start: p, cursor: cursor) }
                                    column = DiagonalDominanceKernel.sums(m, p, row, v, diagonal: d, rowOff: off,
                                                                          scaledRowOff: scaled, mirrors: &mirrors)
                                    if column != nil, let mirrors, let verdict = mirrors.verdict {
                                        symmetry = (verdict, verdict && mirrors.exact)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard let column else { return nil }
        self.init(diagonal: signed, rowOff: rowOff, scaledRowOff: scaledRowOff, column: column, symmetry: symmetry)
    }

    /// The stored terms from one pass's sums: the row terms are reduced here, the column terms
    /// come reduced.
    ///
    /// - Parameters:
    ///   - signed: the signed diagonal `a_ii`.
    ///   - rowOff: `Σ_{j≠i} |a_ij|` per row.
    ///   - scaledRowOff: `Σ_{j≠i} |a_ij| / √(d_i d_j)` per row.
    ///   - column: `‖A‖_1` and `min_j (d_j − Σ_{i≠j} |a_ij|)`.
    ///   - symmetry: the symmetry verdict of the same pass, if any.
    init(diagonal signed: [Double], rowOff: [Double], scaledRowOff: [Double],
         column: (normMax: Double, margin: Double), symmetry: (symmetric: Bool, exact: Bool)?) {
        var rowNormMax = 0.0, rowMargin = Double.infinity, r = 0.0, positive = true
        for i in signed.indices {
            let d = abs(signed[i])
            rowNormMax = Swift.max(rowNormMax, d + rowOff[i])
            rowMargin = Swift.min(rowMargin, d - rowOff[i])
            r = Swift.max(r, scaledRowOff[i])
            positive = positive && signed[i] > 0
        }
        self.rowMargin = rowMargin
        self.rowNormMax = rowNormMax
        columnMargin = column.margin
        columnNormMax = column.normMax
        scaledRadius = r
        positiveDiagonal = positive
        diagonal = signed
        self.symmetry = symmetry
    }
}
