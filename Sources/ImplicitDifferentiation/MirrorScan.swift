/// The symmetry test of ``LinearAlgebra/SparseMatrix/symmetry(tolerance:)`` made entry by entry
/// inside another column-ordered pass over a square CSC matrix (the diagonal-dominance pass), with
/// a cursor per column instead of a binary search (a kernel helper: no bounds checks on the buffers).
///
/// The columns are visited in order `j = 0, 1, …`, and each entry `(i, j)` below the diagonal
/// (`i > j`) is compared with the next unread entry above the diagonal of column `i`. When every
/// entry below the diagonal has a stored mirror and there are as many entries above it, the entries
/// above the diagonal of column `i` are exactly the mirrors, met in the order of their rows, so the
/// cursor finds each one where it looks:
///
/// ```
/// (i, j), i > j:   cursor[i] points at (j, i)   ⇔   the pattern is symmetric so far
/// symmetric  ⇔  |a_ij − a_ji| ≤ tolerance · max(|a_ij|, |a_ji|)   for every such pair
/// ```
///
/// Anything else (a mirror that is not where the cursor points, more entries on one side) leaves
/// the answer to the full test (``verdict`` is `nil`), as the lower-half test of `symmetry` does.
struct MirrorScan {
    /// The relative tolerance of the comparison, `≥ 0`.
    let tolerance: Double
    /// The next entry above the diagonal to be read in each column (starts at the column's start).
    let cursor: UnsafeMutableBufferPointer<Int>
    private var lower = 0, upper = 0
    private var undecided = false, differs = false
    /// Every compared pair was equal.
    private(set) var exact = true

    /// A scan whose cursors are set to the columns' starts.
    ///
    /// - Parameters:
    ///   - tolerance: the relative tolerance, `≥ 0`.
    ///   - start: the column pointers, `m + 1` entries.
    ///   - cursor: `m` entries, overwritten.
    init(tolerance: Double, start: UnsafeBufferPointer<Int>, cursor: UnsafeMutableBufferPointer<Int>) {
        self.tolerance = tolerance
        self.cursor = cursor
        for i in 0..<cursor.count { cursor[i] = start[i] }
    }

    /// Reads the off-diagonal entry `k = (i, j)`, `i ≠ j`, of column `j`.
    @inline(__always)
    mutating func visit(_ i: Int, _ j: Int, _ k: Int, _ start: UnsafeBufferPointer<Int>,
                        _ row: UnsafeBufferPointer<Int>, _ value: UnsafeBufferPointer<Double>) {
        guard i > j else { upper += 1; return }
        guard !undecided, !differs else { return }
        let c = cursor[i]
        guard c < start[i + 1], row[c] == j else { undecided = true; return }
        cursor[i] = c + 1
        lower += 1
        let a = value[k], b = value[c]
        if a != b { exact = false }
        if !(Swift.abs(a - b) <= tolerance * Swift.max(Swift.abs(a), Swift.abs(b))) { differs = true }   // NaN differs
    }

    /// `false` when a pair differs beyond the tolerance; `true` when every entry below the diagonal
    /// met its mirror within it and the two halves have as many entries; `nil` when the scan cannot
    /// say (the full test must).
    var verdict: Bool? {
        if differs { return false }
        return !undecided && lower == upper ? true : nil
    }
}
