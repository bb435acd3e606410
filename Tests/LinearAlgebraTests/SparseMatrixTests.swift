import Testing
import TestSupport
import LinearAlgebra

@Suite struct SparseMatrixTests {
    @Test("products y = A x and y = Aᵀ x agree with the dense products", arguments: [(7, 5), (5, 7), (30, 30), (0, 4)])
    func productsMatchDense(rows: Int, columns: Int) throws {
        let dense = TestMatrices.randomSparse(rows, columns, density: 0.3, seed: UInt64(rows * 31 + columns))
        let a = try SparseMatrix(dense)
        #expect(try a.dense() == dense)
        #expect(a.nonZeroCount == dense.elements.filter { $0 != 0 }.count)
        var rng = SeededRandom(seed: 3)
        let x = rng.vector(columns), u = rng.vector(rows)
        #expect(Approximate.relativeError(a * x, dense * x) <= 1e-14)
        var aTu = [Double](repeating: 0, count: columns)
        BLAS.gemv(transpose: true, 1, dense, u, 0, &aTu)
        #expect(Approximate.relativeError(a.transposedTimes(u), aTu) <= 1e-14)
        #expect(try a.transposed().dense() == dense.transposed())
    }

    @Test("a hand-written matrix reads back entry by entry")
    func handWritten() throws {
        let a = try SparseMatrix(rows: 3, columns: 3, columnPointers: [0, 2, 3, 5], rowIndices: [0, 1, 1, 0, 2],
                                 values: [4, 2, 5, 1, 3])
        #expect(try a.dense() == Matrix(rows: [[4, 0, 1], [2, 5, 0], [0, 0, 3]]))
        #expect(a[0, 2] == 1 && a[2, 0] == 0)
        #expect(a.diagonalElements == [4, 5, 3])
        #expect(a.bandwidths == (1, 2))
        #expect(a.pattern.rowCounts == [2, 2, 1])
        #expect(a.pattern.maximumNonZerosPerRow == 2)
        #expect(a.pattern.contains(row: 1, column: 0) && !a.pattern.contains(row: 2, column: 1))
    }

    @Test("bad structure is a typed error naming the fault")
    func badStructure() {
        func message(_ body: () throws(LinearAlgebraError) -> SparsityPattern) -> String? {
            do { _ = try body(); return nil } catch {
                if case .invalidArgument(let m) = error { return m }
                return nil
            }
        }
        #expect(message { () throws(LinearAlgebraError) in
            try SparsityPattern(rows: 3, columns: 2, columnPointers: [0, 1], rowIndices: [0]) }?
            .contains("column pointers") == true)
        #expect(message { () throws(LinearAlgebraError) in
            try SparsityPattern(rows: 3, columns: 1, columnPointers: [0, 2], rowIndices: [2, 1]) }?
            .contains("not strictly increasing") == true)
        #expect(message { () throws(LinearAlgebraError) in
            try SparsityPattern(rows: 3, columns: 1, columnPointers: [0, 2], rowIndices: [1, 1]) }?
            .contains("not strictly increasing") == true)
        #expect(message { () throws(LinearAlgebraError) in
            try SparsityPattern(rows: 3, columns: 1, columnPointers: [0, 1], rowIndices: [3]) }?
            .contains("out of range") == true)
        #expect(message { () throws(LinearAlgebraError) in
            try SparsityPattern(rows: 3, columns: 2, columnPointers: [0, 2, 1], rowIndices: [0]) } != nil)
        #expect(message { () throws(LinearAlgebraError) in
            try SparsityPattern(rows: 2, columns: 2, entries: [(0, 0), (2, 1)]) }?.contains("out of range") == true)
    }

    @Test("a non-finite entry is a typed error naming its position")
    func nonFinite() {
        var e: LinearAlgebraError? = nil
        do { _ = try SparseMatrix(rows: 2, columns: 2, columnPointers: [0, 1, 2], rowIndices: [0, 1], values: [1, .nan]) }
        catch { e = error }
        guard case .nonFiniteInput(let m)? = e else { Issue.record("expected nonFiniteInput, got \(String(describing: e))"); return }
        #expect(m.contains("(1, 1)"))
        #expect(throws: LinearAlgebraError.self) { _ = try SparseMatrix(Matrix(rows: [[1, .infinity]])) }
    }

    @Test("patterns from coordinates are sorted and deduplicated; union and transpose")
    func coordinates() throws {
        let p = try SparsityPattern(rows: 3, columns: 2, entries: [(2, 0), (0, 0), (2, 0), (1, 1)])
        #expect(p.columnPointers == [0, 2, 3] && p.rowIndices == [0, 2, 1])
        let t = p.transposed()
        #expect(t.rows == 2 && t.columns == 3 && t.columnPointers == [0, 1, 2, 3] && t.rowIndices == [0, 1, 0])
        let q = try SparsityPattern(rows: 3, columns: 2, entries: [(1, 0)])
        #expect(try p.union(q).rowIndices == [0, 1, 2, 1])
        #expect(!p.isStructurallySymmetric)
        #expect(SparsityPattern(nonZerosOf: TestMatrices.poisson2D(4)).isStructurallySymmetric)
    }

    @Test("band storage round-trips and refuses entries outside the band")
    func band() throws {
        let dense = TestMatrices.convectionDiffusion(9)
        let a = try SparseMatrix(dense)
        #expect(a.bandwidths == (1, 1))
        let band = try a.bandStorage(lower: 1, upper: 2)
        #expect(band.rows == 4 && band[2, 3] == dense[3, 3] && band[3, 3] == dense[4, 3] && band[1, 3] == dense[2, 3])
        #expect(try SparseMatrix(bandStorage: band, lower: 1, upper: 2) == a)
        #expect(throws: LinearAlgebraError.self) { _ = try a.bandStorage(lower: 0, upper: 1) }
        let lu = try BandLUFactorization(dense, lowerBandwidth: 1, upperBandwidth: 1)
        #expect(lu.dimension == 9)
    }

    @Test("the symmetry check looks at values, with a relative tolerance")
    func symmetry() throws {
        let p = try SparseMatrix(TestMatrices.poisson2D(5))
        #expect(p.isSymmetric())
        var d = TestMatrices.poisson2D(5)
        d[0, 1] = -1 - 1e-12
        let q = try SparseMatrix(d)
        #expect(!q.isSymmetric())
        #expect(q.isSymmetric(tolerance: 1e-10))
        #expect(!(try SparseMatrix(TestMatrices.convectionDiffusion(6))).isSymmetric(tolerance: 1e-3))
        d[0, 1] = 0   // structurally unsymmetric: (1, 0) stored, (0, 1) not
        #expect(!(try SparseMatrix(d)).isSymmetric(tolerance: 0.5))
        #expect(!(try SparseMatrix(Matrix(rows: 2, columns: 3))).isSymmetric())
    }
}

