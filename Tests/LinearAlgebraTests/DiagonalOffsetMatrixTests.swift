import Testing
import TestSupport
import LinearAlgebra

@Suite struct DiagonalOffsetMatrixTests {
    /// A random matrix whose entries lie on `offsets` (those within the matrix): each slot stored with
    /// probability `density` (a missing neighbour otherwise), one in eight stored slots an explicit zero.
    static func onOffsets(_ rows: Int, _ columns: Int, _ offsets: [Int], density: Double,
                          _ rng: inout SeededRandom) -> (sparse: SparseMatrix, dense: Matrix) {
        var dense = Matrix(rows: rows, columns: columns)
        var pointers = [0], rowIndices: [Int] = [], values: [Double] = []
        for j in 0..<columns {
            for i in 0..<rows where offsets.contains(j - i) && rng.uniform(0, 1) < density {
                let v = rng.uniform(0, 1) < 0.125 ? 0 : rng.uniform()
                rowIndices.append(i)
                values.append(v)
                dense[i, j] = v
            }
            pointers.append(rowIndices.count)
        }
        let a = try! SparseMatrix(rows: rows, columns: columns, columnPointers: pointers, rowIndices: rowIndices,
                                  values: values)
        return (a, dense)
    }

    /// The products of `d` against the CSC ones and the dense ones.
    static func checkProducts(_ d: DiagonalOffsetMatrix, _ a: SparseMatrix, _ dense: Matrix, _ rng: inout SeededRandom) {
        let x = rng.vector(a.columns), u = rng.vector(a.rows)
        var y = [Double](repeating: .nan, count: a.rows), yT = [Double](repeating: .nan, count: a.columns)
        d.multiply(x, into: &y)
        d.multiplyTransposed(u, into: &yT)
        var denseY = [Double](repeating: 0, count: a.rows), denseYT = [Double](repeating: 0, count: a.columns)
        if a.rows > 0 && a.columns > 0 {
            BLAS.gemv(transpose: false, 1, dense, x, 0, &denseY)
            BLAS.gemv(transpose: true, 1, dense, u, 0, &denseYT)
        }
        let scale = 1e-14 * Double(d.offsets.count + 1)
        #expect(zip(y, a * x).allSatisfy { abs($0 - $1) <= scale }, "A x by diagonals against CSC")
        #expect(zip(y, denseY).allSatisfy { abs($0 - $1) <= scale }, "A x by diagonals against dense")
        #expect(zip(yT, a.transposedTimes(u)).allSatisfy { abs($0 - $1) <= scale }, "Aᵀu by diagonals against CSC")
        #expect(zip(yT, denseYT).allSatisfy { abs($0 - $1) <= scale }, "Aᵀu by diagonals against dense")
        // Adjointness: uᵀ(A x) = (Aᵀu)ᵀx.
        #expect(abs(BLAS.dot(u, y) - BLAS.dot(yT, x)) <= scale * Double(a.rows + a.columns + 1))
        if a.rows == a.columns {
            var z = [Double](repeating: .nan, count: a.rows)
            let curvature = d.multiplyReturningDot(x, into: &z, transposed: false)
            #expect(z == y)
            #expect(abs(curvature - BLAS.dot(x, y)) <= scale * Double(a.rows + 1))
            var w = [Double](repeating: .nan, count: a.rows)
            let transposedCurvature = d.multiplyReturningDot(x, into: &w, transposed: true)
            var direct = [Double](repeating: 0, count: a.rows)
            d.multiplyTransposed(x, into: &direct)
            #expect(w == direct)
            #expect(abs(transposedCurvature - BLAS.dot(x, w)) <= scale * Double(a.rows + 1))
        }
    }

    @Test("products on random offset patterns (missing neighbours, explicit zeros, rectangular, offsets at the edges) match the CSC and dense products")
    func randomPatterns() {
        var rng = SeededRandom(seed: 14)
        for trial in 0..<300 {
            let rows = Int(rng.next() % 13), columns = trial % 3 == 0 ? rows : Int(rng.next() % 13)
            guard rows > 0 && columns > 0 else { continue }
            // Offsets anywhere in -(rows − 1) … columns − 1, the extreme corners included.
            var offsets = Set<Int>()
            let wanted = Swift.min(1 + Int(rng.next() % 6), rows + columns - 1)
            if trial % 5 == 0 { offsets.insert(columns - 1) }
            if trial % 7 == 0 { offsets.insert(-(rows - 1)) }
            while offsets.count < wanted { offsets.insert(Int(rng.next() % UInt64(rows + columns - 1)) - (rows - 1)) }
            let (a, dense) = Self.onOffsets(rows, columns, offsets.sorted(), density: trial % 2 == 0 ? 1 : 0.6, &rng)
            guard let d = DiagonalOffsetMatrix(a, maximumOffsets: 8) else {
                // Refused only when the diagonals would hold more than twice the stored entries.
                let used = Set((0..<columns).flatMap { j in a.pattern.rows(inColumn: j).map { j - $0 } })
                #expect(used.count * rows > 2 * max(a.nonZeroCount, rows), "trial \(trial) refused")
                continue
            }
            let used = Set((0..<columns).flatMap { j in a.pattern.rows(inColumn: j).map { j - $0 } })
            #expect(d.offsets == used.sorted(), "trial \(trial): the offsets are those of the stored entries")
            #expect(d.values.count == d.offsets.count * rows)
            for (t, o) in d.offsets.enumerated() {
                for i in 0..<rows {
                    let inside = i + o >= 0 && i + o < columns
                    #expect(d.values[t * rows + i] == (inside ? dense[i, i + o] : 0))
                }
            }
            Self.checkProducts(d, a, dense, &rng)
        }
    }

