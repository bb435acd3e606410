import Testing
import TestSupport
import LinearAlgebra

/// The diagonal form written into a buffer kept from an earlier form (`init(_:offsets:reusing:)`).
@Suite struct DiagonalOffsetMatrixReuseTests {
    static let offsets = [-7, -1, 0, 1, 7]

    static func matrix(_ rows: Int, seed: UInt64) -> SparseMatrix {
        var rng = SeededRandom(seed: seed)
        return DiagonalOffsetMatrixTests.onOffsets(rows, rows, offsets, density: 0.8, &rng).sparse
    }

    @Test("a buffer of the right size holding other values gives the fresh form's values, and is the one used")
    func reusesAndZeroFills() throws {
        for rows in [1, 8, 49, 130] {
            let a = Self.matrix(rows, seed: UInt64(rows))
            let fresh = try #require(DiagonalOffsetMatrix(a, offsets: Self.offsets.filter { abs($0) < rows }))
            // Garbage everywhere, holes included: every value not stored in a must come back 0.
            var storage = (0..<fresh.values.count).map { Double($0) + 0.5 }
            let address = storage.withUnsafeBufferPointer { $0.baseAddress }
            let reused = try #require(DiagonalOffsetMatrix(a, offsets: fresh.offsets, reusing: &storage))
            #expect(reused == fresh, "rows \(rows)")
            #expect(storage.isEmpty)
            #expect(reused.values.withUnsafeBufferPointer { $0.baseAddress } == address, "rows \(rows): buffer not reused")
        }
    }

    @Test("a buffer of another size, or none, gives the fresh form; one entry off the offsets gives nil and an empty buffer")
    func otherSizesAndRefusal() throws {
        let a = Self.matrix(40, seed: 3)
        let fresh = try #require(DiagonalOffsetMatrix(a, offsets: Self.offsets))
        for count in [0, 1, fresh.values.count - 1, fresh.values.count + 1] {
            var storage = [Double](repeating: 9, count: count)
            #expect(DiagonalOffsetMatrix(a, offsets: Self.offsets, reusing: &storage) == fresh, "count \(count)")
            #expect(storage.isEmpty)
        }
        var storage = [Double](repeating: 9, count: fresh.values.count)
        #expect(DiagonalOffsetMatrix(a, offsets: [-7, -1, 0, 1], reusing: &storage) == nil)
        #expect(storage.isEmpty)
    }

    @Test("writing into a buffer an earlier form still shares leaves that form unchanged")
    func sharedBufferIsCopied() throws {
        let a = Self.matrix(60, seed: 5), b = Self.matrix(60, seed: 6)
        let first = try #require(DiagonalOffsetMatrix(a, offsets: Self.offsets))
        var storage = first.values   // shared with `first`
        let second = try #require(DiagonalOffsetMatrix(b, offsets: Self.offsets, reusing: &storage))
        #expect(first == DiagonalOffsetMatrix(a, offsets: Self.offsets))
        #expect(second == DiagonalOffsetMatrix(b, offsets: Self.offsets))
        #expect(first != second)
    }
}
