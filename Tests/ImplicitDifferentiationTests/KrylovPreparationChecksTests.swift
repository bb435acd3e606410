import Testing
@testable import ImplicitDifferentiation
import LinearAlgebra
import TestSupport

/// `F = d·y_ij − Σ neighbours − x_ij` on an `n × n` grid (zero boundary values): linear, symmetric,
/// `∂F/∂y` the five-point stencil with `d` on the diagonal (`d = 4`: the Dirichlet Laplacian, whose
/// interior rows are only weakly diagonally dominant; `d = 5`: strictly, Jacobi-scaled radius 4/5).
struct StencilConditions: ImplicitConditions {
    let n: Int
    let diagonal: Double

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        func at(_ a: Int, _ b: Int) -> T { a < 0 || b < 0 || a >= n || b >= n ? T.zero : y[a + n * b] }
        return (0..<(n * n)).map { k in
            let i = k % n, j = k / n
            return T(diagonal) * y[k] - at(i - 1, j) - at(i + 1, j) - at(i, j - 1) - at(i, j + 1) - x[k]
        }
    }
}

@Suite("Krylov preparation: the nonsingularity certificate, IC(0) breakdowns, the preconditioner's order")
struct KrylovPreparationChecksTests {
    static func sparse(_ rows: [[Double]]) -> SparseMatrix { try! SparseMatrix(Matrix(rows: rows)) }

    static let settings = SolverSettings(automatic: true, minimumReciprocalCondition: 100 * Double.ulpOfOne,
                                         preconditioner: nil, initialGuess: .zero, krylovOptions: .default,
                                         probesKrylovSingularity: true)

    /// The 1-D Neumann Laplacian: rows sum to zero, `A·1 = 0`.
    static func neumann(_ m: Int) -> SparseMatrix {
        var a = TestMatrices.poisson1D(m)
        a[0, 0] = 1
        a[m - 1, m - 1] = 1
        return try! SparseMatrix(a)
    }

    @Test("the certificate's three tests and their condition bounds, against closed forms")
    func certificateClosedForms() throws {
        // tridiag(−1, 4, −1): margin 2, ‖A‖∞ = 6 → 3 by rows (columns and the scaled test tie at 3).
        let t = try #require(NonsingularityCertificate(try SparseMatrix(TestMatrices.poisson1D(5).scaledDiagonal(2))))
        #expect(t.kind == .rows && abs(t.conditionBound - 3) <= 1e-15)
        // [[4, 3], [0, 1]]: rows δ = 1, ‖A‖∞ = 7; column 1 and the scaled row 0 (3/2) fail.
        let rows = try #require(NonsingularityCertificate(Self.sparse([[4, 3], [0, 1]])))
        #expect(rows.kind == .rows && rows.conditionBound == 7)
        let columns = try #require(NonsingularityCertificate(Self.sparse([[4, 0], [3, 1]])))
        #expect(columns.kind == .columns && columns.conditionBound == 7)
        // [[100, 9], [9, 1]]: not dominant by rows or columns; scaled r = 9/10, bound 19.
        let scaled = try #require(NonsingularityCertificate(Self.sparse([[100, 9], [9, 1]])))
        #expect(scaled.kind == .jacobiScaled && abs(scaled.conditionBound - 19) <= 1e-12)
        #expect(scaled.description.contains("strictly diagonally dominant"))
        // A negative diagonal counts by its modulus.
        #expect(NonsingularityCertificate(Self.sparse([[-4, 1], [1, -4]]))?.kind == .rows)
    }

    @Test("no certificate: singular, weakly dominant, near singular, zero diagonal, not square, NaN-free refusal")
    func noCertificate() {
        #expect(NonsingularityCertificate(Self.neumann(10)) == nil)
        #expect(NonsingularityCertificate(TestMatrices.poisson2DSparse(6)) == nil)   // interior rows: r = 1
        let near = 1 - 1e-6   // r = 1 − 10⁻⁶: bound ≈ 2·10⁶ > 10⁵
        #expect(NonsingularityCertificate(Self.sparse([[1, near], [near, 1]])) == nil)
        #expect(NonsingularityCertificate(Self.sparse([[0, 0.1], [0.1, 1]])) == nil)
        #expect(NonsingularityCertificate(try! SparseMatrix(Matrix(rows: 2, columns: 3))) == nil)
        #expect(NonsingularityCertificate(try! SparseMatrix(Matrix(rows: 0, columns: 0))) == nil)
    }

