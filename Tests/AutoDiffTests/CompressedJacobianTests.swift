import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

/// The 2-D five-point pattern on a `k × k` grid, the 1-D tridiagonal one, and an arrow.
enum StructuredPatterns {
    static func tridiagonal(_ m: Int) -> SparsityPattern {
        var entries: [(row: Int, column: Int)] = []
        for j in 0..<m { for i in Swift.max(0, j - 1)...Swift.min(m - 1, j + 1) { entries.append((i, j)) } }
        return try! SparsityPattern(rows: m, columns: m, entries: entries)
    }
    static func fivePoint(_ k: Int) -> SparsityPattern {
        var entries: [(row: Int, column: Int)] = []
        for gy in 0..<k {
            for gx in 0..<k {
                let i = gx + gy * k
                entries.append((i, i))
                if gx > 0 { entries.append((i, i - 1)) }
                if gx < k - 1 { entries.append((i, i + 1)) }
                if gy > 0 { entries.append((i, i - k)) }
                if gy < k - 1 { entries.append((i, i + k)) }
            }
        }
        return try! SparsityPattern(rows: k * k, columns: k * k, entries: entries)
    }
    /// Diagonal plus a dense last row and a dense last column.
    static func arrow(_ m: Int) -> SparsityPattern {
        var entries = (0..<m).map { (row: $0, column: $0) }
        for j in 0..<m { entries.append((m - 1, j)); entries.append((j, m - 1)) }
        return try! SparsityPattern(rows: m, columns: m, entries: entries)
    }
}

/// A random pattern, each entry present with probability `density`.
private func randomPattern(_ rng: inout SeededRandom) -> SparsityPattern {
    let rows = rng.int(0...30), columns = rng.int(0...30), density = rng.uniform(0, 0.4)
    var entries: [(row: Int, column: Int)] = []
    for j in 0..<columns { for i in 0..<rows where rng.uniform(0, 1) < density { entries.append((i, j)) } }
    return try! SparsityPattern(rows: rows, columns: columns, entries: entries)
}

/// A random banded pattern (bandwidths up to 6 either side, any shape) and
/// whether its band is full (every position within the band present).
private func randomBandedPattern(_ rng: inout SeededRandom) -> (SparsityPattern, Bool) {
    let rows = rng.int(1...40), columns = rng.int(1...40), kl = rng.int(0...6), ku = rng.int(0...6)
    let full = rng.uniform(0, 1) < 0.5, density = full ? 1 : rng.uniform(0.2, 0.9)
    var entries: [(row: Int, column: Int)] = []
    for j in 0..<columns {
        for i in 0..<rows where i - j <= kl && j - i <= ku && rng.uniform(0, 1) < density { entries.append((i, j)) }
    }
    return (try! SparsityPattern(rows: rows, columns: columns, entries: entries), full)
}

@Suite struct ColoringTests {
    @Test("every colouring is valid and uses at least max non-zeros per row colours (property)")
    func coloringsAreValid() {
        let failure = PropertyCheck.run(
            "valid colouring", seed: 1983, cases: 400, generate: randomPattern, shrink: { _ in [] },
            property: { p -> String? in
                for order in [ColumnColoring.Order.natural, .largestFirst, .smallestLast] {
                    let c = ColumnColoring(p, order: order)
                    if !c.isValid(for: p) { return "column colouring (\(order)) invalid" }
                    if c.colorCount < p.maximumNonZerosPerRow { return "fewer colours than a row's entries" }
                    let r = ColumnColoring.rows(of: p, order: order)
                    if !r.isValid(for: p.transposed()) { return "row colouring (\(order)) invalid" }
                    let g = ColumnColoring.greedy(p, order: order)   // the walk itself, without the shortcuts
                    if !g.isValid(for: p) { return "greedy colouring (\(order)) invalid" }
                    if c.colorCount > g.colorCount { return "a shortcut used more colours than the greedy walk" }
                }
                return nil
            })
        #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
    }

