import Foundation
import Testing
@testable import Krylov
import LinearAlgebra
import TestSupport

/// CG's fused passes (the curvature summed in the sparse product, Jacobi inside the update)
/// against the separate calls they replace and against dense direct solves.
@Suite struct JacobiConjugateGradientTests {
    /// The 5-point Laplacian on a `k × k` grid plus a positive reaction `1 + ½ sin(1.3 j)` on the
    /// diagonal: symmetric positive definite, Jacobi-scaled condition number below 10.
    static func reactionStencil(_ k: Int) -> SparseMatrix {
        TestMatrices.poisson2DSparse(k).mappingEntries { i, j, v in i == j ? v + (1 + 0.5 * sin(1.3 * Double(j))) : v }
    }

    @Test("Aᵀx with xᵀAᵀx summed in the same pass equals multiplyTransposed then dot (odd and even orders)",
          arguments: [1, 2, 7, 50])
    func fusedTransposedProduct(_ n: Int) throws {
        let a = try SparseMatrix(TestMatrices.randomSparse(n, n, density: 0.3, diagonal: 2, seed: UInt64(5 + n)))
        var rng = SeededRandom(seed: UInt64(n))
        let x = rng.vector(n)
        var y = [Double](repeating: .nan, count: n), yRef = [Double](repeating: 0, count: n)
        let dot = a.multiplyTransposedReturningDot(x, into: &y)
        a.multiplyTransposed(x, into: &yRef)
        #expect(y == yRef)
        let dotRef = BLAS.dot(x, yRef)
        #expect(abs(dot - dotRef) <= 1e-14 * Swift.max(abs(dotRef), 1))
        // The operator's two fused products: Aᵀx as above, A x then its dot.
        let op = SparseMatrixOperator(a)
        var z = [Double](repeating: 0, count: n)
        #expect(op.applyTransposedReturningCurvature(x, into: &z) == dot && z == yRef)
        let curvature = TransposedOperator(op).applyTransposedReturningCurvature(x, into: &z)
        #expect(z == a * x && abs(curvature - BLAS.dot(x, a * x)) <= 1e-14 * Swift.max(abs(curvature), 1))
    }

    @Test("the Jacobi update and direction in one pass each equal the separate BLAS calls", arguments: [0, 1, 2, 5, 1001])
    func jacobiKernels(_ n: Int) {
        var rng = SeededRandom(seed: UInt64(41 + n))
        let p = rng.vector(n), q = rng.vector(n), x0 = rng.vector(n), r0 = rng.vector(n)
        let d = (0..<n).map { _ in rng.uniform(0.1, 2) }
        var x = x0, r = r0
        let (squared, preconditioned) = ConjugateGradientKernels.jacobiStep(0.37, p, q, d, &x, &r)
        var xRef = x0, rRef = r0
        BLAS.axpy(0.37, p, &xRef)
        BLAS.axpy(-0.37, q, &rRef)
        var zRef = [Double](repeating: 0, count: n)
        BLAS.multiply(d, rRef, into: &zRef)
        for i in 0..<n {
            #expect(abs(x[i] - xRef[i]) <= 4 * Double.ulpOfOne * Swift.max(abs(xRef[i]), 1))
            #expect(abs(r[i] - rRef[i]) <= 4 * Double.ulpOfOne * Swift.max(abs(rRef[i]), 1))
        }
        #expect(abs(squared - BLAS.dot(rRef, rRef)) <= 1e-13 * Swift.max(squared, 1))
        #expect(abs(preconditioned - BLAS.dot(rRef, zRef)) <= 1e-13 * Swift.max(preconditioned, 1))
        var direction = p, directionRef = p
        ConjugateGradientKernels.jacobiDirection(0.6, r, d, &direction)
        BLAS.axpby(1, zRef, 0.6, &directionRef)
        for i in 0..<n { #expect(abs(direction[i] - directionRef[i]) <= 4 * Double.ulpOfOne * Swift.max(abs(directionRef[i]), 1)) }
    }

    @Test("Jacobi-CG on a sparse SPD A, fused, takes the unfused iterations and matches a dense LU, plain and transposed")
    func fusedMatchesUnfusedAndDirect() throws {
        let a = Self.reactionStencil(12)
        let n = a.rows
        let jacobi = try JacobiPreconditioner(diagonal: a.diagonalElements)
        // The same maps hidden behind closures: no fused pass applies.
        let closure = ClosureOperator(rows: n, columns: n, apply: { a.multiply($0, into: &$1) },
                                      applyTransposed: { a.multiplyTransposed($0, into: &$1) })
        let closureJacobi = ClosurePreconditioner(apply: { jacobi.apply($0, into: &$1) })
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-13)
        let dense = try a.dense()
        var rng = SeededRandom(seed: 77)
        let b = rng.vector(n)
        for transposed in [false, true] {
            let cg = ConjugateGradient(options: options), op = SparseMatrixOperator(a)
            let fused = transposed ? cg.solveTransposed(op, b, preconditioner: jacobi)
                : cg.solve(op, b, initialGuess: nil, preconditioner: jacobi)
            let plain = transposed ? cg.solveTransposed(closure, b, preconditioner: closureJacobi)
                : cg.solve(closure, b, initialGuess: nil, preconditioner: closureJacobi)
            #expect(fused.statistics.status == .converged && plain.statistics.status == .converged)
            #expect(fused.statistics.iterations == plain.statistics.iterations, "\(fused.statistics) \(plain.statistics)")
            let reference = transposed ? DirectSolveReference.solveTransposed(dense, b) : DirectSolveReference.solve(dense, b)
            #expect(Approximate.relativeError(fused.solution, reference) <= 1e-12)
            #expect(Approximate.relativeError(fused.solution, plain.solution) <= 1e-12)
        }
        // Unpreconditioned CG takes the fused product too.
        let unpreconditioned = ConjugateGradient(options: options).solve(SparseMatrixOperator(a), b)
        #expect(Approximate.relativeError(unpreconditioned.solution, DirectSolveReference.solve(dense, b)) <= 1e-12)
    }

