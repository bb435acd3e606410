import Foundation
import Testing
@testable import Krylov
import LinearAlgebra
import TestSupport

/// Jacobi-CG's new direction formed inside the product by diagonals (`JacobiDirectionProduct`):
/// the one-pass kernel against the separate passes, and the fused solver against plain CG.
@Suite struct JacobiDirectionProductTests {
    /// A random `n × n` matrix on `offsets` (zeros where the column falls outside). With `spd`, the
    /// offsets must come in pairs `±o`: the mirror entries are equal and the diagonal dominates.
    static func randomDiagonals(_ n: Int, _ offsets: [Int], spd: Bool, seed: UInt64) throws -> DiagonalOffsetMatrix {
        var rng = SeededRandom(seed: seed)
        var dense = Matrix(rows: n, columns: n)
        for o in offsets where o != 0 {
            for i in 0..<n where i + o >= 0 && i + o < n {
                if !spd || o > 0 {
                    dense[i, i + o] = rng.uniform()
                    if spd { dense[i + o, i] = dense[i, i + o] }
                }
            }
        }
        for i in 0..<n {
            let offDiagonal = (0..<n).reduce(0.0) { $0 + ($1 == i ? 0 : abs(dense[i, $1])) }
            dense[i, i] = spd ? offDiagonal + rng.uniform(0.05, 2) : rng.uniform(0.5, 2)
        }
        var values = [Double](repeating: 0, count: offsets.count * n)
        for (t, o) in offsets.enumerated() {
            for i in 0..<n where i + o >= 0 && i + o < n { values[t * n + i] = dense[i, i + o] }
        }
        return try DiagonalOffsetMatrix(rows: n, columns: n, offsets: offsets, values: values)
    }

    /// The dense matrix of `a`.
    static func dense(_ a: DiagonalOffsetMatrix) -> Matrix {
        var m = Matrix(rows: a.rows, columns: a.columns)
        for (t, o) in a.offsets.enumerated() {
            for i in 0..<a.rows where i + o >= 0 && i + o < a.columns { m[i, i + o] = a.values[t * a.rows + i] }
        }
        return m
    }

    /// Offset sets of three, four (not fused) and five diagonals, within order `n`.
    static func offsetSets(_ n: Int) -> [[Int]] {
        let candidates = [[-1, 0, 1], [0, 1, 2], [-2, -1, 0], [-3, 0, 2], [-2, 0, 1, 3], [-4, -1, 0, 1, 4],
                          [-(n - 1), -1, 0, 1, n - 1], [-7, -3, 0, 2, 5], [0, 1, 2, 3, 9], [-9, -5, -2, -1, 0]]
        return candidates.filter { set in
            set.allSatisfy { abs($0) < n } && zip(set, set.dropFirst()).allSatisfy { $0 < $1 }
        }
    }