    @Test("the banded colouring is valid with kl + ku + 1 colours, and taken when a row fills the band (property)")
    func bandedColouring() {
        let failure = PropertyCheck.run(
            "banded colouring", seed: 2005, cases: 400, generate: randomBandedPattern, shrink: { _ in [] },
            property: { band -> String? in
                let (p, full) = band
                let (kl, ku) = p.bandwidths, width = Swift.min(kl + ku + 1, p.columns)
                let cyclic = ColumnColoring.banded(p)
                if !cyclic.isValid(for: p) { return "cyclic colouring invalid (kl \(kl), ku \(ku))" }
                if cyclic.colorCount != width { return "cyclic colouring has \(cyclic.colorCount) colours, expected \(width)" }
                let chosen = ColumnColoring(p)
                if !chosen.isValid(for: p) { return "default colouring invalid" }
                if full && p.maximumNonZerosPerRow == width && chosen != cyclic {
                    return "a full band did not take the cyclic colouring"
                }
                if full && p.maximumNonZerosPerRow == width && chosen.colorCount != width {
                    return "a full band used \(chosen.colorCount) colours, expected kl + ku + 1 = \(width)"
                }
                if chosen.colorCount > ColumnColoring.greedy(p, order: .smallestLast).colorCount {
                    return "the default used more colours than the greedy walk"
                }
                return nil
            })
        #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
        // A tridiagonal pattern: column j takes j mod 3, without a graph walk.
        let tri = ColumnColoring(StructuredPatterns.tridiagonal(1000))
        #expect(tri.colorCount == 3 && tri.colors == (0..<1000).map { $0 % 3 })
    }

    @Test("the validity check rejects two columns of one colour sharing a row")
    func invalidIsDetected() throws {
        let p = StructuredPatterns.tridiagonal(6)
        let c = ColumnColoring(p)
        #expect(c.isValid(for: p))
        // A one-colour colouring of a tridiagonal pattern cannot be valid.
        let greedyOnDiagonal = ColumnColoring(SparsityPattern(nonZerosOf: Matrix.identity(6)))
        #expect(greedyOnDiagonal.colorCount == 1)
        #expect(!greedyOnDiagonal.isValid(for: p))
    }

    @Test("colours against max non-zeros per row on structured patterns")
    func structuredCounts() {
        let tri = StructuredPatterns.tridiagonal(1000), grid = StructuredPatterns.fivePoint(100)
        let arrow = StructuredPatterns.arrow(1000)
        var lines: [String] = []
        for (name, p) in [("tridiagonal m=1000", tri), ("five-point 100×100", grid), ("arrow m=1000", arrow)] {
            let natural = ColumnColoring(p, order: .natural), largest = ColumnColoring(p, order: .largestFirst)
            let last = ColumnColoring(p, order: .smallestLast)
            let rows = ColumnColoring.rows(of: p)
            lines.append("\(name): max nnz/row \(p.maximumNonZerosPerRow), columns natural \(natural.colorCount), "
                         + "largest-first \(largest.colorCount), smallest-last \(last.colorCount), rows \(rows.colorCount)")
            #expect(natural.isValid(for: p) && largest.isValid(for: p) && last.isValid(for: p))
        }
        print(lines.joined(separator: "\n"))
        #expect(ColumnColoring(tri).colorCount == 3)
        #expect(ColumnColoring(grid).colorCount >= 5 && ColumnColoring(grid).colorCount <= 9)
        #expect(ColumnColoring(arrow).colorCount == 1000)   // a dense row forces one colour per column
    }
}

