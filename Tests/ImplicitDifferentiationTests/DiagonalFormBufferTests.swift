import Testing
@testable import ImplicitDifferentiation
import Krylov
import AutoDiff
import LinearAlgebra
import TestSupport

/// `A`'s diagonal form written into a buffer the detected structure keeps from call to call.
@Suite struct DiagonalFormBufferTests {
    static let offsets = [-7, -1, 0, 1, 7]

    /// A random 70 × 70 matrix with every entry on ``offsets`` stored (one in eight an explicit zero).
    static func matrix(seed: UInt64) -> SparseMatrix {
        var rng = SeededRandom(seed: seed)
        let n = 70
        var pointers = [0], rows: [Int] = [], values: [Double] = []
        for j in 0..<n {
            for i in 0..<n where offsets.contains(j - i) {
                rows.append(i)
                values.append(rng.uniform(0, 1) < 0.125 ? 0 : rng.uniform())
            }
            pointers.append(rows.count)
        }
        return try! SparseMatrix(rows: n, columns: n, columnPointers: pointers, rowIndices: rows, values: values)
    }

    @Test("forms across calls: the fresh forms' values, one buffer reused once no form holds it, a held form unchanged")
    func keptAcrossCalls() throws {
        let kept = DiagonalFormBuffer()
        let (a, b, c) = (Self.matrix(seed: 1), Self.matrix(seed: 2), Self.matrix(seed: 3))
        var address: UnsafePointer<Double>? = nil
        do {
            let first = try #require(kept.form(a, offsets: Self.offsets))
            #expect(first == DiagonalOffsetMatrix(a, offsets: Self.offsets))
            address = first.values.withUnsafeBufferPointer { $0.baseAddress }
            // `first` is alive: the next form cannot write into its values.
            let second = try #require(kept.form(b, offsets: Self.offsets))
            #expect(second == DiagonalOffsetMatrix(b, offsets: Self.offsets))
            #expect(first == DiagonalOffsetMatrix(a, offsets: Self.offsets))
            address = second.values.withUnsafeBufferPointer { $0.baseAddress }
        }
        // No form alive: the kept buffer is written in place.
        let third = try #require(kept.form(c, offsets: Self.offsets))
        #expect(third == DiagonalOffsetMatrix(c, offsets: Self.offsets))
        #expect(third.values.withUnsafeBufferPointer { $0.baseAddress } == address, "the kept buffer was not reused")
        #expect(kept.keepsSlots)
    }

    @Test("a matrix on another pattern with the same offsets (a hole filled, an entry dropped) gets its own slots")
    func patternChange() throws {
        let kept = DiagonalFormBuffer()
        let full = Self.matrix(seed: 7)
        _ = try #require(kept.form(full, offsets: Self.offsets))
        // Drop the stored entries of column 3: those values must read 0, not the kept ones.
        var pointers = full.pattern.columnPointers, rows = full.pattern.rowIndices, values = full.values
        let (start, end) = (pointers[3], pointers[4])
        rows.removeSubrange(start..<end)
        values.removeSubrange(start..<end)
        for j in 4..<pointers.count { pointers[j] -= end - start }
        let sparser = try SparseMatrix(rows: 70, columns: 70, columnPointers: pointers, rowIndices: rows, values: values)
        let form = try #require(kept.form(sparser, offsets: Self.offsets))
        #expect(form == DiagonalOffsetMatrix(sparser, offsets: Self.offsets))
        #expect(kept.form(full, offsets: Self.offsets) == DiagonalOffsetMatrix(full, offsets: Self.offsets))
    }

    @Test("a matrix off the offsets gives nil and keeps nothing; the next form is the fresh one")
    func failedFill() throws {
        let kept = DiagonalFormBuffer()
        _ = try #require(kept.form(Self.matrix(seed: 4), offsets: Self.offsets))
        let wide = Self.matrix(seed: 5)
        #expect(kept.form(wide, offsets: [-1, 0, 1, 7]) == nil)
        let next = Self.matrix(seed: 6)
        #expect(kept.form(next, offsets: Self.offsets) == DiagonalOffsetMatrix(next, offsets: Self.offsets))
    }

