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

/// The form written through the slots of a pattern (`DiagonalOffsetSlots`).
@Suite struct DiagonalOffsetSlotsTests {
    @Test("on random patterns with holes and explicit zeros: the checked fill's form, whatever the buffer held")
    func slotsGiveTheCheckedForm() throws {
        var rng = SeededRandom(seed: 21)
        for (rows, columns, offsets) in [(1, 1, [0]), (9, 9, [-3, 0, 2]), (40, 40, [-7, -1, 0, 1, 7]),
                                         (30, 45, [-2, 0, 5, 44]), (45, 30, [-1, 0, 3]), (45, 30, [-44, -1, 0, 3])] {
            let (a, _) = DiagonalOffsetMatrixTests.onOffsets(rows, columns, offsets, density: 0.7, &rng)
            // Slots exist exactly where the checked fill accepts the pattern (the 45 × 30 case's diagonals
            // would hold more than twice its entries).
            #expect((DiagonalOffsetSlots(a.pattern, offsets: offsets) == nil) == (DiagonalOffsetMatrix(a, offsets: offsets) == nil))
            guard let slots = DiagonalOffsetSlots(a.pattern, offsets: offsets) else {
                #expect(rows == 45)
                continue
            }
            let fresh = try #require(DiagonalOffsetMatrix(a, offsets: offsets))
            // Another matrix on the same pattern, written over a buffer of garbage.
            let b = try SparseMatrix(pattern: a.pattern, values: rng.vector(a.nonZeroCount))
            for count in [0, fresh.values.count - 1, fresh.values.count] {
                var storage = (0..<count).map { Double($0) - 0.5 }
                let address = storage.withUnsafeBufferPointer { $0.baseAddress }
                let formB = try #require(slots.form(b, reusing: &storage))
                #expect(formB == DiagonalOffsetMatrix(b, offsets: offsets), "\(rows)×\(columns)")
                #expect(storage.isEmpty)
                if count == fresh.values.count {
                    #expect(formB.values.withUnsafeBufferPointer { $0.baseAddress } == address, "buffer not reused")
                }
                var again = (0..<count).map { Double($0) + 0.25 }
                #expect(slots.form(a, reusing: &again) == fresh, "\(rows)×\(columns), buffer of \(count)")
            }
        }
    }

    @Test("another pattern gives nil; a pattern off the offsets has no slots")
    func refusals() throws {
        var rng = SeededRandom(seed: 22)
        let offsets = [-1, 0, 1]
        let (a, _) = DiagonalOffsetMatrixTests.onOffsets(20, 20, offsets, density: 0.6, &rng)
        let (b, _) = DiagonalOffsetMatrixTests.onOffsets(20, 20, offsets, density: 0.9, &rng)
        #expect(a.pattern != b.pattern)
        let slots = try #require(DiagonalOffsetSlots(a.pattern, offsets: offsets))
        var storage: [Double] = []
        #expect(slots.form(b, reusing: &storage) == nil)
        #expect(DiagonalOffsetSlots(b.pattern, offsets: [0, 1]) == nil)
    }
}