@Suite struct CompressedJacobianTests {
    @Test("compressed Jacobians (dual lanes, forward sweeps, reverse by rows) equal the dense ones (property)")
    func compressedEqualsDense() {
        let failure = PropertyCheck.run(
            "compressed == dense", seed: 1974, cases: 200,
            generate: { rng in SparseConditions.generateWithPoint(&rng) },
            shrink: { _ in [] },
            property: { c -> String? in
                let (f, x, y) = c
                let lin = AD.linearize(f, x: x, y: y)
                let patterns = lin.jacobianPatterns()
                let dense = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
                for (wrtY, p, d) in [(true, patterns.y, dense.y!), (false, patterns.x, dense.x!)] {
                    let coloring = ColumnColoring(p)
                    do {
                        let byLanes = try AD.compressedJacobian(of: f, x: x, y: y, withRespectToY: wrtY,
                                                                pattern: p, coloring: coloring)
                        let bySweeps = try lin.compressedJacobian(withRespectToY: wrtY, pattern: p, coloring: coloring)
                        let byRows = try lin.compressedJacobianByRows(withRespectToY: wrtY, pattern: p,
                                                                      rowColoring: .rows(of: p))
                        let scale = Swift.max(d.elements.map(abs).max() ?? 0, 1)
                        for (name, s) in [("lanes", byLanes), ("sweeps", bySweeps), ("rows", byRows)] {
                            let e = zip(try s.dense().elements, d.elements).map { abs($0 - $1) }.max() ?? 0
                            if e > 1e-14 * scale { return "\(name), wrtY \(wrtY): error \(e)" }
                        }
                        try lin.verify(bySweeps, withRespectToY: wrtY)
                    } catch { return "threw \(error)" }
                }
                return nil
            })
        #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
    }

    @Test("a tridiagonal A takes three colours, one dual pass, and matches the dense Jacobian")
    func tridiagonalOnePass() throws {
        struct Stencil: DifferentiableBivariateFunction {
            func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
                let m = y.count
                return (0..<m).map { i in
                    let l = i > 0 ? y[i - 1] : T.zero, r = i + 1 < m ? y[i + 1] : T.zero
                    return T(2) * y[i] - l * r + T.sin(y[i]) * x[i % x.count]
                }
            }
        }
        var rng = SeededRandom(seed: 5)
        let x = rng.vector(3), y = rng.vector(200)
        let p = AD.linearize(Stencil(), x: x, y: y).jacobianPatterns().y
        let coloring = ColumnColoring(p)
        #expect(coloring.colorCount == 3)
        let a = try AD.compressedJacobian(of: Stencil(), x: x, y: y, withRespectToY: true, pattern: p, coloring: coloring)
        let dense = AD.jacobian(of: Stencil(), x: x, y: y, withRespectToY: true)
        #expect(try a.dense() == dense)
    }

    /// `F(y) = y` except row 0, which reads `y[1]` or `y[2]` by the sign of `y[0]`.
    struct Switching: DifferentiableBivariateFunction {
        func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
            var out = y.map { $0 * $0 }
            out[0] = y[0] > T(0) ? T(3) * y[1] : T(5) * y[2]
            return out
        }
    }

    @Test("a pattern that changed outside its columns' colours is a typed error")
    func changedPatternOutsideColours() throws {
        let before: [Double] = [1, 0.5, 0.25, 2], after: [Double] = [-1, 0.5, 0.25, 2]
        let p = AD.linearize(Switching(), x: [0], y: before).jacobianPatterns().y
        // Columns 1 and 2 share row 0 only through the branch: before, they may share a colour.
        let coloring = ColumnColoring(p)
        do {
            _ = try AD.compressedJacobian(of: Switching(), x: [0], y: after, withRespectToY: true,
                                          pattern: p, coloring: coloring)
            // When column 2's colour has an entry in row 0 the change is invisible here; verify must catch it.
            let a = try AD.compressedJacobian(of: Switching(), x: [0], y: after, withRespectToY: true,
                                              pattern: p, coloring: coloring)
            let lin = AD.linearize(Switching(), x: [0], y: after)
            #expect(throws: SparseJacobianError.self) { try lin.verify(a, withRespectToY: true) }
        } catch {
            guard case .patternMismatch(let m) = error else { Issue.record("wrong error \(error)"); return }
            #expect(m.contains("row 0"))
        }
    }

    @Test("a change that lands inside the pattern passes the lanes but not the verification")
    func changedPatternInsidePattern() throws {
        let before: [Double] = [1, 0.5, 0.25, 2], after: [Double] = [-1, 0.5, 0.25, 2]
        let p = AD.linearize(Switching(), x: [0], y: before).jacobianPatterns().y
        // Every column in its own colour except 1 and 2, which share one: valid for
        // the old pattern (row 0 has only column 1 there).
        let coloring = ColumnColoring(colors: [0, 1, 1, 2])
        #expect(coloring.isValid(for: p))
        let a = try AD.compressedJacobian(of: Switching(), x: [0], y: after, withRespectToY: true,
                                          pattern: p, coloring: coloring)
        #expect(a[0, 1] == 5)   // the derivative along y[2] read back as if it were y[1]'s
        let lin = AD.linearize(Switching(), x: [0], y: after)
        var caught: SparseJacobianError? = nil
        do { try lin.verify(a, withRespectToY: true) } catch { caught = error }
        guard case .patternMismatch(let m)? = caught else { Issue.record("expected patternMismatch"); return }
        #expect(m.contains("row 0"))
        // Detected again at the new point, the pattern gives the right Jacobian and passes.
        let q = lin.jacobianPatterns().y
        let good = try lin.compressedJacobian(withRespectToY: true, pattern: q, coloring: ColumnColoring(q))
        try lin.verify(good, withRespectToY: true)
        #expect(good[0, 2] == 5 && good[0, 1] == 0)
    }

    @Test("shapes that do not fit are a typed error")
    func shapes() {
        let p = StructuredPatterns.tridiagonal(4)
        #expect(throws: SparseJacobianError.self) {
            _ = try AD.compressedJacobian(of: Switching(), x: [0], y: [1, 2, 3], withRespectToY: true,
                                          pattern: p, coloring: ColumnColoring(p))
        }
    }
}

