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
    @Test("a kept workspace at new points (only the values reseeded, the lane map reused) gives fresh buffers' results")
    func keptWorkspaceAtNewPoints() throws {
        let (x0, y0, pa, pb) = problem(23)
        let a = (pa, ColumnColoring(pa)), b = (pb, ColumnColoring(pb))
        let workspace = CompressedDualWorkspace()
        for step in 0..<4 {
            let x = x0.map { $0 + 0.25 * Double(step) }, y = y0.map { $0 * (1 + 0.5 * Double(step)) }
            // One pass (5 lanes, verified in the sweep), and unverified (4 lanes).
            for seed: UInt64? in [0x1DC0_FFEE, nil] {
                let kept = try AD.compressedJacobians(of: Chain(), x: x, y: y, a: a, b: b, verifySeed: seed,
                                                      workspace: workspace)
                let fresh = try AD.compressedJacobians(of: Chain(), x: x, y: y, a: a, b: b, verifySeed: seed)
                #expect(kept.value == fresh.value && kept.value == Chain()(x, y), "step \(step)")
                #expect(kept.y?.values == fresh.y?.values && kept.x?.values == fresh.x?.values, "step \(step)")
                // ∂Fᵢ/∂yᵢ = 2yᵢ + xᵢ, ∂Fᵢ/∂xᵢ = yᵢ: the values of this point, not of the last one.
                #expect(kept.y?[5, 5] == 2 * y[5] + x[5] && kept.x?[5, 5] == y[5], "step \(step)")
            }
        }
    }
    @Test("A y summed in the lane sweep is the closed form's to rounding; nil unless asked for and read in one sweep")
    func productInTheSweep() throws {
        let (x0, y0, pa, pb) = problem(23)
        let a = (pa, ColumnColoring(pa)), b = (pb, ColumnColoring(pb))
        let workspace = CompressedDualWorkspace()
        for step in 0..<3 {
            let x = x0.map { $0 - 0.5 * Double(step) }, y = y0.map { $0 * (1 - 0.7 * Double(step)) }
            // (A y)ᵢ = y_{i−1} + (2yᵢ + xᵢ) yᵢ + y_{i+1}; each row's error within a few ulps of Σ|aᵢⱼ yⱼ|.
            let m = y.count
            for seed: UInt64? in [0x1DC0_FFEE, nil] {
                for kept in [workspace, nil] {
                    let r = try AD.compressedJacobians(of: Chain(), x: x, y: y, a: a, b: b, verifySeed: seed,
                                                       workspace: kept, multiplyingY: true)
                    let product = try #require(r.yProduct, "step \(step)")
                    #expect(product.count == m)
                    let sparse = try #require(r.y) * y
                    for i in 0..<m {
                        let left = i > 0 ? y[i - 1] : 0, right = i + 1 < m ? y[i + 1] : 0
                        let diagonal = (2 * y[i] + x[i]) * y[i]
                        let terms = Swift.abs(left) + Swift.abs(diagonal) + Swift.abs(right)
                        #expect(Swift.abs(product[i] - (left + diagonal + right)) <= 4 * Double.ulpOfOne * terms,
                                "step \(step), row \(i)")
                        #expect(Swift.abs(product[i] - sparse[i]) <= 4 * Double.ulpOfOne * terms)
                    }
                    // Not asked for: none, and the blocks are the same.
                    let plain = try AD.compressedJacobians(of: Chain(), x: x, y: y, a: a, b: b, verifySeed: seed,
                                                           workspace: kept)
                    #expect(plain.yProduct == nil && plain.y?.values == r.y?.values && plain.value == r.value)
                }
            }
            // Without A there is no A y.
            let onlyB = try AD.compressedJacobians(of: Chain(), x: x, y: y, a: nil, b: b, workspace: workspace,
                                                   multiplyingY: true)
            #expect(onlyB.yProduct == nil && onlyB.x != nil)
        }
        // More lanes than one pass (no map): the lanes are read the general way, and A y is left to the caller.
        let distinct = ColumnColoring(colors: Array(0..<23))
        let many = try AD.compressedJacobians(of: Chain(), x: x0, y: y0, a: (pa, distinct), b: b, multiplyingY: true)
        #expect(many.yProduct == nil && many.passes == 4)
    }

    @Test("runs of more than one pass have no map (its size stays within the general way's lane columns)")
    func manyLanesHaveNoMap() throws {
        let m = 12
        let x = [Double](repeating: 1, count: m), y = (0..<m).map { 1 + Double($0) }
        let p = AD.linearize(Chain(), x: x, y: y).jacobianPatterns()
        // Every column its own colour: 12 + 1 + 1 lanes.
        let distinct = ColumnColoring(colors: Array(0..<m))
        let run = try CompressedDualRun(x: x, y: y, a: (p.y, distinct), b: (p.x, ColumnColoring(p.x)), verifySeed: 1)
        #expect(run.laneCount == 14 && CompressedLaneMap(run) == nil)
        let five = try CompressedDualRun(x: x, y: y, a: (p.y, ColumnColoring(p.y)), b: (p.x, ColumnColoring(p.x)),
                                         verifySeed: 1)
        #expect(five.laneCount == 5 && CompressedLaneMap(five) != nil)
    }
}
