import Testing
import TestSupport
import LinearAlgebra

/// The constant off-diagonal runs of a stencil's diagonal form: what is detected, and the products
/// that use the constants against the general kernels (bit for bit) and a dense product.
@Suite struct DiagonalOffsetConstantRunsTests {
    /// A square form on `offsets` with off-diagonal run `t` equal to `constants[t]` inside the matrix,
    /// the main diagonal random in `[2, 5]`, then each `(t, i, value)` of `changes` written.
    static func form(_ n: Int, _ offsets: [Int], _ constants: [Double], changes: [(Int, Int, Double)] = [],
                     _ rng: inout SeededRandom) throws -> DiagonalOffsetMatrix {
        var values = [Double](repeating: 0, count: offsets.count * n)
        for (t, o) in offsets.enumerated() {
            for i in 0..<n where i + o >= 0 && i + o < n { values[t * n + i] = o == 0 ? rng.uniform(2, 5) : constants[t] }
        }
        for (t, i, v) in changes { values[t * n + i] = v }
        return try DiagonalOffsetMatrix(rows: n, columns: n, offsets: offsets, values: values)
    }

    /// The holes of the five-point stencil on a `g × g` grid: `a_{i,i−1} = 0` where `i` starts a grid
    /// line and `a_{i,i+1} = 0` where it ends (the neighbour is on another line).
    static func lineEnds(_ g: Int) -> [(Int, Int, Double)] {
        (0..<(g * g)).flatMap { i -> [(Int, Int, Double)] in
            (i % g == 0 && i > 0 ? [(1, i, 0.0)] : []) + (i % g == g - 1 && i < g * g - 1 ? [(3, i, 0.0)] : [])
        }
    }

    static func dense(_ a: DiagonalOffsetMatrix) -> Matrix {
        var m = Matrix(rows: a.rows, columns: a.columns)
        for (t, o) in a.offsets.enumerated() {
            for i in 0..<a.rows where i + o >= 0 && i + o < a.columns { m[i, i + o] = a.values[t * a.rows + i] }
        }
        return m
    }

    /// Every product of `a` (plain, transposed, with `xᵀy`, after Jacobi's direction) against the same
    /// matrix on the general kernels, bit for bit in the vectors, and against the dense products.
    static func checkAgainstGeneral(_ a: DiagonalOffsetMatrix, _ rng: inout SeededRandom, x given: [Double]? = nil,
                                    _ label: String) {
        let general = a.withoutConstantRuns
        let n = a.rows
        let x = given ?? rng.vector(n)
        let bits = { (v: [Double]) in v.map(\.bitPattern) }
        var y = [Double](repeating: .nan, count: n), yRef = y
        a.multiply(x, into: &y)
        general.multiply(x, into: &yRef)
        #expect(bits(y) == bits(yRef), "\(label): A x")
        var denseY = [Double](repeating: 0, count: n)
        BLAS.gemv(transpose: false, 1, dense(a), x, 0, &denseY)
        #expect(zip(y, denseY).allSatisfy { abs($0 - $1) <= 1e-13 * 6 }, "\(label): A x against dense")
        a.multiplyTransposed(x, into: &y)
        general.multiplyTransposed(x, into: &yRef)
        #expect(bits(y) == bits(yRef), "\(label): Aᵀx")
        BLAS.gemv(transpose: true, 1, dense(a), x, 0, &denseY)
        #expect(zip(y, denseY).allSatisfy { abs($0 - $1) <= 1e-13 * 6 }, "\(label): Aᵀx against dense")
        let r = rng.vector(n), m = (0..<n).map { _ in rng.uniform(0.1, 2) }
        for transposed in [false, true] {
            let dot = a.multiplyReturningDot(x, into: &y, transposed: transposed)
            let dotRef = general.multiplyReturningDot(x, into: &yRef, transposed: transposed)
            #expect(bits(y) == bits(yRef), "\(label): product with xᵀy, transposed \(transposed)")
            let scale = zip(x, yRef).reduce(0.0) { $0 + abs($1.0 * $1.1) }
            #expect(abs(dot - dotRef) <= 4 * Double.ulpOfOne * Double(n) * scale, "\(label): xᵀy \(dot) against \(dotRef)")
            var p = x, pRef = x
            let pq = a.multiplyAfterJacobiDirection(beta: 0.37, residual: r, inverseDiagonal: m, direction: &p,
                                                    into: &y, transposed: transposed)
            let pqRef = general.multiplyAfterJacobiDirection(beta: 0.37, residual: r, inverseDiagonal: m,
                                                             direction: &pRef, into: &yRef, transposed: transposed)
            #expect(bits(p) == bits(pRef) && bits(y) == bits(yRef), "\(label): direction and product, transposed \(transposed)")
            let pqScale = zip(pRef, yRef).reduce(0.0) { $0 + abs($1.0 * $1.1) }
            #expect(abs(pq - pqRef) <= 4 * Double.ulpOfOne * Double(n) * pqScale, "\(label): pᵀq \(pq) against \(pqRef)")
        }
    }