@Suite struct JacobianCompressionTests {
    /// `Fᵢ = yᵢ² − x₀` for `i < m − 1`, and a last row `Σ yⱼ` (a dense row); with
    /// `denseColumn`, every row also reads `y[m − 1]` (a dense column) instead.
    struct Arrowish: DifferentiableBivariateFunction {
        let denseColumn: Bool
        func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
            let m = y.count
            if denseColumn { return (0..<m).map { i in y[i] * y[i] + T.sin(y[m - 1]) - x[0] } }
            var out = (0..<(m - 1)).map { i in y[i] * y[i] - x[0] }
            out.append(y.reduce(T.zero, +))
            return out
        }
    }

    @Test("a dense row is swept by rows, a dense column by columns, both equal to the dense Jacobian")
    func directionFollowsThePattern() throws {
        var rng = SeededRandom(seed: 8)
        let x = [0.3], y = rng.vector(40)
        for denseColumn in [false, true] {
            let f = Arrowish(denseColumn: denseColumn)
            let lin = AD.linearize(f, x: x, y: y)
            let plan = JacobianCompression(lin.jacobianPatterns().y)
            #expect(plan.direction == (denseColumn ? .forward : .reverse))
            #expect(plan.passes == 2)
            let a = try plan.evaluate(lin, withRespectToY: true)
            let dense = AD.jacobian(of: f, x: x, y: y, withRespectToY: true)
            let error = zip(try a.dense().elements, dense.elements).map { abs($0 - $1) }.max() ?? 0
            #expect(error <= 1e-14 * (dense.elements.map(abs).max() ?? 1))
        }
    }
}

extension CompressedJacobianTests {
    /// `Fᵢ = yᵢ / x₀`: infinite derivatives at `x₀ = 0`.
    struct Ratio: DifferentiableBivariateFunction {
        func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] { y.map { $0 / x[0] } }
    }

    @Test("a non-finite derivative is a typed error naming its entry")
    func nonFiniteEntry() throws {
        let y: [Double] = [1, 2, 3]
        let p = AD.linearize(Ratio(), x: [2], y: y).jacobianPatterns().y
        var caught: SparseJacobianError? = nil
        do {
            _ = try AD.compressedJacobian(of: Ratio(), x: [0], y: y, withRespectToY: true, pattern: p,
                                          coloring: ColumnColoring(p))
        } catch { caught = error }
        #expect(caught == .nonFiniteEntry(row: 0, column: 0))
    }
}
