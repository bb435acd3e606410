import Foundation
import Testing
import ImplicitDifferentiation
import TestSupport

/// `F_i = y_i + y_i³ − s_i x_i` with `s_i = 1 + i/m`: a diagonal `∂F/∂y`.
/// Row `singular` (when set) is `y_i²` (at `y_i = 0`: a zero row of `A` and of `B`).
struct ElementwiseConditions: ImplicitConditions {
    var singular: Int? = nil

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        return (0..<m).map { i in
            if i == singular { return y[i] * y[i] }
            return y[i] + y[i] * y[i] * y[i] - T(1 + Double(i) / Double(m)) * x[i]
        }
    }

    static func input(for y: [Double]) -> [Double] {
        let m = y.count
        return (0..<m).map { i in (y[i] + y[i] * y[i] * y[i]) / (1 + Double(i) / Double(m)) }
    }
}

/// A 1-D Bratu-like stencil: `F_i = 2y_i − y_{i−1} − y_{i+1} − λh² exp(y_i) − h² x_i`
/// (zero boundary values): a symmetric tridiagonal `∂F/∂y`.
struct BratuLikeConditions: ImplicitConditions {
    static let lambda = 1.0

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count, h2 = 1.0 / Double((m + 1) * (m + 1))
        return (0..<m).map { i in
            let left = i > 0 ? y[i - 1] : T.zero, right = i < m - 1 ? y[i + 1] : T.zero
            return T(2) * y[i] - left - right - T(Self.lambda * h2) * T.exp(y[i]) - T(h2) * x[i]
        }
    }

    static func input(for y: [Double]) -> [Double] {
        let m = y.count, h2 = 1.0 / Double((m + 1) * (m + 1))
        return (0..<m).map { i in
            let left = i > 0 ? y[i - 1] : 0, right = i < m - 1 ? y[i + 1] : 0
            return (2 * y[i] - left - right - lambda * h2 * Foundation.exp(y[i])) / h2
        }
    }
}

/// The five-point Laplacian on an `n × n` grid with a cubic reaction and
/// an optional convection term `c (y_{i+1,j} − y_{i−1,j})`:
/// `F = 4y_ij − Σ neighbours + 0.1 y_ij³ + c(…) − x_ij`; SPD when `c = 0`.
struct FivePointConditions: ImplicitConditions {
    let n: Int
    var convection = 0.0

    func residual<T: DifferentiableScalar>(_ y: [T], at i: Int, _ j: Int) -> T {
        func at(_ a: Int, _ b: Int) -> T { a < 0 || b < 0 || a >= n || b >= n ? T.zero : y[a + n * b] }
        let c = y[i + n * j]
        var f = T(4) * c - at(i - 1, j) - at(i + 1, j) - at(i, j - 1) - at(i, j + 1) + T(0.1) * c * c * c
        if convection != 0 { f = f + T(convection) * (at(i + 1, j) - at(i - 1, j)) }
        return f
    }

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        (0..<(n * n)).map { p in residual(y, at: p % n, p / n) - x[p] }
    }

    func input(for y: [Double]) -> [Double] {
        (0..<(n * n)).map { p in residual(y, at: p % n, p / n) }
    }
}

@Suite struct SparseRepresentationTests {
    /// `(conditions, x, y)` of the three problems.
    static func problem(_ name: String) -> (conditions: any ImplicitConditions, x: [Double], y: [Double]) {
        switch name {
        case "diagonal":
            let y = (0..<50).map { 0.4 * Double.sin(0.3 * Double($0 + 1)) }
            return (ElementwiseConditions(), ElementwiseConditions.input(for: y), y)
        case "tridiagonal":
            let m = 64
            let y = (0..<m).map { i -> Double in let t = Double(i + 1) / Double(m + 1); return 0.3 * t * (1 - t) }
            return (BratuLikeConditions(), BratuLikeConditions.input(for: y), y)
        default:
            let c = FivePointConditions(n: 12, convection: name == "convection" ? 0.7 : 0)
            let y = (0..<144).map { 0.5 * Double.cos(0.21 * Double($0)) }
            return (c, c.input(for: y), y)
        }
    }