    @Test("a five-point stencil with missing neighbours and longer runs than a block lies on five offsets",
          arguments: [(37, 41), (100, 1), (1, 700)])
    func fivePoint(nx: Int, ny: Int) throws {
        let m = nx * ny
        var entries: [(row: Int, column: Int)] = []
        for j in 0..<m {
            let (x, y) = (j % nx, j / nx)
            if y > 0 { entries.append((j - nx, j)) }
            if x > 0 { entries.append((j - 1, j)) }
            entries.append((j, j))
            if x < nx - 1 { entries.append((j + 1, j)) }
            if y < ny - 1 { entries.append((j + nx, j)) }
        }
        let pattern = try SparsityPattern(rows: m, columns: m, entries: entries)
        var rng = SeededRandom(seed: UInt64(m))
        let a = try SparseMatrix(pattern: pattern, values: rng.vector(pattern.nonZeroCount))
        let d = try #require(DiagonalOffsetMatrix(a))
        #expect(d.offsets == Set(entries.map { $0.column - $0.row }).sorted())
        #expect(d.offsets.count == (nx > 1 ? 3 : 1) + (ny > 1 ? 2 : 0))
        Self.checkProducts(d, a, try a.dense(), &rng)
    }

    @Test("more diagonals than allowed, or diagonals of mostly zeros, are refused")
    func refusals() throws {
        var rng = SeededRandom(seed: 9)
        let (nine, _) = Self.onOffsets(20, 20, [-8, -6, -4, -2, 0, 2, 4, 6, 8], density: 1, &rng)
        #expect(DiagonalOffsetMatrix(nine) == nil)
        #expect(DiagonalOffsetMatrix(nine, maximumOffsets: 8) == nil)
        #expect(DiagonalOffsetMatrix(nine, maximumOffsets: 9)?.offsets == [-8, -6, -4, -2, 0, 2, 4, 6, 8])
        let (three, _) = Self.onOffsets(10, 10, [-1, 0, 1], density: 1, &rng)
        #expect(DiagonalOffsetMatrix(three, maximumOffsets: 2) == nil)
        #expect(DiagonalOffsetMatrix(three, maximumOffsets: 0) == nil)
        // Offsets given in advance: an entry off them, offsets out of order or outside the matrix.
        #expect(DiagonalOffsetMatrix(three, offsets: [-1, 0, 1]) == DiagonalOffsetMatrix(three))
        #expect(DiagonalOffsetMatrix(three, offsets: [-2, -1, 0, 1]) != nil)
        #expect(DiagonalOffsetMatrix(three, offsets: [0, 1]) == nil)
        #expect(DiagonalOffsetMatrix(three, offsets: [-1, 1, 0]) == nil)
        #expect(DiagonalOffsetMatrix(three, offsets: [-1, 0, 1, 10]) == nil)
        #expect(DiagonalOffsetMatrix(three, offsets: [-10, -1, 0, 1]) == nil)
        // Three entries on three diagonals of a 100 × 100 matrix: 300 slots for 3 entries.
        let scattered = try SparseMatrix(pattern: SparsityPattern(rows: 100, columns: 100,
                                                                  entries: [(0, 50), (10, 10), (90, 5)]),
                                         values: [1, 2, 3])
        #expect(DiagonalOffsetMatrix(scattered) == nil)
        // The empty matrix and a matrix without entries need no diagonal.
        let empty = try #require(DiagonalOffsetMatrix(SparseMatrix(pattern: SparsityPattern(rows: 4, columns: 3, entries: []),
                                                                   values: [])))
        #expect(empty.offsets.isEmpty)
        var y = [Double](repeating: .nan, count: 4)
        empty.multiply([1, 2, 3], into: &y)
        #expect(y == [0, 0, 0, 0])
    }

    @Test("the checked initializer refuses bad offsets, sizes, non-finite values and entries outside the matrix")
    func checkedInitializer() throws {
        let d = try DiagonalOffsetMatrix(rows: 3, columns: 3, offsets: [-1, 0, 1], values: [0, 2, 3, 4, 5, 6, 1, 1, 0])
        let dense = Matrix(rows: [[4, 1, 0], [2, 5, 1], [0, 3, 6]])
        var rng = SeededRandom(seed: 1)
        Self.checkProducts(d, try SparseMatrix(dense), dense, &rng)
        #expect(d == DiagonalOffsetMatrix(try SparseMatrix(dense)))
        #expect(throws: LinearAlgebraError.self) { try DiagonalOffsetMatrix(rows: 3, columns: 3, offsets: [0, -1], values: [Double](repeating: 0, count: 6)) }
        #expect(throws: LinearAlgebraError.self) { try DiagonalOffsetMatrix(rows: 3, columns: 3, offsets: [3], values: [0, 0, 0]) }
        #expect(throws: LinearAlgebraError.self) { try DiagonalOffsetMatrix(rows: 3, columns: 3, offsets: [0], values: [0, 0]) }
        #expect(throws: LinearAlgebraError.self) { try DiagonalOffsetMatrix(rows: 3, columns: 3, offsets: [0], values: [0, .nan, 0]) }
        #expect(throws: LinearAlgebraError.self) { try DiagonalOffsetMatrix(rows: 3, columns: 3, offsets: [1], values: [0, 0, 1]) }
        #expect(throws: LinearAlgebraError.self) { try DiagonalOffsetMatrix(rows: -1, columns: 3, offsets: [], values: []) }
    }
}
