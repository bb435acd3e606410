import AutoDiff
import Dispatch
import LinearAlgebra
import TestSupport
import Testing

@Suite struct CompressedDualEvaluationTests {
    /// `(x, y)` coloured blocks as ``AD/compressedJacobians(of:x:y:a:b:verifySeed:)`` takes them.
    static func blocks<F: DifferentiableBivariateFunction>(_ f: F, x: [Double], y: [Double])
        -> (a: (pattern: SparsityPattern, coloring: ColumnColoring), b: (pattern: SparsityPattern, coloring: ColumnColoring))
    {
        let p = AD.linearize(f, x: x, y: y).jacobianPatterns()
        return ((p.y, ColumnColoring(p.y)), (p.x, ColumnColoring(p.x)))
    }

    @Test("one tape-free evaluation gives F's value and A, B equal to the dense Jacobians, and passes its check (property)")
    func tapeFreeEqualsDense() {
        let failure = PropertyCheck.run(
            "tape-free == dense", seed: 2026, cases: 300,
            generate: { rng in SparseConditions.generateWithPoint(&rng) },
            shrink: { _ in [] },
            property: { c -> String? in
                let (f, x, y) = c
                let (a, b) = Self.blocks(f, x: x, y: y)
                let dense = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
                let r: CompressedJacobians
                do { r = try AD.compressedJacobians(of: f, x: x, y: y, a: a, b: b) } catch { return "threw \(error)" }
                if let bad = r.nonFinite { return "non-finite \(bad)" }
                if r.value != f(x, y) { return "value \(r.value) against \(f(x, y))" }
                let lanes = a.coloring.colorCount + b.coloring.colorCount + 1
                if r.passes != AD.dualPassWidths(lanes).count { return "passes \(r.passes) for \(lanes) lanes" }
                for (name, s, d) in [("A", r.y, dense.y!), ("B", r.x, dense.x!)] {
                    guard let s else { return "\(name) missing" }
                    let scale = Swift.max(d.elements.map(abs).max() ?? 0, 1)
                    let e: Double
                    do { e = zip(try s.dense().elements, d.elements).map { abs($0 - $1) }.max() ?? 0 } catch {
                        return "dense \(error)"
                    }
                    if e > 1e-14 * scale { return "\(name): error \(e)" }
                }
                return nil
            })
        #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
    }

    @Test("one workspace shared by calls of many shapes and widths, in sequence and concurrently, gives fresh buffers' results")
    func workspaceReuse() throws {
        var rng = SeededRandom(seed: 77)
        let cases = (0..<40).map { _ in SparseConditions.generateWithPoint(&rng) }
        @Sendable func evaluate(_ i: Int, _ workspace: CompressedDualWorkspace?) -> CompressedJacobians? {
            let (f, x, y) = cases[i]
            let (a, b) = Self.blocks(f, x: x, y: y)
            return try? AD.compressedJacobians(of: f, x: x, y: y, a: a, b: b, workspace: workspace)
        }
        @Sendable func same(_ r: CompressedJacobians?, _ s: CompressedJacobians?) -> Bool {
            guard let r, let s else { return r == nil && s == nil }
            return r.value == s.value && r.y?.values == s.y?.values && r.x?.values == s.x?.values
                && r.passes == s.passes
        }
        let fresh = cases.indices.map { evaluate($0, nil) }
        #expect(fresh.contains { ($0?.passes ?? 0) > 1 }, "no case with several passes")
        let workspace = CompressedDualWorkspace()
        for round in 0..<2 {
            for i in cases.indices { #expect(same(evaluate(i, workspace), fresh[i]), "case \(i), round \(round)") }
        }
        let mismatches = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 4 * cases.count) { j in
            let i = j % cases.count
            if !same(evaluate(i, workspace), fresh[i]) { mismatches.withLock { $0 += 1 } }
        }
        #expect(mismatches.withLock { $0 } == 0)
    }

    @Test("the pass widths cover every lane with DualN<8>, the last pass as wide as the lanes left, at least 4")
    func passWidths() {
        #expect(AD.dualPassWidths(0) == [])
        #expect(AD.dualPassWidths(3) == [4])
        #expect(AD.dualPassWidths(5) == [5])
        #expect(AD.dualPassWidths(7) == [7])
        #expect(AD.dualPassWidths(13) == [8, 5])
        #expect(AD.dualPassWidths(16) == [8, 8])
        #expect(AD.dualPassWidths(20) == [8, 8, 4])
        for lanes in 1...70 {
            let w = AD.dualPassWidths(lanes)
            #expect(w.allSatisfy { (4...8).contains($0) } && w.dropLast().allSatisfy { $0 == 8 })
            #expect(w.reduce(0, +) >= lanes && w.reduce(0, +) - w.last! < lanes)
            #expect(w.reduce(0, +) == max(lanes, 8 * (w.count - 1) + 4), "\(lanes) lanes: \(w)")
        }
    }

