import Krylov
import LinearAlgebra
import Testing
import TestSupport

@Suite("Linear operators")
struct LinearOperatorTests {
    let a: Matrix = { var rng = SeededRandom(seed: 1); return rng.matrix(5, 3) }()
    let x: [Double] = [1, -2, 0.5]
    let w: [Double] = [0.5, 1, -1, 2, 3]

    @Test("MatrixOperator and ClosureOperator agree with gemv, both ways")
    func matrixAndClosure() {
        let m = MatrixOperator(a)
        #expect(m.rows == 5 && m.columns == 3 && m.supportsTranspose && m.structure == [])
        #expect(m.applied(to: x) == a * x)
        #expect(m.transposeApplied(to: w) == a.transposedTimes(w))
        let c = closureOperator(a)
        #expect(c.applied(to: x) == a * x)
        #expect(c.transposeApplied(to: w) == a.transposedTimes(w))
        let noTranspose = ClosureOperator(rows: 5, columns: 3, apply: { x, y in BLAS.gemv(1, a, x, 0, &y) })
        #expect(!noTranspose.supportsTranspose)
    }

    @Test("a symmetric ClosureOperator without a transpose closure reuses apply")
    func symmetricClosure() {
        let s = TestMatrices.poisson1D(4)
        let op = ClosureOperator(rows: 4, columns: 4, structure: .symmetric,
                                 apply: { x, y in BLAS.gemv(1, s, x, 0, &y) })
        #expect(op.supportsTranspose)
        #expect(op.transposeApplied(to: [1, 2, 3, 4]) == s * [1, 2, 3, 4])
    }

    @Test("apply writes into the caller's buffer without reallocating it")
    func noReallocation() {
        var y = [Double](repeating: .nan, count: 5)
        let before = y.withUnsafeBufferPointer { $0.baseAddress }
        MatrixOperator(a).apply(x, into: &y)
        closureOperator(a).apply(x, into: &y)
        #expect(y.withUnsafeBufferPointer { $0.baseAddress } == before)
        #expect(y == a * x)
    }

    @Test("Diagonal, identity and transposed views")
    func diagonalIdentityTransposed() {
        let d = DiagonalOperator(diagonal: [2, 3, 4])
        #expect(d.applied(to: x) == [2, -6, 2])
        #expect(d.structure == [.symmetric, .positiveDefinite])
        #expect(DiagonalOperator(diagonal: [1, -1]).structure == .symmetric)
        let i = IdentityOperator(size: 3)
        #expect(i.applied(to: x) == x && i.transposeApplied(to: x) == x)
        let t = TransposedOperator(MatrixOperator(a))
        #expect(t.rows == 3 && t.columns == 5)
        #expect(t.applied(to: w) == a.transposedTimes(w))
        #expect(t.transposeApplied(to: x) == a * x)
        #expect(MatrixOperator(a).transposed.applied(to: w) == a.transposedTimes(w))
    }

    @Test("scaled, sum and composition match the dense products")
    func combinators() {
        let m = MatrixOperator(a)
        let scaled = m.scaled(by: -2)
        #expect(Approximate.relativeError(scaled.applied(to: x), (-2 * a) * x) < 1e-15)
        #expect(Approximate.relativeError(scaled.transposeApplied(to: w), (-2 * a).transposedTimes(w)) < 1e-15)

        var rng = SeededRandom(seed: 2)
        let b = rng.matrix(5, 3)
        let sum = m.adding(MatrixOperator(b))
        #expect(Approximate.relativeError(sum.applied(to: x), (a + b) * x) < 1e-15)
        #expect(Approximate.relativeError(sum.transposeApplied(to: w), (a + b).transposedTimes(w)) < 1e-15)

        let c = rng.matrix(3, 4)
        let product = m.composed(with: MatrixOperator(c))        // A C: 5 × 4
        #expect(product.rows == 5 && product.columns == 4)
        let v: [Double] = [1, 2, 3, 4]
        #expect(Approximate.relativeError(product.applied(to: v), (a * c) * v) < 1e-14)
        #expect(Approximate.relativeError(product.transposeApplied(to: w), (a * c).transposedTimes(w)) < 1e-14)

        // Declared structure propagates only where it is implied.
        let spd = MatrixOperator(TestMatrices.poisson1D(3), structure: [.symmetric, .positiveDefinite])
        #expect(spd.scaled(by: 2).structure == [.symmetric, .positiveDefinite])
        #expect(spd.scaled(by: -1).structure == .symmetric)
        #expect(spd.adding(IdentityOperator(size: 3)).structure == [.symmetric, .positiveDefinite])
        #expect(spd.composed(with: spd).structure == [])
    }

    @Test("combinators solve like their dense equivalents")
    func solveThroughCombinators() {
        // (T + I) x = b with T the 1-D Poisson matrix: SPD, CG applies.
        let t = TestMatrices.poisson1D(30)
        let op = MatrixOperator(t, structure: [.symmetric, .positiveDefinite]).adding(IdentityOperator(size: 30))
        let b = [Double](repeating: 1, count: 30)
        let result = ConjugateGradient(options: try! KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12))
            .solve(op, b)
        #expect(result.statistics.status == .converged)
        #expect(Approximate.relativeError(result.solution, DirectSolveReference.solve(t + .identity(30), b)) < 1e-9)
    }

    @Test("combinators can be applied from several threads at once")
    func concurrentCombinators() async {
        let t = TestMatrices.poisson1D(200)
        let op = MatrixOperator(t).adding(MatrixOperator(t)).composed(with: MatrixOperator(t))
        let x = (0..<200).map { Double($0) }
        let expected = (t + t) * (t * x)
        await withTaskGroup(of: Double.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var worst = 0.0
                    for _ in 0..<50 { worst = max(worst, Approximate.relativeError(op.applied(to: x), expected)) }
                    return worst
                }
            }
            for await worst in group { #expect(worst < 1e-14) }
        }
    }
}
