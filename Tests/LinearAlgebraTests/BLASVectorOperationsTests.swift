import LinearAlgebra
import Testing
import TestSupport

/// The element-wise vector operations (`BLAS+VectorOperations.swift`).
@Suite("BLAS element-wise vector operations")
struct BLASVectorOperationsTests {
    @Test("element-wise product, fill and finiteness")
    func elementwise() {
        var y = [Double](repeating: .nan, count: 3)
        BLAS.multiply([1, 2, 3], [4, 5, 6], into: &y)
        #expect(y == [4, 10, 18])
        BLAS.fill(0, &y)
        #expect(y == [0, 0, 0])
        var nan = [Double](repeating: .nan, count: 2)
        BLAS.fill(1, &nan)
        #expect(nan == [1, 1])
        #expect(BLAS.isFinite([1, -2, 1e308]) && BLAS.isFinite([]))
        #expect(!BLAS.isFinite([1, .nan]) && !BLAS.isFinite([-.infinity, 0]))
    }

    @Test("column copies into and out of a matrix, in place")
    func columns() {
        var a = Matrix(rows: 3, columns: 2)
        let address = a.elements.withUnsafeBufferPointer { $0.baseAddress }
        BLAS.setColumn(1, of: &a, to: [1, 2, 3], scaledBy: 2)
        BLAS.setColumn(0, of: &a, to: [7, 8, 9])
        #expect(a.elements == [7, 8, 9, 2, 4, 6])
        #expect(a.elements.withUnsafeBufferPointer { $0.baseAddress } == address, "setColumn copied the matrix")
        var y = [Double](repeating: 0, count: 3)
        BLAS.copyColumn(1, of: a, into: &y)
        #expect(y == [2, 4, 6])
    }
}
