@testable import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

/// The map that reads the lanes of a tape-free evaluation back in one sweep over `F`'s rows.
@Suite struct CompressedLaneMapTests {
    /// `Fᵢ = y_{i−1} + yᵢ² + y_{i+1} + xᵢ yᵢ`: `A` tridiagonal, `B` diagonal.
    struct Chain: DifferentiableBivariateFunction {
        func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
            (0..<y.count).map { i in
                (i > 0 ? y[i - 1] : T(0)) + y[i] * y[i] + (i + 1 < y.count ? y[i + 1] : T(0)) + x[i] * y[i]
            }
        }
    }

    func problem(_ m: Int) -> (x: [Double], y: [Double], a: SparsityPattern, b: SparsityPattern) {
        let x = (0..<m).map { 0.5 + Double($0) / Double(m) }, y = (0..<m).map { 1 + 0.1 * Double($0) }
        let p = AD.linearize(Chain(), x: x, y: y).jacobianPatterns()
        return (x, y, p.y, p.x)
    }

    @Test("a valid colouring maps every entry of A and B to one slot, the verification lane last")
    func everyEntryOnce() throws {
        let (x, y, pa, pb) = problem(11)
        let run = try CompressedDualRun(x: x, y: y, a: (pa, ColumnColoring(pa)), b: (pb, ColumnColoring(pb)),
                                        verifySeed: 1)
        let map = try #require(CompressedLaneMap(run))
        #expect(map.lanes == 3 + 1 + 1 && map.slots.count == 11 * map.lanes)
        let entries = map.slots.filter { $0 >= 0 }.map(Int.init).sorted()
        #expect(entries == Array(0..<(pa.nonZeroCount + pb.nonZeroCount)))
        #expect((0..<11).allSatisfy { map.slots[$0 * map.lanes + map.lanes - 1] == CompressedLaneMap.verification })
        #expect(map.slots.filter { $0 == CompressedLaneMap.unused }.count == 11 * 5 - pa.nonZeroCount - pb.nonZeroCount - 11)
        #expect(map.fits(run))
        // Another pattern of the same shape (A diagonal) does not fit.
        let diagonal = SparsityPattern(nonZerosOf: Matrix.identity(11))
        let other = try CompressedDualRun(x: x, y: y, a: (diagonal, ColumnColoring(diagonal)),
                                          b: (pb, ColumnColoring(pb)), verifySeed: 1)
        #expect(!map.fits(other))
    }

    @Test("a colouring that gives one slot two entries has no map; the lanes are read the general way")
    func invalidColoringReadsTheGeneralWay() throws {
        let (x, y, pa, pb) = problem(9)
        let invalid = ColumnColoring(colors: [Int](repeating: 0, count: 9))
        #expect(!invalid.isValid(for: pa))
        let run = try CompressedDualRun(x: x, y: y, a: (pa, invalid), b: (pb, ColumnColoring(pb)), verifySeed: 1)
        #expect(CompressedLaneMap(run) == nil)
        // Unverified, the general read gives the same (wrong) A with and without a workspace; verified, it is refused.
        let workspace = CompressedDualWorkspace()
        let plain = try AD.compressedJacobians(of: Chain(), x: x, y: y, a: (pa, invalid), b: nil, verifySeed: nil)
        let kept = try AD.compressedJacobians(of: Chain(), x: x, y: y, a: (pa, invalid), b: nil, verifySeed: nil,
                                              workspace: workspace)
        #expect(plain.y?.values == kept.y?.values)
        #expect(throws: SparseJacobianError.self) {
            _ = try AD.compressedJacobians(of: Chain(), x: x, y: y, a: (pa, invalid), b: nil, workspace: workspace)
        }
        // The same workspace then serves a valid colouring exactly.
        let valid = try AD.compressedJacobians(of: Chain(), x: x, y: y, a: (pa, ColumnColoring(pa)),
                                               b: (pb, ColumnColoring(pb)), workspace: workspace)
        let dense = AD.jacobians(of: Chain(), x: x, y: y, withRespectTo: .both)
        for (sparse, reference) in [(valid.y!, dense.y!), (valid.x!, dense.x!)] {
            #expect(Approximate.relativeError(try sparse.dense().elements, reference.elements) <= 1e-15)
        }
    }
}
