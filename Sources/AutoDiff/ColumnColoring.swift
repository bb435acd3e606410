import LinearAlgebra

// Greedy distance-2 colouring of the columns of a sparse Jacobian.
// Reference: T. F. Coleman & J. J. Moré, "Estimation of sparse Jacobian
// matrices and graph coloring problems", SIAM J. Numer. Anal. 20 (1983)
// 187–209; the ordering is Welsh & Powell's largest-first (Comput. J. 10,
// 1967), as surveyed in A. H. Gebremedhin, F. Manne & A. Pothen, "What color
// is your Jacobian? Graph coloring for computing derivatives", SIAM Rev. 47
// (2005) 629–705, §3; smallest-last is D. W. Matula & L. L. Beck, J. ACM 30
// (1983) 417–427.
//
// Two columns may share a colour when no row has entries in both: then one
// directional derivative along the sum of their unit vectors recovers both
// columns. This is a colouring of the column-intersection graph, equivalently
// a distance-2 colouring of the bipartite row/column graph.
//
// Deviations from the textbook:
//  1. The intersection graph is never built: a column's neighbours are found
//     through the rows of its entries (the transposed pattern) and marked in
//     a stamp array, so memory is O(nnz + columns).
//  2. Degrees for the largest-first and smallest-last orders are the exact
//     intersection-graph degrees, computed the same way; largest-first ties
//     keep the natural order. Smallest-last is the default.
//  3. Row colouring (for reverse passes) is the column colouring of the
//     transposed pattern.
//  4. A pattern with at most one entry per row (a diagonal, a permutation)
//     takes one colour at once, without the graph walks.

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

    /// A colouring given colour by colour (for example one computed elsewhere);
    /// check it with ``isValid(for:)``.
    ///
    /// - Parameter colors: the colour of each column, every one `≥ 0`.
    public init(colors: [Int]) {
        precondition(colors.allSatisfy { $0 >= 0 }, "ColumnColoring: negative colour")
        self.colors = colors
        self.colorCount = (colors.max() ?? -1) + 1
    }

    /// Colours the columns of `pattern` greedily: each column, in `order`,
    /// takes the smallest colour not used by a column sharing a row with it.
    ///
    /// - Parameters:
    ///   - pattern: the Jacobian's pattern.
    ///   - order: the vertex order (default ``Order/smallestLast``).
    public init(_ pattern: SparsityPattern, order: Order = .smallestLast) {
        let n = pattern.columns
        if pattern.maximumNonZerosPerRow <= 1 {   // no two columns share a row: one colour
            colors = [Int](repeating: 0, count: n)
            colorCount = n > 0 ? 1 : 0
            return
        }
        let rowsView = pattern.transposed()   // column i of rowsView: the columns of row i
        var sequence = Array(0..<n)
        switch order {
        case .natural: break
        case .largestFirst:
            let degree = Self.degrees(pattern, rowsView)
            sequence.sort { degree[$0] > degree[$1] || (degree[$0] == degree[$1] && $0 < $1) }
        case .smallestLast:
            sequence = Self.smallestLastOrder(pattern, rowsView)
        }
        var colors = [Int](repeating: -1, count: n)
        var forbidden = [Int](repeating: -1, count: n + 1)   // forbidden[c] == j: colour c is taken near j
        var count = 0
        for j in sequence {
            for i in pattern.rows(inColumn: j) {
                for q in rowsView.rows(inColumn: i) where colors[q] >= 0 { forbidden[colors[q]] = j }
            }
            var c = 0
            while forbidden[c] == j { c += 1 }
            colors[j] = c
            count = Swift.max(count, c + 1)
        }
        self.colors = colors
        self.colorCount = count
    }

    /// The degree of each column in the column-intersection graph.
    static func degrees(_ pattern: SparsityPattern, _ rowsView: SparsityPattern) -> [Int] {
        let n = pattern.columns
        var stamp = [Int](repeating: -1, count: n), degree = [Int](repeating: 0, count: n)
        for j in 0..<n {
            for i in pattern.rows(inColumn: j) {
                for q in rowsView.rows(inColumn: i) where q != j && stamp[q] != j {
                    stamp[q] = j
                    degree[j] += 1
                }
            }
        }
        return degree
    }

    /// The smallest-last order: columns removed by least remaining degree
    /// (bucket queue), returned last-removed first.
    static func smallestLastOrder(_ pattern: SparsityPattern, _ rowsView: SparsityPattern) -> [Int] {
        let n = pattern.columns
        var degree = degrees(pattern, rowsView)
        let top = (degree.max() ?? 0) + 1
        var buckets = [[Int]](repeating: [], count: top), slot = [Int](repeating: 0, count: n)
        for j in 0..<n { slot[j] = buckets[degree[j]].count; buckets[degree[j]].append(j) }
        func take(_ j: Int) {   // removes j from its bucket by swapping with the last
            let b = degree[j], last = buckets[b].removeLast()
            if last != j { buckets[b][slot[j]] = last; slot[last] = slot[j] }
        }
        var removed = [Bool](repeating: false, count: n), stamp = [Int](repeating: -1, count: n)
        var order: [Int] = [], low = 0
        order.reserveCapacity(n)
        for _ in 0..<n {
            while buckets[low].isEmpty { low += 1 }
            let j = buckets[low].last!
            take(j)
            removed[j] = true
            order.append(j)
            for i in pattern.rows(inColumn: j) {
                for q in rowsView.rows(inColumn: i) where !removed[q] && stamp[q] != j {
                    stamp[q] = j
                    take(q)
                    degree[q] -= 1
                    slot[q] = buckets[degree[q]].count
                    buckets[degree[q]].append(q)
                }
            }
            low = Swift.max(0, low - 1)
        }
        return order.reversed()
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