    @Test("the direction and the product in one pass give the separate passes' p and q bit for bit, and pᵀq",
          arguments: [1, 2, 3, 4, 5, 7, 10, 16, 33, 101])
    func kernelMatchesSeparatePasses(_ n: Int) throws {
        for (s, offsets) in Self.offsetSets(n).enumerated() {
            let a = try Self.randomDiagonals(n, offsets, spd: false, seed: UInt64(100 * n + s))
            #expect(a.fusesJacobiDirection == (offsets.count != 4))
            var rng = SeededRandom(seed: UInt64(7 * n + s))
            let r = rng.vector(n), p0 = rng.vector(n)
            let d = (0..<n).map { _ in rng.uniform(0.1, 2) }
            for transposed in [false, true] {
                var p = p0, q = [Double](repeating: .nan, count: n)
                let dot = a.multiplyAfterJacobiDirection(beta: 0.37, residual: r, inverseDiagonal: d, direction: &p,
                                                         into: &q, transposed: transposed)
                var pRef = p0, qRef = [Double](repeating: 0, count: n)
                ConjugateGradientKernels.jacobiDirection(0.37, r, d, &pRef)
                let dotRef = a.multiplyReturningDot(pRef, into: &qRef, transposed: transposed)
                #expect(p == pRef, "offsets \(offsets), transposed \(transposed)")
                #expect(q == qRef, "offsets \(offsets), transposed \(transposed)")
                let scale = zip(pRef, qRef).reduce(0.0) { $0 + abs($1.0 * $1.1) }
                #expect(abs(dot - dotRef) <= 4 * Double.ulpOfOne * Double(n) * Swift.max(scale, 1e-300),
                        "offsets \(offsets), transposed \(transposed): \(dot) against \(dotRef)")
            }
        }
    }

    @Test("Jacobi-CG with the fused direction takes plain CG's iterations and residuals and matches a dense LU",
          arguments: [1, 2, 6, 40, 300])
    func fusedSolverMatchesPlainCG(_ n: Int) throws {
        let sets = [[-1, 0, 1], [-5, 0, 5], [-4, -1, 0, 1, 4], [-(n - 1), -1, 0, 1, n - 1], [-17, -1, 0, 1, 17]]
            .filter { set in set.allSatisfy { abs($0) < n } && zip(set, set.dropFirst()).allSatisfy { $0 < $1 } }
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12, recordHistory: true)
        let cg = ConjugateGradient(options: options)
        for (s, offsets) in sets.enumerated() {
            let a = try Self.randomDiagonals(n, offsets, spd: true, seed: UInt64(900 + 10 * n + s))
            let dense = Self.dense(a)
            let sparse = try SparseMatrix(dense)
            let diagonal = (0..<n).map { dense[$0, $0] }
            let jacobi = try JacobiPreconditioner(diagonal: diagonal)
            let fusedOp = SparseMatrixOperator(sparse, diagonals: a)
            #expect(fusedOp.fusesJacobiDirection)
            // The same maps behind closures: no fused pass of any kind applies.
            let plainOp = ClosureOperator(rows: n, columns: n, apply: { a.multiply($0, into: &$1) },
                                          applyTransposed: { a.multiplyTransposed($0, into: &$1) })
            let plainJacobi = ClosurePreconditioner(apply: { jacobi.apply($0, into: &$1) })
            var rng = SeededRandom(seed: UInt64(n + s))
            let b = rng.vector(n)
            for transposed in [false, true] {
                let fused = transposed ? cg.solveTransposed(fusedOp, b, preconditioner: jacobi)
                    : cg.solve(fusedOp, b, initialGuess: nil, preconditioner: jacobi)
                let plain = transposed ? cg.solveTransposed(plainOp, b, preconditioner: plainJacobi)
                    : cg.solve(plainOp, b, initialGuess: nil, preconditioner: plainJacobi)
                let label = "n \(n), offsets \(offsets), transposed \(transposed)"
                #expect(fused.statistics.status == .converged, "\(label): \(fused.statistics)")
                #expect(fused.statistics.iterations == plain.statistics.iterations, "\(label)")
                // The residual norms agree to rounding: relatively while they are large, to ε‖b‖ at the end.
                let h = fused.statistics.history ?? [], hRef = plain.statistics.history ?? []
                #expect(h.count == hRef.count && zip(h, hRef).allSatisfy { abs($0 - $1) <= 1e-9 * $1 + 1e-14 * hRef[0] },
                        "\(label): \(h) against \(hRef)")
                #expect(Approximate.relativeError(fused.solution, plain.solution) <= 1e-11, "\(label)")
                let reference = transposed ? DirectSolveReference.solveTransposed(dense, b) : DirectSolveReference.solve(dense, b)
                #expect(Approximate.relativeError(fused.solution, reference) <= 1e-10, "\(label)")
            }
        }
    }

    @Test("the fused solver reports what plain CG reports: an unsymmetric and an indefinite A, a NaN right-hand side")
    func failuresAsPlainCG() throws {
        let n = 60
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12, recordHistory: true)
        let cg = ConjugateGradient(options: options)
        let unsymmetric = try Self.randomDiagonals(n, [-6, -1, 0, 1, 6], spd: false, seed: 5)
        // Symmetric with a negative diagonal entry far below its row sum: indefinite.
        let spd = try Self.randomDiagonals(n, [-6, -1, 0, 1, 6], spd: true, seed: 6)
        var values = spd.values
        values[2 * n + 30] = -8
        let indefinite = try DiagonalOffsetMatrix(rows: n, columns: n, offsets: spd.offsets, values: values)
        var rng = SeededRandom(seed: 3)
        let b = rng.vector(n)
        for a in [unsymmetric, indefinite] {
            let dense = Self.dense(a)
            let jacobi = try JacobiPreconditioner(diagonal: (0..<n).map { abs(dense[$0, $0]) })
            let fusedOp = SparseMatrixOperator(try SparseMatrix(dense), diagonals: a)
            let plainOp = ClosureOperator(rows: n, columns: n, apply: { a.multiply($0, into: &$1) },
                                          applyTransposed: { a.multiplyTransposed($0, into: &$1) })
            let plainJacobi = ClosurePreconditioner(apply: { jacobi.apply($0, into: &$1) })
            let fused = cg.solve(fusedOp, b, initialGuess: nil, preconditioner: jacobi)
            let plain = cg.solve(plainOp, b, initialGuess: nil, preconditioner: plainJacobi)
            #expect(fused.statistics.status == plain.statistics.status, "\(fused.statistics) against \(plain.statistics)")
            #expect(fused.statistics.status != .converged || a == unsymmetric)
            #expect(fused.statistics.iterations == plain.statistics.iterations)
            #expect(fused.solution.allSatisfy { $0.isFinite })
        }
        let indefiniteOp = SparseMatrixOperator(try SparseMatrix(Self.dense(indefinite)), diagonals: indefinite)
        let unit = try JacobiPreconditioner(diagonal: [Double](repeating: 1, count: n))
        #expect(cg.solve(indefiniteOp, b, initialGuess: nil, preconditioner: unit).statistics.status == .indefinite)
        var nanB = b
        nanB[17] = .nan
        let a = try Self.randomDiagonals(n, [-6, -1, 0, 1, 6], spd: true, seed: 8)
        let op = SparseMatrixOperator(try SparseMatrix(Self.dense(a)), diagonals: a)
        let jacobi = try JacobiPreconditioner(diagonal: (0..<n).map { Self.dense(a)[$0, $0] })
        let result = cg.solve(op, nanB, initialGuess: nil, preconditioner: jacobi)
        #expect(result.statistics.status == .nonFiniteInput, "\(result.statistics)")
        #expect(throws: KrylovError.self) { try result.requireConverged() }
    }
}