    @Test("the 2-D stencil's form: −1 runs with holes at the grid lines' ends, its exceptions those rows",
          arguments: [3, 9, 17, 20, 31])
    func stencilWithLineEnds(_ g: Int) throws {
        var rng = SeededRandom(seed: UInt64(g))
        let n = g * g
        let a = try Self.form(n, [-g, -1, 0, 1, g], [-1, -1, 0, -1, -1], changes: Self.lineEnds(g), &rng)
        // 2(g − 1) rows meet a hole; more than one row in eight and the general kernels run.
        guard 2 * (g - 1) <= n / 8 else {
            #expect(a.constantRuns == nil)
            Self.checkAgainstGeneral(a, &rng, "g \(g)")
            return
        }
        let runs = try #require(a.constantRuns, "g \(g)")
        #expect(runs.constants == [-1, -1, 0, -1, -1])
        // Independent of the detection: row i meets a hole where it starts or ends a line (not the
        // matrix's first or last row, whose missing neighbour lies outside); column j where it ends
        // the line before a start, or starts the line after an end.
        #expect(runs.rowExceptions == (0..<n).filter { ($0 % g == 0 && $0 > 0) || ($0 % g == g - 1 && $0 < n - 1) })
        #expect(runs.columnExceptions == (0..<n).filter { ($0 % g == g - 1 && $0 < n - 1) || ($0 % g == 0 && $0 >= g) })
        Self.checkAgainstGeneral(a, &rng, "g \(g)")
    }

    @Test("uniform runs without holes, a few odd values, −0.0 against 0.0, and non-uniform runs",
          arguments: [8, 9, 40, 203])
    func uniformAndOddRuns(_ n: Int) throws {
        var rng = SeededRandom(seed: UInt64(1000 + n))
        let sets: [([Int], [Double])] = [([-1, 0, 1], [-1, 0, 2.5]), ([-3, 0, 5], [0.25, 0, -7]),
                                         ([-7, -1, 0, 1, 7].filter { abs($0) < n }, [0.5, -1, 0, -1, 3]),
                                         ([-(n - 1), -2, 0, 1, n - 1], [1, 2, 0, 3, 4])]
        for (offsets, constants) in sets where offsets.count == constants.count {
            let label = "n \(n), offsets \(offsets)"
            let plain = try Self.form(n, offsets, constants, &rng)
            let runs = try #require(plain.constantRuns, "\(label)")
            #expect(runs.rowExceptions.isEmpty && runs.columnExceptions.isEmpty && runs.constants == constants, "\(label)")
            Self.checkAgainstGeneral(plain, &rng, label)
            // One odd value per off-diagonal run: its row (and column) an exception.
            // (Runs of three values or more: a run of one value is its own constant.)
            let odd = offsets.indices.filter { offsets[$0] != 0 && n - abs(offsets[$0]) >= 3 }.map { t -> (Int, Int, Double) in
                let o = offsets[t], low = max(0, -o), high = min(n, n - o)
                return (t, low + (high - low) / 2, rng.uniform(3, 4))
            }
            let changed = try Self.form(n, offsets, constants, changes: odd, &rng)
            if odd.count <= n / 8 {
                let runs = try #require(changed.constantRuns, "\(label)")
                #expect(Set(runs.rowExceptions) == Set(odd.map { $0.1 }), "\(label)")
                #expect(Set(runs.columnExceptions) == Set(odd.map { $0.1 + offsets[$0.0] }), "\(label)")
            }
            Self.checkAgainstGeneral(changed, &rng, label + ", odd values")
            // Every off-diagonal value random: no constants, the general kernels.
            var values = plain.values
            for (t, o) in offsets.enumerated() where o != 0 {
                for i in max(0, -o)..<min(n, n - o) { values[t * n + i] = rng.uniform() }
            }
            let random = try DiagonalOffsetMatrix(rows: n, columns: n, offsets: offsets, values: values)
            #expect(random.constantRuns == nil, "\(label)")
        }
    }

