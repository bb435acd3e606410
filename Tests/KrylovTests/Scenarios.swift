import Krylov
import LinearAlgebra
import TestSupport

/// The shared problem set of the scenario table (lineax-style): every method
/// runs on every problem it is meant for, through every operator kind.
enum Problem: String, CaseIterable, Sendable {
    case poisson1D, poisson2D, convectionDiffusion, randomDense, randomSPD, tallLeastSquares

    /// The matrix of the problem.
    var matrix: Matrix {
        switch self {
        case .poisson1D: return TestMatrices.poisson1D(40)
        case .poisson2D: return TestMatrices.poisson2D(8)
        case .convectionDiffusion: return TestMatrices.convectionDiffusion(50)
        case .randomDense: return TestMatrices.wellConditioned(40, seed: 11)
        case .randomSPD: return TestMatrices.symmetricPositiveDefinite(30, seed: 12)
        case .tallLeastSquares:
            var rng = SeededRandom(seed: 13)
            var a = rng.matrix(60, 20)
            for j in 0..<20 { a[j, j] += 4 }          // full column rank, well conditioned
            return a
        }
    }

    /// A seeded right-hand side (inconsistent for the least-squares problem).
    var rightHandSide: [Double] {
        var rng = SeededRandom(seed: 100 + UInt64(Problem.allCases.firstIndex(of: self)!))
        return rng.vector(matrix.rows)
    }

    var isSymmetricPositiveDefinite: Bool {
        self == .poisson1D || self == .poisson2D || self == .randomSPD
    }
    var isSquare: Bool { self != .tallLeastSquares }

    /// The direct reference: `A⁻¹b`, or the least-squares solution.
    var reference: [Double] {
        isSquare ? DirectSolveReference.solve(matrix, rightHandSide)
            : DirectSolveReference.leastSquares(matrix, rightHandSide)
    }
}

enum Method: String, CaseIterable, Sendable {
    case gmres, bicgstab, cg, lsmr

    /// The solver with the given options.
    func solver(_ options: KrylovOptions) -> any KrylovSolver {
        switch self {
        case .gmres: return try! GMRES(restart: 30, options: options)
        case .bicgstab: return BiCGStab(options: options)
        case .cg: return ConjugateGradient(options: options)
        case .lsmr: return LSMR(options: options)
        }
    }

    func handles(_ problem: Problem) -> Bool {
        switch self {
        case .gmres, .bicgstab: return problem.isSquare
        case .cg: return problem.isSymmetricPositiveDefinite
        case .lsmr: return true
        }
    }
}

enum OperatorKind: String, CaseIterable, Sendable {
    /// `MatrixOperator` (BLAS gemv).
    case matrix
    /// `ClosureOperator` wrapping the same matrix (the matrix-free path).
    case closure
    /// `MatrixOperator` with a Jacobi preconditioner (diag(A), or the column
    /// norms for LSMR).
    case preconditioned
}

/// One row of the scenario table.
struct Scenario: Sendable, CustomStringConvertible {
    let method: Method
    let kind: OperatorKind
    let problem: Problem
    var description: String { "\(method.rawValue) × \(kind.rawValue) × \(problem.rawValue)" }

    static let all: [Scenario] = Method.allCases.flatMap { method in
        Problem.allCases.filter(method.handles).flatMap { problem in
            OperatorKind.allCases.map { Scenario(method: method, kind: $0, problem: problem) }
        }
    }
}

/// `ClosureOperator` with the matrix inside closures (apply and transpose).
func closureOperator(_ a: Matrix, structure: OperatorStructure = []) -> ClosureOperator {
    ClosureOperator(rows: a.rows, columns: a.columns, structure: structure,
                    apply: { x, y in BLAS.gemv(1, a, x, 0, &y) },
                    applyTransposed: { x, y in BLAS.gemv(transpose: true, 1, a, x, 0, &y) })
}

/// The Jacobi preconditioner the scenario table uses for `method`.
func jacobi(for a: Matrix, method: Method) -> JacobiPreconditioner {
    if method == .lsmr {
        let norms = (0..<a.columns).map { BLAS.nrm2(a.column($0)) }
        return try! JacobiPreconditioner(diagonal: norms)
    }
    return try! JacobiPreconditioner(a)
}

/// `‖b − A x‖`.
func residualNorm(_ a: Matrix, _ x: [Double], _ b: [Double]) -> Double {
    var r = b
    BLAS.gemv(-1, a, x, 1, &r)
    return BLAS.nrm2(r)
}
