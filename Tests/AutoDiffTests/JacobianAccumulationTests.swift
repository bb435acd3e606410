import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

/// Random conditions with the shapes the accumulation must handle: nodes shared by several
/// outputs (a precomputed `½y + sin y` read by every row, a sum over `x` read by many), branches
/// on values, dead nodes, outputs that are inputs, constants, reused or scaled copies of another.
struct SharingConditions: DifferentiableBivariateFunction, CustomStringConvertible, Sendable {
    struct Term: Sendable { var kind: Int, a: Int, b: Int, c: Double }
    /// How output `i` is made: `0` a sum of terms, `1` an input `y[a]`, `2` an input `x[a]`,
    /// `3` output `a < i` again, `4` `c·` output `a < i`, `5` a constant.
    let modes: [(mode: Int, a: Int, c: Double)]
    let terms: [[Term]]
    let n: Int, m: Int

    var description: String { "SharingConditions(n: \(n), m: \(m), modes: \(modes.map(\.mode)), terms: \(terms.map(\.count)))" }

    static func generate(_ rng: inout SeededRandom) -> (SharingConditions, [Double], [Double]) {
        let n = rng.int(1...5), m = rng.int(1...12), k = rng.int(1...14)
        var modes: [(mode: Int, a: Int, c: Double)] = []
        var terms: [[Term]] = []
        for i in 0..<k {
            let r = rng.int(0...9)
            var mode = r < 5 ? 0 : r - 4
            if i == 0 && (mode == 3 || mode == 4) { mode = 0 }
            let a = mode == 1 ? rng.int(0...(m - 1)) : mode == 2 ? rng.int(0...(n - 1)) : i > 0 ? rng.int(0...(i - 1)) : 0
            modes.append((mode: mode, a: a, c: rng.uniform(0.5, 2)))
            terms.append((0..<rng.int(0...4)).map { _ in
                Term(kind: rng.int(0...6), a: rng.int(0...(m - 1)), b: rng.int(0...(m - 1)), c: rng.uniform(0.5, 2))
            })
        }
        var x = rng.vector(n), y = rng.vector(m)
        x[rng.int(0...(n - 1))] = 0
        y[rng.int(0...(m - 1))] = 0
        return (SharingConditions(modes: modes, terms: terms, n: n, m: m), x, y)
    }

    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
        let half = y.map { $0 / T(2) + T.sin($0) }               // one node per entry, read by many rows
        let common = x.reduce(T.zero) { $0 + T.exp($1) * $1 }   // a chain read by many rows
        _ = T.exp(y[0]) * common                                 // a dead node
        var out: [T] = []
        for (i, mode) in modes.enumerated() {
            switch mode.mode {
            case 1: out.append(y[mode.a])
            case 2: out.append(x[mode.a])
            case 3: out.append(out[mode.a])
            case 4: out.append(T(mode.c) * out[mode.a])
            case 5: out.append(T(3))
            default:
                var s = T.zero
                for t in terms[i] {
                    switch t.kind {
                    case 0: s += half[t.a] * y[t.b]
                    case 1: s += common * y[t.a]
                    case 2: s += T.exp(x[t.a % n] - half[t.b]) * T(t.c)
                    case 3: s += y[t.a] > T(0) ? half[t.b] * half[t.b] : x[t.a % n] * y[t.a]
                    case 4: s += T.max(half[t.a], y[t.b]) + T.log(T(2) + x[t.b % n] * x[t.b % n])
                    case 5: s += y[t.a] * x[t.b % n]                 // zero partials at the zeros of x, y
                    default: s += common * common + half[t.a]
                    }
                }
                out.append(s + y[i % m] * T(t0(i)))
            }
        }
        return out
    }

    private func t0(_ i: Int) -> Double { Double(i % 3) }
}

@Suite struct JacobianAccumulationTests {
    /// `[B | A]` from the accumulation, or `nil`.
    static func accumulated<F: DifferentiableBivariateFunction>(_ f: F, x: [Double], y: [Double],
                                                                limit: Int = 1 << 20) -> (x: Matrix, y: Matrix)? {
        AD.linearize(f, x: x, y: y).accumulatedJacobians(sharedEntryLimit: limit)
    }

    @Test("A and B accumulated in one pass equal the dual-number Jacobians to rounding (property)")
    func matchesDualJacobians() {
        let failure = PropertyCheck.run(
            "accumulated == duals", seed: 41, cases: 400,
            generate: { rng in SharingConditions.generate(&rng) },
            shrink: { _ in [] },
            property: { c -> String? in
                let (f, x, y) = c
                guard let acc = Self.accumulated(f, x: x, y: y) else { return "declined" }
                let dense = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
                let ea = Self.maxDifference(acc.y, dense.y!), eb = Self.maxDifference(acc.x, dense.x!)
                if !(ea <= 1e-13 * (1 + Self.maxAbs(dense.y!))) { return "A differs by \(ea)" }
                if !(eb <= 1e-13 * (1 + Self.maxAbs(dense.x!))) { return "B differs by \(eb)" }
                return nil
            })
        #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
    }

