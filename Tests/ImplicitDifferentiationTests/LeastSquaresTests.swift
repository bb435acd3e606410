import Testing
import ImplicitDifferentiation
import TestSupport

/// Entropic optimal transport, log domain, 3 × 4. y = (f, g) potentials,
/// x = the cost matrix C (column-major, C[i + 3j]). The conditions are the
/// Sinkhorn fixed point F = [f − T_f(g); g − T_g(f)], invariant under
/// (f + c, g − c): A = ∂F/∂y is singular but every tangent system is consistent.
struct SinkhornConditions: ImplicitConditions {
    static let a: [Double] = [0.2, 0.5, 0.3]
    static let b: [Double] = [0.1, 0.4, 0.3, 0.2]
    static let epsilon = 0.5

    func callAsFunction<T: DifferentiableScalar>(x c: [T], y: [T]) -> [T] {
        let eps = T(Self.epsilon)
        func logSumExp(_ t: [T]) -> T {
            let m = t.max()!
            return m + T.log(t.reduce(T(0)) { $0 + T.exp($1 - m) })
        }
        var out: [T] = []
        for i in 0..<3 {
            let t = (0..<4).map { j in (y[3 + j] - c[i + 3 * j]) / eps }
            out.append(y[i] - (eps * T(Double.log(Self.a[i])) - eps * logSumExp(t)))
        }
        for j in 0..<4 {
            let t = (0..<3).map { i in (y[i] - c[i + 3 * j]) / eps }
            out.append(y[3 + j] - (eps * T(Double.log(Self.b[j])) - eps * logSumExp(t)))
        }
        return out
    }

    /// Plain Sinkhorn iterations in the log domain (the black box).
    @Sendable static func solve(_ c: [Double]) -> [Double] {
        var f = [Double](repeating: 0, count: 3), g = [Double](repeating: 0, count: 4)
        func lse(_ t: [Double]) -> Double {
            let m = t.max()!
            return m + Double.log(t.reduce(0) { $0 + Double.exp($1 - m) })
        }
        for _ in 0..<2000 {
            for i in 0..<3 {
                let t = (0..<4).map { (j: Int) -> Double in (g[j] - c[i + 3 * j]) / epsilon }
                f[i] = epsilon * Double.log(a[i]) - epsilon * lse(t)
            }
            for j in 0..<4 {
                let t = (0..<3).map { (i: Int) -> Double in (f[i] - c[i + 3 * j]) / epsilon }
                g[j] = epsilon * Double.log(b[j]) - epsilon * lse(t)
            }
        }
        return f + g
    }

    static let cost: [Double] = (0..<12).map { (k: Int) -> Double in
        let a = Double((k * 7) % 5), b = Double(k % 3)
        return 0.3 * a + 0.1 * b
    }
    /// A gauge-invariant cotangent: ⟨(a, b), (1, −1)⟩ = Σa − Σb = 0 (the dual objective).
    static let cotangent: [Double] = a + b
}

@Suite struct SinkhornTests {
    /// Central differences of L(C) = ⟨(a, b), y(C)⟩ through the whole solver.
    func finiteDifferenceGradient() -> [Double] {
        let c = SinkhornConditions.cost, h = 1e-5
        return (0..<12).map { k in
            var cp = c, cm = c
            cp[k] += h; cm[k] -= h
            let lp = BLAS.dot(SinkhornConditions.cotangent, SinkhornConditions.solve(cp))
            let lm = BLAS.dot(SinkhornConditions.cotangent, SinkhornConditions.solve(cm))
            return (lp - lm) / (2 * h)
        }
    }

    @Test(arguments: [(LinearSolver.automatic, Representation.automatic), (.qr, .matrix), (.svd, .matrix),
                      (.lsmr(options: tightKrylov), .operator)])
    func leastSquaresPathsMatchFiniteDifferences(solver: LinearSolver, rep: Representation) throws {
        let f = ImplicitFunction(solver: SinkhornConditions.solve, conditions: SinkhornConditions(),
                                 linearSolver: solver, representation: rep)
        let lin = try f.linearize(at: SinkhornConditions.cost)
        let grad = try lin.vjp(SinkhornConditions.cotangent)
        let fd = finiteDifferenceGradient()
        #expect(Approximate.relativeError(grad, fd) <= 1e-6, "\(solver): \(grad) vs \(fd)")
        // The JVP agrees with the same directional derivative.
        var rng = SeededRandom(seed: 3)
        let dc = rng.vector(12)
        let directional = BLAS.dot(SinkhornConditions.cotangent, try lin.jvp(dc))
        #expect(abs(directional - BLAS.dot(fd, dc)) <= 1e-6 * abs(BLAS.dot(fd, dc)))
        if lin.plan.representation == .matrix {
            #expect(lin.report.rank == 6, "A is 7 × 7 with a one-dimensional null space")
        }
    }

    @Test func automaticFallsBackToSVDAndSaysSo() throws {
        let f = ImplicitFunction(solver: SinkhornConditions.solve, conditions: SinkhornConditions())
        let lin = try f.linearize(at: SinkhornConditions.cost)
        #expect(lin.plan.solver == .svd)
        #expect(lin.report.note?.contains("singular") == true)
    }

    @Test func plainLUThrowsSingular() throws {
        let f = ImplicitFunction(solver: SinkhornConditions.solve, conditions: SinkhornConditions(), linearSolver: .lu)
        #expect {
            _ = try f.linearize(at: SinkhornConditions.cost)
        } throws: { error in
            guard case .singularJacobian = error as? ImplicitDifferentiationError else { return false }
            return true
        }
    }
}

/// √ conditions stacked twice: 2m equations for m unknowns.
struct RedundantSquareRoot: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let f = zip(x, y).map { x, y in y * y - x }
        return f + f.map { $0 * T(2) }
    }
}

@Suite struct OverdeterminedTests {
    @Test(arguments: [(LinearSolver.automatic, Representation.automatic), (.qr, .matrix), (.svd, .matrix),
                      (.lsmr(options: tightKrylov), .matrix), (.lsmr(options: tightKrylov), .operator)])
    func leastSquaresEqualsTheSquareProblem(solver: LinearSolver, rep: Representation) throws {
        let x: [Double] = [4, 9, 2]
        let square = try ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation()).jacobian(at: x)
        let f = ImplicitFunction(solver: SquareRoot.newton, conditions: RedundantSquareRoot(),
                                 linearSolver: solver, representation: rep)
        let lin = try f.linearize(at: x)
        if solver == .automatic { #expect(lin.plan.solver == .qr) }
        #expect(Approximate.relativeError(try lin.jacobian(), square) <= 1e-10)
        var rng = SeededRandom(seed: 21)
        let ybar = rng.vector(3)
        #expect(Approximate.relativeError(try lin.vjp(ybar), square.transposedTimes(ybar)) <= 1e-10)
    }

    @Test func squareOnlySolversRefuseNonSquareConditions() throws {
        for solver in [LinearSolver.lu, .cholesky, .gmres(), .bicgstab(), .cg()] {
            let f = ImplicitFunction(solver: SquareRoot.newton, conditions: RedundantSquareRoot(), linearSolver: solver)
            #expect {
                _ = try f.jacobian(at: [4, 9])
            } throws: { error in
                guard case .dimensionMismatch = error as? ImplicitDifferentiationError else { return false }
                return true
            }
        }
    }
}
