import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

/// `F_i = y_i − ½ log Σ_j exp(x_j − C_ij − ½ y_j)`, one loop per row: every node feeds one output,
/// and the nodes of output `i` lie between its node and output `i − 1`'s (row segments).
struct RowLoopConditions: DifferentiableBivariateFunction {
    let c: [Double]
    let m: Int
    /// Row `crossRow` also reads the first node of row 0 (a node of another segment), when `≥ 0`.
    var crossRow = -1

    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
        var out: [T] = []
        var firstOfRowZero = T.zero
        for i in 0..<m {
            var s = T.zero
            for j in 0..<m {
                let e = T.exp(x[j] - T(c[i * m + j]) - y[j] / T(2))
                if i == 0 && j == 0 { firstOfRowZero = e }
                s = s + e
            }
            if i == crossRow { s = s + firstOfRowZero * firstOfRowZero }
            out.append(y[i] - T.log(s) / T(2))
        }
        return out
    }
}

@Suite struct RowSegmentAccumulationTests {
    static func conditions(_ m: Int, crossRow: Int = -1) -> (RowLoopConditions, [Double], [Double]) {
        var rng = SeededRandom(seed: 17)
        let c = (0..<(m * m)).map { _ in rng.uniform(0, 2) }
        return (RowLoopConditions(c: c, m: m, crossRow: crossRow), rng.vector(m), rng.vector(m))
    }

    /// `[B | A]` entry by entry through the closure API (the general accumulation, no row segments).
    static func general(_ t: BivariateLinearization) -> (x: Matrix, y: Matrix)? {
        let n = t.xCount, m = t.yCount
        var b = Matrix(rows: t.outputCount, columns: n), a = Matrix(rows: t.outputCount, columns: m)
        let summary = t.recording.accumulateJacobian(sharedEntryLimit: 1 << 20) { i, j, v in
            if j < n { b[i, j] += v } else { a[i, j - n] += v }
        }
        return summary == nil ? nil : (b, a)
    }

    @Test("row loops: the segment sweep gives the general accumulation's [B | A] and the dual Jacobians",
          arguments: [1, 2, 17])
    func segmentsMatch(_ m: Int) throws {
        let (f, x, y) = Self.conditions(m)
        let t = AD.linearize(f, x: x, y: y)
        let fast = try #require(t.accumulatedJacobians(sharedEntryLimit: 1 << 20))
        let slow = try #require(Self.general(t))
        #expect(JacobianAccumulationTests.maxDifference(fast.y, slow.y) <= 1e-15 * (1 + JacobianAccumulationTests.maxAbs(slow.y)))
        #expect(JacobianAccumulationTests.maxDifference(fast.x, slow.x) <= 1e-15 * (1 + JacobianAccumulationTests.maxAbs(slow.x)))
        let dense = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
        #expect(JacobianAccumulationTests.maxDifference(fast.y, dense.y!) <= 1e-13 * (1 + JacobianAccumulationTests.maxAbs(dense.y!)))
        #expect(JacobianAccumulationTests.maxDifference(fast.x, dense.x!) <= 1e-13 * (1 + JacobianAccumulationTests.maxAbs(dense.x!)))
    }

    @Test("a later row reads a node of row 0: the segment sweep gives up after writing entries, and the reset leaves no trace",
          arguments: [1, 5, 11])
    func crossingRowFallsBack(_ crossRow: Int) throws {
        let m = 12
        let (f, x, y) = Self.conditions(m, crossRow: crossRow)
        let t = AD.linearize(f, x: x, y: y)
        let fast = try #require(t.accumulatedJacobians(sharedEntryLimit: 1 << 20))
        let dense = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
        #expect(JacobianAccumulationTests.maxDifference(fast.y, dense.y!) <= 1e-13 * (1 + JacobianAccumulationTests.maxAbs(dense.y!)))
        #expect(JacobianAccumulationTests.maxDifference(fast.x, dense.x!) <= 1e-13 * (1 + JacobianAccumulationTests.maxAbs(dense.x!)))
        // Row `crossRow` has the extra term 2e·∂e/∂(x_0, y_0): it differs from the plain row loop's.
        let (plain, _, _) = Self.conditions(m)
        let base = AD.jacobians(of: plain, x: x, y: y, withRespectTo: .both)
        #expect(abs(fast.x[crossRow, 0] - base.x![crossRow, 0]) > 1e-8)
    }

    @Test("outputs out of order, an output that is an input, a constant output: the general path, same entries")
    func outputsNotInSegments() throws {
        func record(_ order: Int) -> BivariateLinearization {
            struct Small: DifferentiableBivariateFunction {
                let order: Int
                func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
                    let p = T.exp(x[0]) * y[0], q = y[1] * y[1] + x[0]
                    switch order {
                    case 0: return [q, p]              // q recorded after p, listed first: out of order
                    case 1: return [p, y[0], q]        // an output that is an input
                    case 2: return [p, T(3), q]        // a constant output
                    default: return [p, q]             // in order: segments
                    }
                }
            }
            return AD.linearize(Small(order: order), x: [0.5], y: [2, -1])
        }
        for order in 0...3 {
            let t = record(order)
            let fast = try #require(t.accumulatedJacobians(sharedEntryLimit: 1 << 20))
            let slow = try #require(Self.general(t))
            #expect(fast.x == slow.x && fast.y == slow.y, "order \(order)")
        }
    }

    @Test("a slot whose sum the carried contribution cancels is cleared: the next accumulation and VJP read a zeroed scratch")
    func cancelledSlotIsCleared() throws {
        // f = ((u − y₀) − u) + y₀², u = exp(x₀): u's slot gets −1 from the subtraction two nodes up,
        // then +1 carried from `u − y₀`, so its adjoint is exactly 0 while its slot held −1.
        struct Cancelling: DifferentiableBivariateFunction {
            func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
                let u = T.exp(x[0])
                return [((u - y[0]) - u) + y[0] * y[0]]
            }
        }
        let x = [0.3], y = [1.25]
        let t = AD.linearize(Cancelling(), x: x, y: y)
        for pass in 0..<3 {
            let j = try #require(t.accumulatedJacobians(sharedEntryLimit: 1 << 20))
            #expect(j.x[0, 0] == 0, "pass \(pass)")
            #expect(j.y[0, 0] == -1 + 2 * y[0], "pass \(pass)")
            let (gx, gy) = t.vjp([1])
            #expect(gx == [0] && gy == [-1 + 2 * y[0]], "pass \(pass)")
        }
    }
}
