import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

@Suite struct SparsityDetectionTests {
    @Test("the detected patterns of A and B are the non-zeros of the dense Jacobians (property)")
    func patternIsTheDenseNonZeros() {
        let failure = PropertyCheck.run(
            "pattern == non-zeros", seed: 14, cases: 300,
            generate: { rng in SparseConditions.generateWithPoint(&rng) },
            shrink: { _ in [] },
            property: { c -> String? in
                let (f, x, y) = c
                let patterns = AD.linearize(f, x: x, y: y).jacobianPatterns()
                let dense = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
                if patterns.y != SparsityPattern(nonZerosOf: dense.y!) { return "pattern of A differs" }
                if patterns.x != SparsityPattern(nonZerosOf: dense.x!) { return "pattern of B differs" }
                return nil
            })
        #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
    }

    @Test("a stencil gives its band; an element-wise map gives the diagonal")
    func stencils() {
        struct Stencil: DifferentiableBivariateFunction {
            func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
                let m = y.count
                return (0..<m).map { i in
                    let l = i > 0 ? y[i - 1] : T.zero, r = i + 1 < m ? y[i + 1] : T.zero
                    return T(2) * y[i] - l - r + T.exp(y[i]) - x[0]
                }
            }
        }
        let p = AD.linearize(Stencil(), x: [1], y: [Double](repeating: 0.5, count: 10)).jacobianPatterns()
        #expect(p.y.bandwidths == (1, 1) && p.y.nonZeroCount == 28)
        #expect(p.x.nonZeroCount == 10)
        struct Diagonal: DifferentiableBivariateFunction {
            func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
                zip(x, y).map { x, y in y * y - x }
            }
        }
        let d = AD.linearize(Diagonal(), x: [1, 2, 3], y: [1, 1.5, 2]).jacobianPatterns()
        #expect(d.y == SparsityPattern(nonZerosOf: Matrix.identity(3)))
        #expect(d.x == d.y)
    }

    @Test("a custom node without a pattern contributes a dense block; with one, its pattern")
    func customNodes() {
        let tape = Tape()
        let v = tape.inputs([1, 2, 3])
        // A diagonal map recorded as an opaque custom node: its pattern is not known.
        let opaque = TapeScalar.recordCustom(inputs: v, outputValues: [2, 4, 6],
                                             jvp: { $0.map { 2 * $0 } }, vjp: { $0.map { 2 * $0 } })
        let declared = TapeScalar.recordCustom(inputs: v, outputValues: [2, 4, 6],
                                               jvp: { $0.map { 2 * $0 } }, vjp: { $0.map { 2 * $0 } },
                                               pattern: { SparsityPattern(nonZerosOf: Matrix.identity(3)) })
        let r = tape.finish(inputs: v, outputs: opaque + declared)
        let p = r.jacobianPattern()
        #expect(p.rows == 6 && p.columns == 3)
        #expect(p.transposed().rowIndices == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
    }
}
