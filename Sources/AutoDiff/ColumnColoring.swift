import LinearAlgebra

// Greedy distance-2 colouring of the columns of a sparse Jacobian.
// Reference: T. F. Coleman & J. J. Moré, "Estimation of sparse Jacobian
// matrices and graph coloring problems", SIAM J. Numer. Anal. 20 (1983)
// 187–209; the ordering is Welsh & Powell's largest-first (Comput. J. 10,
// 1967), as surveyed in A. H. Gebremedhin, F. Manne & A. Pothen, "What color
// is your Jacobian? Graph coloring for computing derivatives", SIAM Rev. 47
// (2005) 629–705, §3; smallest-last is D. W. Matula & L. L. Beck, J. ACM 30
// (1983) 417–427 (ColumnColoring+Orders.swift).
//
// Two columns may share a colour when no row has entries in both: then one
// directional derivative along the sum of their unit vectors recovers both
// columns. This is a colouring of the column-intersection graph, equivalently
// a distance-2 colouring of the bipartite row/column graph.
//
// Deviations from the textbook:
//  1. The intersection graph is never built: a column's neighbours are found
//     through the rows of its entries (the transposed pattern, i.e. the CSR
//     index arrays) and marked in a stamp array, so memory is O(nnz + columns).
//  2. Degrees for the largest-first and smallest-last orders are the exact
//     intersection-graph degrees, computed the same way; largest-first ties
//     keep the natural order. Smallest-last is the default.
//  3. Row colouring (for reverse passes) is the column colouring of the
//     transposed pattern.
//  4. Two shortcuts skip the graph walks: a pattern with at most one entry
//     per row (a diagonal, a permutation) takes one colour; a banded pattern
//     whose widest row fills its band (kl + ku + 1 entries) takes the cyclic
//     colouring j mod (kl + ku + 1), which then meets the lower bound
//     (ColumnColoring+Banded.swift).

/// A partition of a pattern's columns into structurally orthogonal groups:
/// no row has entries in two columns of one colour.
///
/// ```
/// colour(j) = colour(j′), j ≠ j′   ⇒   no i with (i, j) and (i, j′) in the pattern
/// A·(Σ_{colour(j) = c} e_j) = Σ_{colour(j) = c} A[:, j]   recovers each of those columns
/// ```
///
/// The number of colours is at least the largest number of entries in one
/// row (`SparsityPattern.maximumNonZerosPerRow`).
public struct ColumnColoring: Sendable, Equatable {
    /// How the greedy colouring orders the columns.
    public enum Order: Sendable, Hashable {
        /// Column order `0, 1, 2, …`.
        case natural
        /// Decreasing degree in the column-intersection graph (Welsh–Powell).
        case largestFirst
        /// Smallest-last (Matula & Beck 1983): repeatedly remove a column of
        /// least remaining degree; colour in the reverse order of removal.
        case smallestLast
    }

    /// The colour of each column, in `0..<colorCount`.
    public let colors: [Int]
    /// The number of colours used.
    public let colorCount: Int
    /// The columns grouped by colour, derived from ``colors`` once (every compressed
    /// evaluation with this colouring reads them).
    @usableFromInline let groups: ColorGroups

    /// A colouring given colour by colour (for example one computed elsewhere);
    /// check it with ``isValid(for:)``.
    ///
    /// - Parameter colors: the colour of each column, every one `≥ 0`.
    public init(colors: [Int]) {
        precondition(colors.allSatisfy { $0 >= 0 }, "ColumnColoring: negative colour")
        self.colors = colors
        self.colorCount = (colors.max() ?? -1) + 1
        groups = ColorGroups(colors: colors, count: colorCount)
    }

    /// A colouring whose colour count is already known to be `count`.
    init(unchecked colors: [Int], count: Int) {
        self.colors = colors
        self.colorCount = count
        groups = ColorGroups(colors: colors, count: count)
    }

