import LinearAlgebra

/// What the choice of factorization reads from the pattern of `A` alone:
/// read once when the pattern is detected and kept with it in the
/// ``StructureCache``, so that a call on a cached structure makes no pass over
/// the pattern to decide between the diagonal, band and sparse paths.
///
/// ```
/// kl = max (i − j),  ku = max (j − i)   over the entries (i, j) of the pattern
/// diagonal  ⇔  square and kl = ku = 0 (no entry off the diagonal)
/// diagonalOffsets = { j − i }   when square and at most a few (the Krylov products then run by diagonals)
/// ```
struct PatternShape: Sendable {
    /// `true` for a square pattern whose every entry is on the diagonal.
    let isDiagonal: Bool
    /// The lower and upper bandwidths.
    let bandwidths: (lower: Int, upper: Int)
    /// The bandwidths when a band LU is worth it (``LinearSolver/worthBandLU(order:_:)``), else `nil`.
    let bandLU: (lower: Int, upper: Int)?

    /// The diagonals holding every entry (``LinearAlgebra/DiagonalOffsetMatrix/offsets(of:maximumOffsets:)``)
    /// when `A` is square and has at most ``LinearAlgebra/DiagonalOffsetMatrix/defaultMaximumOffsets`` of them, else `nil`.
    let diagonalOffsets: [Int]?

    /// The shape of `pattern`, from two passes over its entries.
    init(_ pattern: SparsityPattern) {
        diagonalOffsets = pattern.rows == pattern.columns ? DiagonalOffsetMatrix.offsets(of: pattern) : nil
        let band = pattern.bandwidths
        bandwidths = band
        let square = pattern.rows == pattern.columns
        isDiagonal = square && band.lower == 0 && band.upper == 0
        bandLU = square ? LinearSolver.worthBandLU(order: pattern.rows, band) : nil
    }
}