    static func function(_ c: any ImplicitConditions, _ y: [Double], _ solver: LinearSolver = .automatic,
                         _ representation: Representation) -> ImplicitFunction<Void, Void> {
        func make<C: ImplicitConditions>(_ c: C) -> ImplicitFunction<Void, Void> {
            ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: solver, representation: representation)
        }
        return make(c)
    }

    @Test("JVP, VJP and Jacobian on .sparse equal .matrix, are adjoint, and the plan names the factorization",
          arguments: [("diagonal", "diagonal"), ("tridiagonal", "band LU"), ("five-point", "CHOLMOD"),
                      ("convection", "UMFPACK")])
    func sparseEqualsMatrix(_ name: String, _ factorization: String) throws {
        let (c, x, y) = Self.problem(name)
        let sparse = try Self.function(c, y, .automatic, .sparse).linearize(at: x)
        let dense = try Self.function(c, y, .automatic, .matrix).linearize(at: x)
        #expect(sparse.plan.representation == .sparse)
        #expect(sparse.plan.reason.contains(factorization), "\(sparse.plan)")
        #expect(sparse.plan.reason.contains("non-zeros") && sparse.plan.reason.contains("colours"), "\(sparse.plan)")
        #expect(sparse.solverSummary.kind.contains(factorization == "band LU" ? "band" : factorization))
        #expect(sparse.report.rank == y.count && (sparse.report.reciprocalCondition ?? 0) > 0)
        #expect(sparse.report.factorizations == 1)
        var rng = SeededRandom(seed: 41)
        let dx = rng.vector(x.count), ybar = rng.vector(y.count)
        let jvp = try sparse.jvp(dx), vjp = try sparse.vjp(ybar)
        #expect(Approximate.relativeError(jvp, try dense.jvp(dx)) <= 1e-10)
        #expect(Approximate.relativeError(vjp, try dense.vjp(ybar)) <= 1e-10)
        #expect(Approximate.relativeError(try sparse.jacobian(), try dense.jacobian()) <= 1e-10)
        let lhs = zip(ybar, jvp).reduce(0) { $0 + $1.0 * $1.1 }, rhs = zip(vjp, dx).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(lhs - rhs) <= 1e-12 * max(abs(lhs), 1))
        // plan(for:) is what the linearization uses.
        let f = Self.function(c, y, .automatic, .sparse)
        #expect(try f.plan(for: x, solution: y, byproduct: ()) == sparse.plan)
    }

    @Test("explicit solvers on .sparse: lu, cholesky, and CG with IC(0) built by the preconditioner factory")
    func explicitSolvers() throws {
        let (c, x, y) = Self.problem("five-point")
        let dense = try Self.function(c, y, .automatic, .matrix).linearize(at: x)
        var rng = SeededRandom(seed: 7)
        let dx = rng.vector(x.count)
        let reference = try dense.jvp(dx)
        let lu = try Self.function(c, y, .lu, .sparse).linearize(at: x)
        #expect(lu.solverSummary.kind.contains("UMFPACK") && lu.plan.solver == .lu)
        #expect(Approximate.relativeError(try lu.jvp(dx), reference) <= 1e-10)
        let chol = try Self.function(c, y, .cholesky, .sparse).linearize(at: x)
        #expect(chol.solverSummary.kind.contains("CHOLMOD") && chol.plan.solver == .cholesky)
        #expect(Approximate.relativeError(try chol.jvp(dx), reference) <= 1e-10)

        let tight = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-13)
        var cg = Self.function(c, y, .cg(options: tight), .sparse)
        let built = Locked(false)
        cg.preconditioner = PreconditionerFactory { system in
            guard let a = (system.linearOperator as? SparseMatrixOperator)?.matrix,
                  let ic = try? IncompleteCholeskyPreconditioner(a) else { return nil }
            built.withLock { $0 = true }
            return ic
        }
        let lin = try cg.linearize(at: x)
        #expect(Approximate.relativeError(try lin.jvp(dx), reference) <= 1e-10)
        #expect(built.withLock { $0 } && lin.report.krylovIterations > 0)
    }

    @Test("a singular sparse A: explicit lu throws singularJacobian; automatic takes the SVD only within the memory limit")
    func singular() throws {
        let m = 40
        var y = (0..<m).map { 0.4 * Double.sin(0.3 * Double($0 + 1)) }
        y[3] = 0
        var x = ElementwiseConditions.input(for: y)
        x[3] = 0.7   // F_3 = y_3² does not depend on x: B's row 3 is zero, the system is consistent
        let c = ElementwiseConditions(singular: 3)
        let solution = y
        let explicit = ImplicitFunction(solver: { _ in solution }, conditions: c, linearSolver: .lu,
                                        representation: .sparse)
        guard case .singularJacobian? = implicitError({ _ = try explicit.linearize(at: x) }) else {
            Issue.record("expected singularJacobian"); return
        }
        let automatic = ImplicitFunction(solver: { _ in solution }, conditions: c, representation: .sparse)
        let lin = try automatic.linearize(at: x)
        #expect(lin.plan.solver == .svd && lin.plan.reason.contains("singular"), "\(lin.plan)")
        let ydot = try lin.jvp([Double](repeating: 1, count: m))
        #expect(ydot[3] == 0 || abs(ydot[3]) <= 1e-14)   // the minimum-norm derivative
        var small = ImplicitFunction(solver: { _ in solution }, conditions: c, representation: .sparse)
        small.options.maxMatrixBytes = 8 * m * m   // A fits, the SVD's work arrays do not
        guard case .singularJacobian? = implicitError({ _ = try small.linearize(at: x) }) else {
            Issue.record("expected singularJacobian when the SVD fallback does not fit"); return
        }
    }

    @Test("a sparse factor above the memory limit is refused before allocation, with its estimate")
    func factorOverMemoryLimit() {
        let (c, x, y) = Self.problem("five-point")
        for solver in [LinearSolver.automatic, .lu] {
            var f = Self.function(c, y, solver, .sparse)
            f.options.maxMatrixBytes = 1024
            guard case .allocationTooLarge(_, let bytes, let limit)? = implicitError({ _ = try f.linearize(at: x) }) else {
                let got = String(describing: implicitError({ _ = try f.linearize(at: x) }))
                Issue.record("expected allocationTooLarge for \(solver), got \(got)")
                continue
            }
            #expect(bytes > limit && limit == 1024)
        }
    }

    @Test("explicit cholesky on a non-symmetric sparse A throws structureNotAsDeclared")
    func choleskyOnNonSymmetric() {
        let (c, x, y) = Self.problem("convection")
        let f = Self.function(c, y, .cholesky, .sparse)
        guard case .structureNotAsDeclared? = implicitError({ _ = try f.linearize(at: x) }) else {
            Issue.record("expected structureNotAsDeclared, got \(String(describing: implicitError({ _ = try f.linearize(at: x) })))")
            return
        }
    }

    @Test("hand-written products give a typed error; hand-written matrices are converted")
    func handwritten() throws {
        let products = ImplicitFunction(
            solver: { x in x.map { $0 * $0 } },
            conditions: HandwrittenConditions(value: { x, y in zip(x, y).map { $1.squareRoot() - $0 } },
                                              jvp: { _, y, dx, dy in
                                                  zip(y, zip(dx ?? [0, 0], dy ?? [0, 0])).map { y, d in
                                                      d.1 / (2 * y.squareRoot()) - d.0 }
                                              },
                                              vjp: { _, y, u in (u.map { -$0 }, zip(y, u).map { $1 / (2 * $0.squareRoot()) }) }),
            representation: .sparse)
        guard case .invalidOption(let why)? = implicitError({ _ = try products.jvp(at: [1, 2], tangent: [1, 1]) }) else {
            Issue.record("expected invalidOption"); return
        }
        #expect(why.contains(".sparse"))
        let matrices = ImplicitFunction(
            solver: { x in x.map { $0 * $0 } },
            conditions: HandwrittenConditions(value: { x, y in zip(x, y).map { $1.squareRoot() - $0 } },
                                              jacobians: { x, _ in (Matrix.diagonal(x.map { _ in -1 }),
                                                                    Matrix.diagonal(x.map { 1 / (2 * $0) })) }),
            representation: .sparse)
        let lin = try matrices.linearize(at: [1, 2])
        #expect(lin.plan.reason.contains("converted"))
        // y = x², so ẏ = 2x ẋ.
        #expect(Approximate.relativeError(try lin.jvp([1, 1]), [2, 4]) <= 1e-14)
    }
}
