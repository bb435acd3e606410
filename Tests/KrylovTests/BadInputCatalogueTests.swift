import Testing
import Krylov
import LinearAlgebra
import TestSupport

// The bad-input catalogue of the Krylov layer. FailureStatusTests.swift has
// b = 0, an impossible cap, NaN in b / x₀ / the operator, GMRES stagnation,
// CG indefinite, BiCGStab breakdown and invalid settings; this file adds the
// zero operator, unattainable tolerances, a NaN-producing preconditioner,
// extreme scales, and the documented programmer errors (wrong lengths, a
// transposed solve without a transpose), which stop the process.

@Suite("Bad-input catalogue: Krylov methods")
struct KrylovBadInputCatalogueTests {
    static let square: [Method] = [.gmres, .bicgstab, .cg, .lsmr]

    @Test("the zero operator with b ≠ 0: each method's own status, x = 0, never a trap", arguments: square)
    func zeroOperator(method: Method) {
        let op = MatrixOperator(Matrix(rows: 3, columns: 3))
        let result = method.solver(.default).solve(op, [1, 2, 3])
        let expected: KrylovStatus = switch method {
        case .gmres, .bicgstab: .breakdown
        case .cg: .indefinite
        case .lsmr: .converged          // every x is a least-squares solution; the minimum-norm one is 0
        }
        #expect(result.statistics.status == expected, "\(result.statistics)")
        #expect(result.solution == [0, 0, 0])
        #expect(Approximate.relativeError(result.statistics.residualNorm, 14.0.squareRoot()) <= 1e-15)
        #expect(!result.statistics.description.isEmpty)
    }

    @Test("atol = rtol = 0 ends with a status and an accurate iterate, never a hang", arguments: square)
    func unattainableTolerance(method: Method) throws {
        let a = TestMatrices.poisson1D(20)
        let x = (0..<20).map { Double($0 % 5) - 2 }
        let b = a * x
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 0, maxIterations: 200)
        let result = method.solver(options).solve(MatrixOperator(a, structure: [.symmetric, .positiveDefinite]), b)
        let s = result.statistics
        #expect([.converged, .stagnation, .maxIterationsReached, .breakdown].contains(s.status), "\(s)")
        #expect(s.iterations <= 200)
        #expect(Approximate.relativeError(result.solution, x) <= 1e-9, "\(s)")
    }

    @Test("a preconditioner that returns NaN is reported as non-finite input", arguments: square)
    func nanPreconditioner(method: Method) {
        let a = TestMatrices.poisson1D(10)
        let bad = ClosurePreconditioner(apply: { r, z in for i in z.indices { z[i] = i == 3 ? .nan : r[i] } })
        let result = method.solver(.default).solve(MatrixOperator(a), [Double](repeating: 1, count: 10),
                                                   initialGuess: nil, preconditioner: bad)
        #expect(result.statistics.status == .nonFiniteInput, "\(result.statistics)")
        #expect(result.statistics.description.contains("check b, the initial guess, the operator and the preconditioner"))
    }

    @Test("operator and right-hand side ~1e±150: converged, accurate, finite norms",
          arguments: [(1.0, 1e150), (1.0, 1e-150), (1e150, 1.0), (1e-150, 1.0), (1e150, 1e150), (1e-150, 1e-150)])
    func extremeScales(operatorScale: Double, rhsScale: Double) throws {
        let a = operatorScale * TestMatrices.poisson1D(30)
        let x = (0..<30).map { Double($0 % 7) - 3 }
        var b = TestMatrices.poisson1D(30) * x
        BLAS.scal(rhsScale, &b)
        let exact = x.map { $0 * rhsScale / operatorScale }
        // Relative tolerance only: an absolute one has no meaning across 300 orders of magnitude.
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)
        for method in Self.square {
            let result = method.solver(options).solve(MatrixOperator(a, structure: [.symmetric, .positiveDefinite]), b)
            let s = result.statistics
            #expect(s.status == .converged, "\(method): \(s)")
            #expect(s.residualNorm.isFinite && s.initialResidualNorm.isFinite)
            #expect(Approximate.relativeError(result.solution, exact) <= 1e-9, "\(method): \(s)")
        }
    }

    @Test("a transposed solve through an operator with a transpose closure, at 1e150")
    func transposedAtScale() throws {
        let a = TestMatrices.convectionDiffusion(20)
        let op = ClosureOperator(rows: 20, columns: 20, apply: { x, y in BLAS.gemv(1e150, a, x, 0, &y) },
                                 applyTransposed: { x, y in BLAS.gemv(transpose: true, 1e150, a, x, 0, &y) })
        let c = [Double](repeating: 1, count: 20)
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)
        let result = try GMRES(options: options).solveTransposed(op, c)
        let reference = try LUFactorization(1e150 * a).solve(c, transposed: true)
        #expect(result.statistics.status == .converged)
        #expect(Approximate.relativeError(result.solution, reference) <= 1e-9)
    }

    @Test("non-finite statistics print without trapping")
    func nonFiniteDescription() throws {
        let result = try GMRES().solve(MatrixOperator(.identity(2)), [.nan, 1])
        #expect(result.statistics.description.contains("nan"))
        #expect(throws: KrylovError.self) { _ = try result.requireConverged() }
    }

    // Documented programmer errors: preconditions, checked in a child process.

    @Test("a right-hand side of the wrong length stops the process")
    func wrongLength() async {
        await #expect(processExitsWith: .failure) {
            _ = try! GMRES().solve(MatrixOperator(.identity(3)), [1, 2])
        }
    }

    @Test("a transposed solve through an operator without a transpose stops the process")
    func missingTranspose() async {
        await #expect(processExitsWith: .failure) {
            let op = ClosureOperator(rows: 2, columns: 2, apply: { x, y in y = x })
            _ = BiCGStab().solveTransposed(op, [1, 2])
        }
    }
}