    @Test("−0.0 is not 0.0: a +0.0 among −0.0 runs is an exception, and the products keep the sign of zero")
    func signedZeros() throws {
        var rng = SeededRandom(seed: 77)
        let n = 64, offsets = [-8, -1, 0, 1, 8]
        // Every term of row 20 is a zero times a positive p: −0.0 if all of them are −0.0, +0.0 if one is +0.0.
        let a = try Self.form(n, offsets, [-0.0, -0.0, 0, -0.0, -0.0], changes: [(1, 20, 0.0), (2, 20, -0.0), (2, 30, -0.0)],
                              &rng)
        let runs = try #require(a.constantRuns)
        #expect(runs.constants.map(\.bitPattern) == [-0.0, -0.0, 0, -0.0, -0.0].map(\.bitPattern))
        #expect(runs.rowExceptions == [20] && runs.columnExceptions == [19])
        let x = (0..<n).map { _ in rng.uniform(0.5, 1) }
        var y = [Double](repeating: .nan, count: n)
        a.multiply(x, into: &y)
        #expect(y[20].bitPattern == (0.0).bitPattern && y[30].bitPattern == (-0.0).bitPattern)
        Self.checkAgainstGeneral(a, &rng, x: x, "signed zeros")
    }

    @Test("NaN is never a constant; too many exceptions, a main diagonal off the middle or four runs give none")
    func refusals() throws {
        let n = 40
        var values = [Double](repeating: -1, count: 3 * n)
        values[0] = 0
        values[3 * n - 1] = 0
        for i in 0..<n { values[n + i] = 4 }
        #expect(DiagonalOffsetConstantRuns.detect(rows: n, offsets: [-1, 0, 1], values: values)?.constants == [-1, 0, -1])
        var nan = values
        nan[7] = .nan
        let one = try #require(DiagonalOffsetConstantRuns.detect(rows: n, offsets: [-1, 0, 1], values: nan))
        #expect(one.constants == [-1, 0, -1] && one.rowExceptions == [7] && one.columnExceptions == [6])
        var allNaN = values
        for i in 1..<n { allNaN[i] = .nan }
        #expect(DiagonalOffsetConstantRuns.detect(rows: n, offsets: [-1, 0, 1], values: allNaN) == nil)
        // Run 0 short enough (offset −35: five rows) that its NaNs are within the limit: still refused.
        var shortNaN = [Double](repeating: 1, count: 3 * n)
        for i in 35..<n { shortNaN[i] = .nan }
        #expect(DiagonalOffsetConstantRuns.detect(rows: n, offsets: [-35, 0, 1], values: shortNaN) == nil)
        var many = values
        for i in stride(from: 2, to: n, by: 6) { many[i] = 0.5 }
        #expect(DiagonalOffsetConstantRuns.detect(rows: n, offsets: [-1, 0, 1], values: many) == nil)
        #expect(DiagonalOffsetConstantRuns.detect(rows: n, offsets: [-1, 1, 2], values: values) == nil)
        #expect(DiagonalOffsetConstantRuns.detect(rows: n, offsets: [-2, -1, 0, 1], values: values + values[0..<n]) == nil)
        // A rectangular form never has them.
        let rect = try DiagonalOffsetMatrix(rows: n, columns: n + 1, offsets: [-1, 0, 1], values: values)
        #expect(rect.constantRuns == nil)
    }
}