    /// Colours the columns of `pattern`: each column, in `order`, takes the
    /// smallest colour not used by a column sharing a row with it.
    ///
    /// Two patterns skip the greedy walk because a direct colouring meets
    /// the lower bound `maximumNonZerosPerRow`: at most one entry per row
    /// (one colour), and a banded pattern with a row of `kl + ku + 1`
    /// entries (``banded(_:)``, column `j` takes `j mod (kl + ku + 1)`).
    /// Either colouring is optimal, so never worse than the greedy one.
    ///
    /// - Parameters:
    ///   - pattern: the Jacobian's pattern.
    ///   - order: the vertex order of the greedy colouring (default ``Order/smallestLast``).
    public init(_ pattern: SparsityPattern, order: Order = .smallestLast) {
        let rowCounts = pattern.rowCounts
        let widest = rowCounts.max() ?? 0
        if widest <= 1 {   // no two columns share a row: one colour
            self.init(unchecked: [Int](repeating: 0, count: pattern.columns), count: pattern.columns > 0 ? 1 : 0)
            return
        }
        let (kl, ku) = pattern.bandwidths
        if Swift.min(kl + ku + 1, pattern.columns) <= widest {
            self = Self.banded(pattern)
            return
        }
        self = Self.greedy(pattern, order: order)
    }

    /// The greedy colouring in `order`, without the shortcuts of ``init(_:order:)``.
    ///
    /// - Parameters:
    ///   - pattern: the Jacobian's pattern.
    ///   - order: the vertex order.
    /// - Returns: a valid colouring of `pattern`'s columns.
    package static func greedy(_ pattern: SparsityPattern, order: Order) -> ColumnColoring {
        let n = pattern.columns
        let rowsView = pattern.transposed()   // column i of rowsView: the columns of row i
        let sequence: [Int]
        switch order {
        case .natural: sequence = Array(0..<n)
        case .largestFirst: sequence = largestFirstOrder(pattern, rowsView)
        case .smallestLast: sequence = smallestLastOrder(pattern, rowsView)
        }
        var colors = [Int](repeating: -1, count: n)
        var forbidden = [Int](repeating: -1, count: n + 1)   // forbidden[c] == j: colour c is taken near j
        var count = 0
        IntersectionGraph.with(pattern, rowsView) { graph in
            colors.withUnsafeMutableBufferPointer { colors in
                forbidden.withUnsafeMutableBufferPointer { forbidden in
                    for j in sequence {
                        graph.forEachNeighbour(of: j) { q in
                            let c = colors[q]
                            if c >= 0 { forbidden[c] = j }
                        }
                        var c = 0
                        while forbidden[c] == j { c += 1 }
                        colors[j] = c
                        count = Swift.max(count, c + 1)
                    }
                }
            }
        }
        return ColumnColoring(unchecked: colors, count: count)
    }

    /// The colouring of the rows of `pattern` (the columns of its transpose):
    /// no column has entries in two rows of one colour, so one reverse pass
    /// per colour recovers the Jacobian.
    ///
    /// - Parameters:
    ///   - pattern: the Jacobian's pattern.
    ///   - order: the vertex order.
    /// - Returns: a colouring with one colour per row.
    public static func rows(of pattern: SparsityPattern, order: Order = .smallestLast) -> ColumnColoring {
        ColumnColoring(pattern.transposed(), order: order)
    }

    /// `true` when no row of `pattern` has entries in two columns of one colour
    /// (and there is one colour in range per column).
    ///
    /// - Parameter pattern: a pattern with `colors.count` columns.
    public func isValid(for pattern: SparsityPattern) -> Bool {
        guard colors.count == pattern.columns, colors.allSatisfy({ $0 >= 0 && $0 < colorCount }) else { return false }
        let rowsView = pattern.transposed()
        for i in 0..<rowsView.columns {
            var seen = Set<Int>()
            for j in rowsView.rows(inColumn: i) where !seen.insert(colors[j]).inserted { return false }
        }
        return true
    }
}
