import Testing
import LinearAlgebra
import TestSupport

@Suite struct MatrixTests {
    @Test func columnMajorLayoutAndConstructorsAgree() {
        let a = Matrix(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(a.rows == 2 && a.columns == 3)
        #expect(a.elements == [1, 4, 2, 5, 3, 6])
        #expect(a == Matrix(columns: [[1, 4], [2, 5], [3, 6]]))
        #expect(a[1, 2] == 6)
        #expect(a.transposed() == Matrix(rows: [[1, 4], [2, 5], [3, 6]]))
        #expect(a.row(1) == [4, 5, 6] && a.column(2) == [3, 6])
        #expect(Matrix.identity(3).diagonalElements == [1, 1, 1])
    }

    @Test func gemvAndGemmMatchNaiveLoops() {
        var rng = SeededRandom(seed: 7)
        let a = rng.matrix(5, 4), b = rng.matrix(4, 3), x = rng.vector(4), w = rng.vector(5)
        let ax = a * x
        for i in 0..<5 {
            let ref = (0..<4).reduce(0.0) { $0 + a[i, $1] * x[$1] }
            #expect(abs(ax[i] - ref) <= 1e-14)
        }
        let atw = a.transposedTimes(w)
        for j in 0..<4 {
            let ref = (0..<5).reduce(0.0) { $0 + a[$1, j] * w[$1] }
            #expect(abs(atw[j] - ref) <= 1e-14)
        }
        let ab = a * b
        for i in 0..<5 { for j in 0..<3 {
            let ref = (0..<4).reduce(0.0) { $0 + a[i, $1] * b[$1, j] }
            #expect(abs(ab[i, j] - ref) <= 1e-14)
        } }
    }

    @Test func levelOneKernels() {
        var y = [1.0, 2, 3]
        BLAS.axpy(2, [1, 1, 1], &y)
        #expect(y == [3, 4, 5])
        BLAS.axpby(1, [1, 1, 1], -1, &y)
        #expect(y == [-2, -3, -4])
        BLAS.scal(-0.5, &y)
        #expect(y == [1, 1.5, 2])
        #expect(BLAS.dot([1, 2], [3, 4]) == 11)
        #expect(BLAS.nrm2([3, 4]) == 5)
        // dnrm2 scales: no overflow for huge entries.
        #expect(abs(BLAS.nrm2([3e200, 4e200]) / 5e200 - 1) < 1e-15)
        #expect(BLAS.nrm2([]) == 0)
    }
}