    @Test("a Jacobi-CG solve cut short is reported unconverged, as a typed error with its statistics")
    func unconvergedIsTyped() throws {
        let a = Self.reactionStencil(12)
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-13, maxIterations: 3)
        let solve = KrylovLinearSolve(SparseMatrixOperator(a), method: ConjugateGradient(options: options),
                                      preconditioner: try JacobiPreconditioner(diagonal: a.diagonalElements))
        var rng = SeededRandom(seed: 78)
        let b = rng.vector(a.rows)
        #expect {
            _ = try solve.solveTransposed(b)
        } throws: { error in
            guard case LinearAlgebraError.notConverged(let s) = error else { return false }
            return s.status == .maxIterationsReached && s.iterations == 3 && s.residualNorm > 1e-13 * norm2(b)
        }
    }

    @Test("an exactly symmetric A forms A x as the gather of Aᵀx: the scatter's values bit for bit, and its curvature")
    func gatherServesSymmetricProducts() throws {
        let a = Self.reactionStencil(9)
        #expect(a.symmetry(tolerance: 1e-6) == (true, true))
        let gather = SparseMatrixOperator(exactlySymmetric: a), scatter = SparseMatrixOperator(a)
        var rng = SeededRandom(seed: 79)
        let x = rng.vector(a.rows)
        var y = [Double](repeating: 0, count: a.rows), reference = y
        gather.apply(x, into: &y)
        scatter.apply(x, into: &reference)
        #expect(y == reference)
        let curvature = gather.applyReturningCurvature(x, into: &y)
        #expect(y == reference && abs(curvature - BLAS.dot(x, reference)) <= 1e-13 * abs(curvature))
        // A CG solve on either operator takes the same iterations to the same answer (to rounding: the
        // gather sums pᵀAp in its pass, the scatter's is a separate dot product).
        let cg = ConjugateGradient(options: try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-13))
        let one = cg.solve(gather, x), other = cg.solve(scatter, x)
        #expect(one.statistics.iterations == other.statistics.iterations)
        #expect(Approximate.relativeError(one.solution, other.solution) <= 1e-12)
    }

    @Test("symmetry(tolerance:) says exact only when every stored entry equals its stored mirror")
    func exactSymmetry() throws {
        let a = Self.reactionStencil(6)
        var values = a.values
        // Perturb one entry below the diagonal by one part in 10¹⁰: symmetric to 1e-6, not exactly.
        let j = 7, k = a.pattern.columnPointers[j + 1] - 1
        #expect(a.pattern.rowIndices[k] > j)
        values[k] *= 1 + 1e-10
        let near = try SparseMatrix(pattern: a.pattern, values: values)
        #expect(near.symmetry(tolerance: 1e-6) == (true, false))
        #expect(near.symmetry(tolerance: 0) == (false, false))
        values[k] *= 1.1
        #expect(try SparseMatrix(pattern: a.pattern, values: values).symmetry(tolerance: 1e-6) == (false, false))
        // A missing mirror (an upper entry without its lower one): the full pass, never exact.
        let dense = Matrix(rows: 2, columns: 2, elements: [1, 0, 0, 1])   // column-major: identity
        var upper = dense
        upper[0, 1] = 1e-300
        #expect(try SparseMatrix(upper).symmetry(tolerance: 1e-6) == (false, false))
        #expect(try SparseMatrix(dense).symmetry(tolerance: 0) == (true, true))
    }
}