    @Test("a pattern changed inside the colouring fails the verification lane; outside it, the read-back")
    func changedPattern() throws {
        typealias Switching = CompressedJacobianTests.Switching
        let before: [Double] = [1, 0.5, 0.25, 2], after: [Double] = [-1, 0.5, 0.25, 2]
        let p = AD.linearize(Switching(), x: [0], y: before).jacobianPatterns()
        // Columns 1 and 2 share a colour (valid before): after, row 0 reads y[2] through column 1's colour.
        let inside = ColumnColoring(colors: [0, 1, 1, 2])
        #expect(inside.isValid(for: p.y))
        // Unverified, the lanes return a wrong A without noticing; verified, they refuse it.
        let unverified = try AD.compressedJacobians(of: Switching(), x: [0], y: after, a: (p.y, inside), b: nil,
                                                    verifySeed: nil)
        #expect(unverified.y?[0, 1] == 5)
        for coloring in [inside, ColumnColoring(p.y)] {
            var caught: SparseJacobianError? = nil
            do {
                _ = try AD.compressedJacobians(of: Switching(), x: [0], y: after, a: (p.y, coloring),
                                               b: (p.x, ColumnColoring(p.x)))
            } catch { caught = error }
            guard case .patternMismatch(let m)? = caught else { Issue.record("expected patternMismatch"); continue }
            #expect(m.contains("row 0"), "\(m)")
        }
    }

    @Test("a workspace keeps verifying: its cached directions, or new ones for another seed, catch a changed pattern")
    func workspaceKeepsVerifying() throws {
        typealias Switching = CompressedJacobianTests.Switching
        let before: [Double] = [1, 0.5, 0.25, 2], after: [Double] = [-1, 0.5, 0.25, 2]
        let p = AD.linearize(Switching(), x: [0], y: before).jacobianPatterns()
        let inside = ColumnColoring(colors: [0, 1, 1, 2])
        let workspace = CompressedDualWorkspace()
        let fresh = try AD.compressedJacobians(of: Switching(), x: [0], y: before, a: (p.y, inside), b: nil)
        for seed: UInt64 in [0x1DC0_FFEE, 0x1DC0_FFEE, 7] {
            let warm = try AD.compressedJacobians(of: Switching(), x: [0], y: before, a: (p.y, inside), b: nil,
                                                  verifySeed: seed, workspace: workspace)
            #expect(warm.y?.values == fresh.y?.values && warm.value == fresh.value)
            var caught: SparseJacobianError? = nil
            do {
                _ = try AD.compressedJacobians(of: Switching(), x: [0], y: after, a: (p.y, inside), b: nil,
                                               verifySeed: seed, workspace: workspace)
            } catch { caught = error }
            guard case .patternMismatch? = caught else { Issue.record("seed \(seed): expected patternMismatch"); continue }
        }
    }

    /// `Fᵢ = yᵢ + √(yᵢ) · x₀ − (xᵢ s) s` with `s = 10²⁰⁰` where `xᵢ < 10⁻²⁵⁰` (else 1), `m = n`:
    /// `A` is not finite where `yᵢ = 0` (`∞`, and `0·∞ = NaN` along the other lanes of that row),
    /// `B` where `xᵢ = 10⁻³⁰⁰` (`10⁴⁰⁰`, the other lanes finite).
    struct RootConditions: DifferentiableBivariateFunction {
        func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
            (0..<y.count).map { i in
                let s = x[i] < T(1e-250) ? T(1e200) : T(1)
                return y[i] + T.sqrt(y[i]) * x[0] - (x[i] * s) * s
            }
        }
    }

    @Test("a non-finite entry of A or B is reported with its block and position, the value still given")
    func nonFiniteEntries() throws {
        let x = [1.0, 2, 3, 4], y = [0.5, 1, 1.5, 2]
        let (a, b) = Self.blocks(RootConditions(), x: x, y: y)
        var yZero = y
        yZero[2] = 0
        let r = try AD.compressedJacobians(of: RootConditions(), x: x, y: yZero, a: a, b: b)
        #expect(r.nonFinite?.block == .y && r.nonFinite?.row == 2 && r.nonFinite?.column == 2)
        #expect(r.y == nil && r.x == nil && r.value == RootConditions()(x, yZero))
        var xZero = x
        xZero[3] = 1e-300
        let s = try AD.compressedJacobians(of: RootConditions(), x: xZero, y: y, a: a, b: b)
        #expect(s.nonFinite?.block == .x && s.nonFinite?.row == 3 && s.nonFinite?.column == 3)
        #expect(throws: SparseJacobianError.nonFiniteEntry(row: 3, column: 3)) {
            _ = try AD.compressedJacobian(of: RootConditions(), x: xZero, y: y, withRespectToY: false,
                                          pattern: b.pattern, coloring: b.coloring)
        }
    }
}