    @Test("A and B accumulated agree with central finite differences of F")
    func matchesFiniteDifferences() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<40 {
            let (f, x, y0) = SharingConditions.generate(&rng)
            // Away from the branch points and the kinks of max: a point with no zero entry.
            let y = y0.map { $0 == 0 ? 0.3 : $0 }
            guard let acc = Self.accumulated(f, x: x, y: y) else { Issue.record("declined: \(f)"); continue }
            let fdA = FiniteDifferences.jacobian(of: { yy in f(x, yy) }, at: y)
            let fdB = FiniteDifferences.jacobian(of: { xx in f(xx, y) }, at: x)
            #expect(Self.maxDifference(acc.y, fdA) <= 1e-6 * (1 + Self.maxAbs(fdA)), "\(f)")
            #expect(Self.maxDifference(acc.x, fdB) <= 1e-6 * (1 + Self.maxAbs(fdB)), "\(f)")
        }
    }

    @Test("shared nodes are counted; one node feeding two outputs; an output that is an input")
    func sharedNodesAndOutputs() {
        let tape = Tape()
        let v = tape.inputs([0.5, 2, -1])
        let s = v[0] * v[1]                  // feeds both outputs below: a shared node
        let outputs = [s + v[2], TapeScalar.exp(s), v[1], s]
        let r = tape.finish(inputs: v, outputs: outputs)
        var j = Matrix(rows: 4, columns: 3)
        let summary = r.accumulateJacobian(sharedEntryLimit: 100) { i, c, value in j[i, c] += value }
        #expect(summary != nil && summary!.sharedNodes == 1)
        let e = Double.exp(1.0)
        let expected: [[Double]] = [[2, 0.5, 1], [2 * e, 0.5 * e, 0], [0, 1, 0], [2, 0.5, 0]]
        for i in 0..<4 { for c in 0..<3 { #expect(abs(j[i, c] - expected[i][c]) <= 1e-15 * 8, "J[\(i), \(c)]") } }
    }

    /// `F_i = Σ_l X_li (Σ_j X_lj y_j − t_l)` written as loops: every node of the inner sums feeds every output.
    struct NormalEquations: DifferentiableBivariateFunction {
        let rows: Int, m: Int
        func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
            var r: [T] = []
            for l in 0..<rows {
                var s = T.zero
                for j in 0..<m { s += T(Double.sin(Double(l * m + j))) * y[j] }
                r.append(s - x[l])
            }
            return (0..<m).map { i in
                var s = T.zero
                for l in 0..<rows { s += T(Double.cos(Double(l + i))) * r[l] }
                return s
            }
        }
    }

    @Test("a partial-sum chain read by every output exceeds a small limit and declines; a large one accumulates")
    func limitDeclines() {
        let f = NormalEquations(rows: 12, m: 10)
        let x = (0..<12).map { Double($0) / 7 }, y = (0..<10).map { Double($0) / 5 - 1 }
        let t = AD.linearize(f, x: x, y: y)
        #expect(t.accumulatedJacobians(sharedEntryLimit: 200) == nil)
        guard let acc = t.accumulatedJacobians(sharedEntryLimit: 1 << 20) else {
            Issue.record("declined with a large limit"); return
        }
        let dense = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
        #expect(Self.maxDifference(acc.y, dense.y!) <= 1e-13 * (1 + Self.maxAbs(dense.y!)))
        #expect(Self.maxDifference(acc.x, dense.x!) <= 1e-13 * (1 + Self.maxAbs(dense.x!)))
    }

    @Test("a recording with a custom node declines")
    func customNodeDeclines() {
        let tape = Tape()
        let v = tape.inputs([1, 2])
        let w = TapeScalar.recordCustom(inputs: v, outputValues: [2, 4], jvp: { $0.map { 2 * $0 } },
                                        vjp: { $0.map { 2 * $0 } })
        let r = tape.finish(inputs: v, outputs: w)
        #expect(r.accumulateJacobian(sharedEntryLimit: 100) { _, _, _ in } == nil)
    }

    @Test("a non-finite partial reaches its entry (NaN and ∞ are not dropped)")
    func nonFinitePartials() {
        struct Root: DifferentiableBivariateFunction {
            func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] { [T.sqrt(y[0]) + x[0], y[1] * y[1]] }
        }
        guard let acc = Self.accumulated(Root(), x: [1], y: [0, 2]) else { Issue.record("declined"); return }
        #expect(!acc.y[0, 0].isFinite)
        #expect(acc.y[1, 1] == 4 && acc.x[0, 0] == 1 && acc.y[0, 1] == 0 && acc.x[1, 0] == 0)
    }

    static func maxDifference(_ a: Matrix, _ b: Matrix) -> Double {
        precondition(a.rows == b.rows && a.columns == b.columns)
        var worst = 0.0
        for (u, v) in zip(a.elements, b.elements) {
            let d = Swift.abs(u - v)
            if d.isNaN { return .nan }
            worst = Swift.max(worst, d)
        }
        return worst
    }

    static func maxAbs(_ a: Matrix) -> Double { a.elements.reduce(0.0) { Swift.max($0, Swift.abs($1)) } }
}
