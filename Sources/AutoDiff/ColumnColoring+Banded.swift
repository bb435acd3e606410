import LinearAlgebra

extension ColumnColoring {
    /// The cyclic colouring of a banded pattern: column `j` takes colour
    /// `j mod (kl + ku + 1)`, where `(kl, ku)` are the pattern's bandwidths.
    ///
    /// ```
    /// (i, j), (i, j′) in the pattern  ⇒  i − kl ≤ j, j′ ≤ i + ku  ⇒  0 < |j − j′| < kl + ku + 1
    ///                                 ⇒  j mod (kl + ku + 1) ≠ j′ mod (kl + ku + 1)
    /// ```
    ///
    /// Valid for every pattern, in one pass over its entries (to read the
    /// bandwidths) and none over the intersection graph. It uses
    /// `min(kl + ku + 1, columns)` colours: optimal when some row fills its
    /// band (a full tridiagonal, pentadiagonal, … pattern), wasteful for a
    /// sparse band such as the 2-D five-point stencil (`2k + 1` against 5).
    /// ``init(_:order:)`` takes it only when it is optimal.
    ///
    /// - Parameter pattern: any pattern.
    /// - Returns: a valid colouring of `pattern`'s columns.
    public static func banded(_ pattern: SparsityPattern) -> ColumnColoring {
        let (kl, ku) = pattern.bandwidths
        let width = kl + ku + 1, n = pattern.columns
        let colors = [Int](uninitializedCount: n) { buffer in
            var c = 0
            for j in 0..<n {
                buffer[j] = c
                c += 1
                if c == width { c = 0 }
            }
        }
        return ColumnColoring(unchecked: colors, count: Swift.min(width, n))
    }
}
