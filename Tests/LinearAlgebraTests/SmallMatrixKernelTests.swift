import LinearAlgebra
import Testing
import TestSupport

/// `gemv` and `gemm` on tiny operands run as Swift loops
/// (`SmallMatrixKernels.swift`), larger ones in OpenBLAS: both sides of the
/// size limits against a naive reference, and BLAS's `β = 0` contract.
@Suite("Small gemv / gemm kernels")
struct SmallMatrixKernelTests {
    /// `op(A)_ij` of a column-major matrix.
    static func entry(_ a: Matrix, _ i: Int, _ j: Int, transposed: Bool) -> Double {
        transposed ? a[j, i] : a[i, j]
    }

    @Test("gemv matches the naive sum on both sides of the size limit, plain and transposed",
          arguments: [(3, 4), (10, 10), (16, 32), (23, 23), (40, 30)])
    func gemv(shape: (Int, Int)) {
        var random = SeededRandom(seed: UInt64(shape.0 * 100 + shape.1))
        let a = random.matrix(shape.0, shape.1)
        for transposed in [false, true] {
            let rows = transposed ? shape.1 : shape.0, inner = transposed ? shape.0 : shape.1
            let x = random.vector(inner), y0 = random.vector(rows)
            for (alpha, beta) in [(1.0, 0.0), (-2.5, 1.0), (0.5, -3.0)] {
                var y = y0
                BLAS.gemv(transpose: transposed, alpha, a, x, beta, &y)
                let expected = (0..<rows).map { i in
                    alpha * (0..<inner).reduce(0.0) { $0 + Self.entry(a, i, $1, transposed: transposed) * x[$1] }
                        + beta * y0[i]
                }
                #expect(Approximate.relativeError(y, expected) < 1e-13, "transposed \(transposed), α \(alpha), β \(beta)")
            }
        }
    }

    @Test("gemv on a block of columns (the Krylov basis use)")
    func gemvColumns() {
        var random = SeededRandom(seed: 7)
        let a = random.matrix(8, 6), x = random.vector(3)
        var y = [Double](repeating: 0, count: 8)
        BLAS.gemv(1, a, columns: 2..<5, x, 0, &y)
        let expected = (0..<8).map { i in (0..<3).reduce(0.0) { $0 + a[i, 2 + $1] * x[$1] } }
        #expect(Approximate.relativeError(y, expected) < 1e-14)
    }

    @Test("β = 0 overwrites a NaN in y or C; β ≠ 0 propagates it")
    func betaZero() {
        let a = Matrix(rows: 2, columns: 2, elements: [1, 2, 3, 4])
        var y = [Double.nan, .nan]
        BLAS.gemv(1, a, [1, 1], 0, &y)
        #expect(y == [4, 6])
        BLAS.gemv(transpose: true, 1, a, [1, 1], 0, &y)
        #expect(y == [3, 7])
        var c = Matrix(rows: 2, columns: 2, elements: [.nan, .nan, .nan, .nan])
        BLAS.gemm(1, a, a, 0, &c)
        #expect(c.elements == [7, 10, 15, 22])
        var d = Matrix(rows: 2, columns: 2, elements: [.nan, 0, 0, 0])
        BLAS.gemm(1, a, a, 1, &d)
        #expect(d.elements[0].isNaN && d.elements[1] == 10)
    }

    @Test("gemm matches the naive product for every transpose pair, both sides of the size limit",
          arguments: [(4, 3, 5), (10, 9, 10), (20, 20, 20), (33, 17, 25)])
    func gemm(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var random = SeededRandom(seed: UInt64(m * 10_000 + n * 100 + k))
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let a = transposeA ? random.matrix(k, m) : random.matrix(m, k)
                let b = transposeB ? random.matrix(n, k) : random.matrix(k, n)
                let c0 = random.matrix(m, n)
                var c = c0
                BLAS.gemm(transposeA: transposeA, transposeB: transposeB, 1.5, a, b, -0.5, &c)
                var expected = Matrix(rows: m, columns: n)
                for j in 0..<n {
                    for i in 0..<m {
                        var s = 0.0
                        for l in 0..<k {
                            s += Self.entry(a, i, l, transposed: transposeA) * Self.entry(b, l, j, transposed: transposeB)
                        }
                        expected[i, j] = 1.5 * s - 0.5 * c0[i, j]
                    }
                }
                #expect(Approximate.relativeError(c, expected) < 1e-13, "transposeA \(transposeA), transposeB \(transposeB)")
            }
        }
    }
}