@Suite struct SparseBandLUTests {
    @Test("the band LU of a sparse matrix equals the band LU of its dense form")
    func sameAsDense() throws {
        var rng = SeededRandom(seed: 21)
        var dense = Matrix(rows: 50, columns: 50)
        for j in 0..<50 { for i in max(0, j - 1)...min(49, j + 2) { dense[i, j] = rng.uniform() + (i == j ? 3 : 0) } }
        let sparse = try SparseMatrix(dense)
        let fromSparse = try BandLUFactorization(sparse)
        #expect(fromSparse.lowerBandwidth == 2 && fromSparse.upperBandwidth == 1)
        let fromDense = try BandLUFactorization(dense, lowerBandwidth: 2, upperBandwidth: 1)
        let b = rng.vector(50)
        for transposed in [false, true] {
            #expect(try fromSparse.solve(b, transposed: transposed) == fromDense.solve(b, transposed: transposed))
        }
        #expect(fromSparse.reciprocalCondition == fromDense.reciprocalCondition)
        #expect(throws: LinearAlgebraError.self) { _ = try BandLUFactorization(sparse, lowerBandwidth: 1) }
        var singular = dense
        for i in 0..<50 { singular[i, 7] = 0 }
        #expect(throws: LinearAlgebraError.self) { _ = try BandLUFactorization(try SparseMatrix(singular)) }
    }
}

extension SparseMatrixTests {
    @Test("the dense form is refused above the memory limit, with its size")
    func denseLimit() throws {
        let a = SparseMatrix.identity(1000)
        #expect(thrownError { try a.dense(memoryLimit: 1_000_000) } == .memoryLimitExceeded(estimatedBytes: 8_000_000, limitBytes: 1_000_000))
        #expect(try a.dense(memoryLimit: 8_000_000).rows == 1000)
    }

    @Test("the symmetry check read from the lower half agrees with the dense A = Aᵀ test, explicit zeros included",
          arguments: 0..<40)
    func symmetryAgainstDense(_ seed: Int) throws {
        var rng = SeededRandom(seed: UInt64(100 + seed))
        let n = 1 + seed % 9
        // A random symmetric pattern and values, then one of: nothing, a perturbed value, an entry above the
        // diagonal alone, an explicit zero above or below the diagonal alone.
        var value: [Int: Double] = [:]
        for j in 0..<n {
            for i in j..<n where i == j || rng.uniform(0, 1) < 0.4 {
                let v = rng.uniform(-1, 1)
                value[i + n * j] = v
                value[j + n * i] = v
            }
        }
        let change = seed % 5
        let i = Int(rng.uniform(0, Double(n))) % n, j = Int(rng.uniform(0, Double(n))) % n
        if i != j {
            switch change {
            case 1: value[i + n * j] = (value[i + n * j] ?? 0.5) * (1 + 1e-9)
            case 2: value[min(i, j) + n * max(i, j)] = 0.25; value[max(i, j) + n * min(i, j)] = nil
            case 3: value[min(i, j) + n * max(i, j)] = 0; value[max(i, j) + n * min(i, j)] = nil
            case 4: value[max(i, j) + n * min(i, j)] = 0; value[min(i, j) + n * max(i, j)] = nil
            default: break
            }
        }
        var pointers = [0], rows: [Int] = [], values: [Double] = []
        for c in 0..<n {
            for r in 0..<n { if let v = value[r + n * c] { rows.append(r); values.append(v) } }
            pointers.append(rows.count)
        }
        let a = try SparseMatrix(rows: n, columns: n, columnPointers: pointers, rowIndices: rows, values: values)
        let d = try a.dense()
        for tolerance in [0.0, 1e-6] {
            var dense = true
            for r in 0..<n { for c in 0..<n where abs(d[r, c] - d[c, r]) > tolerance * max(abs(d[r, c]), abs(d[c, r])) {
                dense = false
            } }
            #expect(a.isSymmetric(tolerance: tolerance) == dense, "seed \(seed) change \(change) tolerance \(tolerance)")
        }
    }
}
