import Testing
@testable import Krylov
import LinearAlgebra
import TestSupport

/// Jacobi-CG on a 2-D stencil's diagonal form whose off-diagonal runs are constants (the products
/// multiply by them) against the same form on the general kernels and against plain CG.
@Suite struct ConstantRunsConjugateGradientTests {
    /// The five-point stencil on a `g × g` grid: `−1` to each neighbour on the grid, a varying diagonal
    /// `4 + σᵢ` with `σᵢ ∈ [0, 0.5]` (symmetric, strictly diagonally dominant: positive definite).
    static func stencil(_ g: Int, seed: UInt64) throws -> DiagonalOffsetMatrix {
        var rng = SeededRandom(seed: seed)
        let n = g * g, offsets = [-g, -1, 0, 1, g]
        var values = [Double](repeating: 0, count: 5 * n)
        for i in 0..<n {
            let (row, column) = (i / g, i % g)
            if row > 0 { values[i] = -1 }
            if column > 0 { values[n + i] = -1 }
            values[2 * n + i] = 4 + rng.uniform(0, 0.5)
            if column < g - 1 { values[3 * n + i] = -1 }
            if row < g - 1 { values[4 * n + i] = -1 }
        }
        return try DiagonalOffsetMatrix(rows: n, columns: n, offsets: offsets, values: values)
    }

    @Test("the same iterations and residual history as on the general kernels and as plain CG", arguments: [17, 40, 100])
    func matchesGeneralKernels(_ g: Int) throws {
        let a = try Self.stencil(g, seed: UInt64(g))
        #expect(a.constantRuns != nil)
        let n = a.rows
        let general = a.withoutConstantRuns
        let sparse = try SparseMatrix(JacobiDirectionProductTests.dense(a))
        let jacobi = try JacobiPreconditioner(diagonal: (0..<n).map { a.values[2 * n + $0] })
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12, recordHistory: true)
        let cg = ConjugateGradient(options: options)
        let constantOp = SparseMatrixOperator(sparse, diagonals: a), generalOp = SparseMatrixOperator(sparse, diagonals: general)
        let plainOp = ClosureOperator(rows: n, columns: n, apply: { general.multiply($0, into: &$1) },
                                      applyTransposed: { general.multiplyTransposed($0, into: &$1) })
        let plainJacobi = ClosurePreconditioner(apply: { jacobi.apply($0, into: &$1) })
        var rng = SeededRandom(seed: UInt64(3 * g))
        let b = rng.vector(n)
        for transposed in [false, true] {
            func run(_ op: some LinearOperator, _ m: some Preconditioner) -> KrylovResult {
                transposed ? cg.solveTransposed(op, b, preconditioner: m) : cg.solve(op, b, initialGuess: nil, preconditioner: m)
            }
            let constant = run(constantOp, jacobi)
            let label = "g \(g), transposed \(transposed)"
            #expect(constant.statistics.status == .converged, "\(label)")
            for reference in [run(generalOp, jacobi), run(plainOp, plainJacobi)] {
                #expect(constant.statistics.iterations == reference.statistics.iterations, "\(label)")
                let h = constant.statistics.history ?? [], hRef = reference.statistics.history ?? []
                #expect(h.count == hRef.count && zip(h, hRef).allSatisfy { abs($0 - $1) <= 1e-9 * $1 + 1e-14 * hRef[0] },
                        "\(label): \(h) against \(hRef)")
                #expect(Approximate.relativeError(constant.solution, reference.solution) <= 1e-11, "\(label)")
            }
        }
    }
}
