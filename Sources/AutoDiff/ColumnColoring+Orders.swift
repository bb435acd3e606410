import LinearAlgebra

/// The column-intersection graph of a pattern, read through its compressed
/// index arrays: the neighbours of column `j` are the columns of the rows of
/// `j`'s entries. A kernel helper of the colourings; the buffers live only
/// inside ``with(_:_:_:)``.
struct IntersectionGraph {
    /// CSC of the pattern: rows of column `j` at `rowIndices[columnPointers[j] ..< columnPointers[j + 1]]`.
    let columnPointers: UnsafeBufferPointer<Int>
    let rowIndices: UnsafeBufferPointer<Int>
    /// CSR of the pattern (CSC of its transpose): columns of row `i`.
    let rowPointers: UnsafeBufferPointer<Int>
    let columnIndices: UnsafeBufferPointer<Int>

    /// Runs `body` on the graph of `pattern`, whose transpose is `rowsView`.
    static func with<R>(_ pattern: SparsityPattern, _ rowsView: SparsityPattern, _ body: (IntersectionGraph) -> R) -> R {
        pattern.columnPointers.withUnsafeBufferPointer { cp in
            pattern.rowIndices.withUnsafeBufferPointer { ri in
                rowsView.columnPointers.withUnsafeBufferPointer { rp in
                    rowsView.rowIndices.withUnsafeBufferPointer { ci in
                        body(IntersectionGraph(columnPointers: cp, rowIndices: ri, rowPointers: rp, columnIndices: ci))
                    }
                }
            }
        }
    }

    /// Calls `body` for every column sharing a row with `j` (`j` itself
    /// included, and a column once per shared row).
    @inline(__always)
    func forEachNeighbour(of j: Int, _ body: (Int) -> Void) {
        for k in columnPointers[j]..<columnPointers[j + 1] {
            let i = rowIndices[k]
            for l in rowPointers[i]..<rowPointers[i + 1] { body(columnIndices[l]) }
        }
    }
}

extension ColumnColoring {
    /// The degree of each column in the column-intersection graph.
    static func degrees(_ graph: IntersectionGraph, columns n: Int) -> [Int] {
        var stamp = [Int](repeating: -1, count: n)
        return [Int](uninitializedCount: n) { degree in
            stamp.withUnsafeMutableBufferPointer { stamp in
                for j in 0..<n {
                    var d = 0
                    graph.forEachNeighbour(of: j) { q in
                        if q != j && stamp[q] != j {
                            stamp[q] = j
                            d += 1
                        }
                    }
                    degree[j] = d
                }
            }
        }
    }

    /// Columns by decreasing degree, ties in natural order (Welsh–Powell).
    static func largestFirstOrder(_ pattern: SparsityPattern, _ rowsView: SparsityPattern) -> [Int] {
        let degree = IntersectionGraph.with(pattern, rowsView) { degrees($0, columns: pattern.columns) }
        return Array(0..<pattern.columns).sorted {
            degree[$0] > degree[$1] || (degree[$0] == degree[$1] && $0 < $1)
        }
    }

    /// The smallest-last order: columns removed by least remaining degree,
    /// returned last-removed first.
    ///
    /// The buckets of equal remaining degree are doubly linked lists in flat
    /// arrays (`head[d]`, `next[j]`, `previous[j]`): removing a column or
    /// moving it down one bucket is O(1), and a removal picks the most
    /// recently inserted column of the lowest non-empty bucket.
    static func smallestLastOrder(_ pattern: SparsityPattern, _ rowsView: SparsityPattern) -> [Int] {
        let n = pattern.columns
        return IntersectionGraph.with(pattern, rowsView) { graph in
            var degree = degrees(graph, columns: n)
            let top = (degree.max() ?? 0) + 1
            var head = [Int](repeating: -1, count: top)
            var next = [Int](repeating: -1, count: n), previous = [Int](repeating: -1, count: n)
            var removed = [Bool](repeating: false, count: n), stamp = [Int](repeating: -1, count: n)
            var order = [Int](repeating: 0, count: n)
            degree.withUnsafeMutableBufferPointer { degree in
            head.withUnsafeMutableBufferPointer { head in
            next.withUnsafeMutableBufferPointer { next in
            previous.withUnsafeMutableBufferPointer { previous in
            removed.withUnsafeMutableBufferPointer { removed in
            stamp.withUnsafeMutableBufferPointer { stamp in
                @inline(__always) func insert(_ j: Int) {
                    let d = degree[j], h = head[d]
                    previous[j] = -1
                    next[j] = h
                    if h >= 0 { previous[h] = j }
                    head[d] = j
                }
                @inline(__always) func unlink(_ j: Int) {
                    let p = previous[j], q = next[j]
                    if p >= 0 { next[p] = q } else { head[degree[j]] = q }
                    if q >= 0 { previous[q] = p }
                }
                for j in 0..<n { insert(j) }
                var low = 0
                for step in 0..<n {
                    while head[low] < 0 { low += 1 }
                    let j = head[low]
                    unlink(j)
                    removed[j] = true
                    order[n - 1 - step] = j
                    graph.forEachNeighbour(of: j) { q in
                        if !removed[q] && stamp[q] != j {
                            stamp[q] = j
                            unlink(q)
                            degree[q] -= 1
                            insert(q)
                        }
                    }
                    low = Swift.max(0, low - 1)
                }
            }}}}}}
            return order
        }
    }
}