    @Test("Jacobi-CG under .automatic at two points, alternated, a linearization held across calls, after a failed call: CHOLMOD's derivatives")
    func automaticAcrossPoints() throws {
        let n = 30
        let c = SwitchingFivePointConditions(n: n, shift: -4)
        let y1 = SparseAnalysisReuseTests.solution(n, phase: 0.3, sign: -1)
        let y2 = SparseAnalysisReuseTests.solution(n, phase: 1.1, sign: -1)
        let (x1, x2) = (c.input(for: y1), c.input(for: y2))
        var rng = SeededRandom(seed: 11)
        let ybar = rng.vector(y1.count)
        func reference(_ x: [Double], _ y: [Double]) throws -> [Double] {
            try ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: .cholesky, representation: .sparse)
                .linearize(at: x).vjp(ybar)
        }
        let (r1, r2) = (try reference(x1, y1), try reference(x2, y2))
        #expect(Approximate.relativeError(r1, r2) > 1e-3, "the two points must have different derivatives")
        let f = ImplicitFunction(solver: { x in x == x1 ? y1 : y2 }, conditions: c)
        let lin1 = try f.linearize(at: x1, arguments: (), expecting: .one)
        let winner = try #require(lin1.plan.candidates.filter(\.fitsMemory).min { $0.evaluations < $1.evaluations })
        #expect(winner.kind == .jacobiCG, "\(lin1.plan)")
        #expect(Approximate.relativeError(try lin1.vjp(ybar), r1) <= 1e-10)
        // lin1 is held while the second point's form is made.
        let lin2 = try f.linearize(at: x2, arguments: (), expecting: .one)
        #expect(Approximate.relativeError(try lin2.vjp(ybar), r2) <= 1e-10)
        #expect(Approximate.relativeError(try lin1.vjp(ybar), r1) <= 1e-10)
        for _ in 0..<2 {
            #expect(Approximate.relativeError(try f.vjp(at: x1, cotangent: ybar), r1) <= 1e-10)
            #expect(Approximate.relativeError(try f.vjp(at: x2, cotangent: ybar), r2) <= 1e-10)
        }
        // The same structure cache, a solve cut short: a typed failure, then the next call is right.
        var capped = f
        capped.options.krylovOptions = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12, maxIterations: 2)
        #expect(throws: ImplicitDifferentiationError.self) { _ = try capped.vjp(at: x2, cotangent: ybar) }
        #expect(Approximate.relativeError(try f.vjp(at: x1, cotangent: ybar), r1) <= 1e-10)
        // The detected structure keeps the last form's values: the diagonal form of A at x1.
        let (_, detected) = try #require(f.structureCache.structure(unknowns: y1.count, inputs: x1.count))
        let offsets = try #require(detected.shape.diagonalOffsets)
        let values = detected.diagonalBuffer.keptValues
        #expect(values.count == offsets.count * y1.count)
        // A at x1 column by column on forward duals (a hole and an explicit zero both read 0 in the form).
        var dense = Matrix(rows: y1.count, columns: y1.count)
        let xd = x1.map { Dual($0, tangent: 0) }
        for j in 0..<y1.count {
            let yd = y1.indices.map { Dual(y1[$0], tangent: $0 == j ? 1 : 0) }
            for (i, f) in c(x: xd, y: yd).enumerated() { dense[i, j] = f.tangent }
        }
        let a1 = try SparseMatrix(dense)
        let expected = try #require(DiagonalOffsetMatrix(a1, offsets: offsets))
        #expect(zip(values, expected.values).allSatisfy { abs($0 - $1) <= 1e-13 * Swift.max(1, abs($1)) })
    }
}