    @Test("a certified A skips the probe (no probe solve, a note); an uncertified one runs it")
    func certifiedSkipsProbe() throws {
        let certified = try SparseMatrix(TestMatrices.poisson1D(50).scaledDiagonal(1.5))
        let cg = LinearSolver.cg(options: .default)
        let skipped = try cg.prepare(LinearSystem(SparseMatrixOperator(certified)), settings: Self.settings)
        #expect(skipped.probe == nil && skipped.used == cg)
        #expect(skipped.note?.contains("singularity probe skipped") == true, "\(String(describing: skipped.note))")
        let plain = try cg.prepare(LinearSystem(SparseMatrixOperator(TestMatrices.poisson2DSparse(8))), settings: Self.settings)
        #expect(plain.probe?.status == .converged && plain.note == nil)
        // The certificate reads values, not declarations: a dense system is probed as before.
        let dense = try cg.prepare(LinearSystem(matrix: TestMatrices.poisson1D(50).scaledDiagonal(1.5)), settings: Self.settings)
        #expect(dense.probe != nil)
    }

    @Test("an uncertified singular sparse A is still found by the probe: lsmr under automatic, singularJacobian otherwise")
    func singularStillDetected() throws {
        let system = LinearSystem(SparseMatrixOperator(Self.neumann(30)))
        let gmres = LinearSolver.gmres(restart: 30, options: .default)
        let automatic = try gmres.prepare(system, settings: Self.settings)
        #expect(automatic.used == .lsmr(options: .default) && automatic.probe != nil)
        #expect(automatic.note?.contains("found ∂F/∂y singular") == true)
        let explicit = SolverSettings(automatic: false, minimumReciprocalCondition: 0, preconditioner: nil,
                                      initialGuess: .zero, krylovOptions: .default, probesKrylovSingularity: true)
        #expect(throws: ImplicitDifferentiationError.singularJacobian(pivot: nil, reciprocalCondition: nil)) {
            _ = try gmres.prepare(system, settings: explicit)
        }
    }

    @Test("through an implicit function on .sparse + CG: the plan notes the skipped probe, the derivative is LU's",
          arguments: [5.0, 4.0])
    func endToEnd(_ diagonal: Double) throws {
        let n = 12, c = StencilConditions(n: n, diagonal: diagonal)
        let y = (0..<(n * n)).map { 0.5 * Double.cos(0.21 * Double($0)) }
        let x = c(x: [Double](repeating: 0, count: n * n), y: y)   // F(x, y) = 0 at x = (d − Σ)y
        let tight = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-13)
        let f = ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: .cg(options: tight),
                                 representation: .sparse)
        let lin = try f.linearize(at: x)
        let skipped = lin.plan.note?.contains("singularity probe skipped") == true
        #expect(skipped == (diagonal == 5), "\(lin.plan)")
        let reference = try ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: .lu,
                                             representation: .matrix).linearize(at: x)
        var rng = SeededRandom(seed: 5)
        let ybar = rng.vector(n * n)
        #expect(Approximate.relativeError(try lin.vjp(ybar), try reference.vjp(ybar)) <= 1e-10)
    }

    @Test("the cost model's IC(0) factory: plain, shifted after a breakdown, Jacobi, none — each said in the note")
    func incompleteCholeskyFactory() throws {
        func build(_ a: SparseMatrix) throws -> (preconditioner: (any Preconditioner & Sendable)?, note: String?) {
            try PreconditionerFactory.incompleteCholesky(a).build(LinearSystem(SparseMatrixOperator(a)))
        }
        let plain = try build(TestMatrices.poisson2DSparse(5))
        #expect(plain.preconditioner is IncompleteCholeskyPreconditioner && plain.note == nil)
        let kershaw = try build(Self.sparse([[3, -2, 0, 2], [-2, 3, -2, 0], [0, -2, 3, -2], [2, 0, -2, 3]]))
        #expect((kershaw.preconditioner as? IncompleteCholeskyPreconditioner)?.diagonalShift == 1)
        #expect(kershaw.note?.contains("IC(0) broke down") == true && kershaw.note?.contains("+ 1.0·diag") == true)
        let jacobi = try build(Self.sparse([[1, 3], [3, 1]]))
        #expect(jacobi.preconditioner is JacobiPreconditioner && jacobi.note?.contains("used Jacobi") == true)
        let none = try build(Self.sparse([[-1, 3], [3, 1]]))
        #expect(none.preconditioner == nil && none.note?.contains("no preconditioner") == true)
        // ILU(0) with a zero pivot falls back to Jacobi when the diagonal allows it.
        let lu = try PreconditionerFactory.incompleteLU(Self.sparse([[1, 1, 0], [1, 1, 1], [0, 1, 1]]))
            .build(LinearSystem(SparseMatrixOperator(Self.sparse([[1, 1, 0], [1, 1, 1], [0, 1, 1]]))))
        #expect(lu.preconditioner is JacobiPreconditioner && lu.note?.contains("ILU(0) broke down") == true)
    }

    @Test("the breakdown note reaches the prepared choice, and CG converges with the shifted IC(0)")
    func breakdownNoteInChoice() throws {
        let a = Self.sparse([[3, -2, 0, 2], [-2, 3, -2, 0], [0, -2, 3, -2], [2, 0, -2, 3]])
        var settings = Self.settings
        settings = SolverSettings(automatic: true, minimumReciprocalCondition: settings.minimumReciprocalCondition,
                                  preconditioner: .incompleteCholesky(a), initialGuess: .zero,
                                  krylovOptions: .default, probesKrylovSingularity: true)
        let choice = try LinearSolver.cg(options: .default).prepare(LinearSystem(SparseMatrixOperator(a)), settings: settings)
        #expect(choice.note?.contains("IC(0) broke down") == true && choice.probe?.status == .converged)
        let b: [Double] = [1, 2, 3, 4]
        #expect(Approximate.relativeError(try choice.prepared.solve(b), try LUFactorization(a.dense()).solve(b, transposed: false))
                <= 1e-7)
    }

    @Test("a factory returning a preconditioner of the wrong order is a dimensionMismatch, and the function still works")
    func wrongOrder() throws {
        let n = 6, c = StencilConditions(n: n, diagonal: 5)
        let y = (0..<(n * n)).map { 0.1 * Double($0 % 7) }
        let x = c(x: [Double](repeating: 0, count: n * n), y: y)
        for representation in [Representation.operator, .sparse] {
            var f = ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: .cg(options: .default),
                                     representation: representation)
            f.preconditioner = .fixed(try JacobiPreconditioner(diagonal: [Double](repeating: 5, count: n * n - 1)))
            guard case .dimensionMismatch(let what)? = implicitError({ _ = try f.vjp(at: x, cotangent: y) }) else {
                Issue.record("expected dimensionMismatch on \(representation)"); continue
            }
            #expect(what.contains("order 35") && what.contains("36 × 36"), "\(what)")
            f.preconditioner = .fixed(try JacobiPreconditioner(diagonal: [Double](repeating: 5, count: n * n)))
            let lin = try f.linearize(at: x)
            let reference = try ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: .lu,
                                                 representation: .matrix).vjp(at: x, cotangent: y)
            #expect(Approximate.relativeError(try lin.vjp(y), reference) <= 1e-6)
            #expect(lin.report.krylovIterations > 0 && lin.plan.solver == .cg(options: .default))
        }
    }
}

extension Matrix {
    /// This matrix with its diagonal multiplied by `s`.
    func scaledDiagonal(_ s: Double) -> Matrix {
        var a = self
        for i in 0..<Swift.min(rows, columns) { a[i, i] *= s }
        return a
    }
}
