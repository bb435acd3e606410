import Krylov
import LinearAlgebra
import Testing
import TestSupport

@Suite("IC(0) with a diagonal shift after a breakdown (Manteuffel)")
struct IncompleteCholeskyShiftTests {
    /// Kershaw's 4 × 4 symmetric positive definite matrix (eigenvalues 3 ± 2√2, twice each) on
    /// which IC(0) meets the pivot −5 in its last row.
    static let kershaw = Matrix(rows: [[3, -2, 0, 2], [-2, 3, -2, 0], [0, -2, 3, -2], [2, 0, -2, 3]])

    @Test("on a tridiagonal matrix (no fill) IC(0) with shift α is the exact Cholesky factor of A + α·diag(A)")
    func shiftIsExactWithoutFill() throws {
        let a = TestMatrices.poisson1D(30)
        var shifted = a
        for i in 0..<30 { shifted[i, i] *= 1.25 }
        let ic = try IncompleteCholeskyPreconditioner(try SparseMatrix(a), diagonalShift: 0.25)
        #expect(ic.diagonalShift == 0.25 && ic.order == 30)
        var rng = SeededRandom(seed: 11)
        let b = rng.vector(30)
        var z = [Double](repeating: 0, count: 30)
        ic.apply(b, into: &z)
        #expect(Approximate.relativeError(z, try LUFactorization(shifted).solve(b, transposed: false)) <= 1e-12)
    }

    @Test("Kershaw's matrix: plain IC(0) breaks down, the shifts 10⁻³…10⁻¹ do too, α = 1 holds and CG converges with it")
    func kershawNeedsTheLargestShift() throws {
        let a = try SparseMatrix(Self.kershaw)
        #expect(throws: KrylovError.self) { _ = try IncompleteCholeskyPreconditioner(a) }
        let (ic, breakdown) = try IncompleteCholeskyPreconditioner.withDiagonalShifts(a)
        #expect(ic.diagonalShift == 1)
        guard case .preconditionerBreakdown(let what)? = breakdown else {
            Issue.record("expected the first breakdown, got \(String(describing: breakdown))"); return
        }
        #expect(what.contains("l[3, 3]²"))
        let b: [Double] = [1, 2, 3, 4]
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)
        let result = ConjugateGradient(options: options)
            .solve(SparseMatrixOperator(a), b, initialGuess: nil, preconditioner: ic)
        #expect(result.statistics.status == .converged)
        #expect(Approximate.relativeError(result.solution, try LUFactorization(Self.kershaw).solve(b, transposed: false))
                <= 1e-10)
        // No shift is tried when plain IC(0) holds.
        let plain = try IncompleteCholeskyPreconditioner.withDiagonalShifts(TestMatrices.poisson2DSparse(5))
        #expect(plain.breakdown == nil && plain.preconditioner.diagonalShift == 0)
    }

    @Test("every shift breaks down on an indefinite A: the last breakdown is thrown; bad shifts are invalid options")
    func everyShiftFails() throws {
        let indefinite = try SparseMatrix(Matrix(rows: [[1, 3], [3, 1]]))
        do {
            _ = try IncompleteCholeskyPreconditioner.withDiagonalShifts(indefinite)
            Issue.record("expected a breakdown")
        } catch .preconditionerBreakdown(let what) {
            #expect(what.contains("with the diagonal shift 1.0"))
        } catch {
            Issue.record("expected preconditionerBreakdown, got \(error)")
        }
        for bad in [-0.1, .nan, .infinity] {
            #expect(throws: KrylovError.invalidOptions(
                "IncompleteCholeskyPreconditioner: diagonal shift \(bad); it must be finite and ≥ 0")) {
                _ = try IncompleteCholeskyPreconditioner(indefinite, diagonalShift: bad)
            }
        }
    }

    @Test("matrix-built preconditioners state their order; closures do not")
    func orders() throws {
        let a = TestMatrices.poisson2DSparse(4)
        #expect(try IncompleteCholeskyPreconditioner(a).order == 16)
        #expect(try IncompleteLUPreconditioner(a).order == 16)
        #expect(try JacobiPreconditioner(diagonal: [1, 2, 3]).order == 3)
        #expect(ClosurePreconditioner(apply: { r, z in z = r }).order == nil)
    }
}
