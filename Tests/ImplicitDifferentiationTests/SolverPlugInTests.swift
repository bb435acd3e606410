import ImplicitDifferentiation
import Testing
import TestSupport

/// `F(x, y) = T y + y³/10 − x` with `T` nonsymmetric tridiagonal (4 on the
/// diagonal, −1 below, −½ above): `A = T + diag(0.3 y²)`, well conditioned, not symmetric.
struct NonsymmetricStencil: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        return (0..<m).map { i in
            let left = i > 0 ? y[i - 1] : T(0), right = i + 1 < m ? y[i + 1] : T(0)
            return T(4) * y[i] - left - T(0.5) * right + y[i] * y[i] * y[i] / T(10) - x[i]
        }
    }

    /// The `x` for which `y` is the solution.
    static func input(for y: [Double]) -> [Double] {
        NonsymmetricStencil()(x: [Double](repeating: 0, count: y.count), y: y)
    }

    static func solution(_ m: Int, shift: Double = 0) -> [Double] {
        (0..<m).map { 0.8 * Double.sin(0.3 * Double($0 + 1)) + shift * Double.cos(Double($0)) }
    }
}

/// `M = L`, the lower bidiagonal part of `A` (diagonal `4 + 0.3 y²`, −1 below);
/// `M⁻¹` by forward substitution, `M⁻ᵀ` by back substitution. Counts both.
final class CountingBidiagonalPreconditioner: Preconditioner, Sendable {
    let diagonal: [Double]
    let applications = Locked(0)
    let transposedApplications = Locked(0)

    init(y: [Double]) { diagonal = y.map { 4 + 0.3 * $0 * $0 } }

    func apply(_ r: [Double], into z: inout [Double]) {
        applications.withLock { $0 += 1 }
        for i in r.indices { z[i] = (r[i] + (i > 0 ? z[i - 1] : 0)) / diagonal[i] }
    }

    func applyTransposed(_ r: [Double], into z: inout [Double]) {
        transposedApplications.withLock { $0 += 1 }
        for i in r.indices.reversed() { z[i] = (r[i] + (i + 1 < r.count ? z[i + 1] : 0)) / diagonal[i] }
    }
}

/// A user's direct solver: LU through the protocol, counting its preparations and solves.
final class CountingLU: LinearSolveMethod, Sendable {
    let preparations = Locked(0)
    let solves = Locked(0)
    let transposedSolves = Locked(0)
    var needsMatrix: Bool { true }
    var description: String { "counting LU" }

    struct Prepared: PreparedLinearSolve {
        let lu: LUFactorization
        let owner: CountingLU
        var rows: Int { lu.rows }
        var columns: Int { lu.columns }
        var isLeastSquares: Bool { false }
        var summary: LinearSolveSummary { LinearSolveSummary(kind: "counting LU", rank: lu.dimension) }
        func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
            owner.solves.withLock { $0 += 1 }
            return try lu.solve(b)
        }
        func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] {
            owner.transposedSolves.withLock { $0 += 1 }
            return try lu.solveTransposed(c)
        }
    }

    func prepare(_ system: LinearSystem) throws(LinearAlgebraError) -> any PreparedLinearSolve {
        preparations.withLock { $0 += 1 }
        guard let a = system.matrix else { throw .invalidArgument("counting LU needs the matrix") }
        return Prepared(lu: try LUFactorization(a), owner: self)
    }
}

/// A user's operator-only solver: BiCGStab set up by hand on the operator it is given.
struct HandMadeBiCGStab: LinearSolveMethod {
    var description: String { "hand-made BiCGStab" }
    func prepare(_ system: LinearSystem) throws(LinearAlgebraError) -> any PreparedLinearSolve {
        let options = try! KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)
        return KrylovLinearSolve(system.linearOperator, method: BiCGStab(options: options))
    }
}

@Suite("Solvers, preconditioners and initial guesses plugged into an implicit function")
struct SolverPlugInTests {
    static let m = 60
    static let y = NonsymmetricStencil.solution(m)
    static let x = NonsymmetricStencil.input(for: y)
    static let tight = ImplicitFunctionOptions(krylovOptions: try! KrylovOptions(absoluteTolerance: 0,
                                                                                  relativeTolerance: 1e-12))

    static func function(_ solver: LinearSolver, _ representation: Representation = .automatic)
        -> ImplicitFunction<Void, Void>
    {
        ImplicitFunction(solver: { _ in y }, conditions: NonsymmetricStencil(), linearSolver: solver,
                         representation: representation, options: tight)
    }

    static let reference = function(.svd)

    @Test("a custom direct solver is prepared once and serves the JVP, the VJP and the Jacobian")
    func customDirectSolver() throws {
        let method = CountingLU()
        let root = Self.function(.custom(method))
        let lin = try root.linearize(at: Self.x)
        #expect(lin.plan.solver == .custom(method) && lin.plan.representation == .matrix)
        var rng = SeededRandom(seed: 13)
        let dx = rng.vector(Self.m), ybar = rng.vector(Self.m)
        let ref = try Self.reference.linearize(at: Self.x)
        #expect(Approximate.relativeError(try lin.jvp(dx), try ref.jvp(dx)) <= 1e-12)
        #expect(Approximate.relativeError(try lin.vjp(ybar), try ref.vjp(ybar)) <= 1e-12)
        #expect(Approximate.relativeError(try lin.jacobian(), try ref.jacobian()) <= 1e-12)
        #expect(method.preparations.withLock { $0 } == 1)
        #expect(method.solves.withLock { $0 } == 1 + Self.m)   // the JVP, then the Jacobian's m columns (n = m)
        #expect(method.transposedSolves.withLock { $0 } == 1)
        #expect(lin.solverSummary.kind == "counting LU")
    }

    @Test("a custom operator-only solver gets A as an operator under representation .operator")
    func customOperatorSolver() throws {
        let root = Self.function(.custom(HandMadeBiCGStab()), .operator)
        let lin = try root.linearize(at: Self.x)
        #expect(lin.plan.representation == .operator)
        var rng = SeededRandom(seed: 14)
        let ybar = rng.vector(Self.m)
        #expect(Approximate.relativeError(try lin.vjp(ybar), try Self.reference.vjp(at: Self.x, cotangent: ybar)) <= 1e-9)
        #expect(lin.report.krylovIterations > 0)
        #expect(lin.solverSummary.lastStatistics?.method == "BiCGStab")
    }

    @Test("the preconditioner reaches GMRES as M⁻¹ in tangent solves and as M⁻ᵀ in adjoint solves",
          arguments: [Representation.operator, .matrix])
    func preconditionerTransposedInAdjointSolves(_ representation: Representation) throws {
        let pre = CountingBidiagonalPreconditioner(y: Self.y)
        let sawMatrix = Locked<Bool?>(nil)
        var root = Self.function(.gmres(), representation)
        root.preconditioner = PreconditionerFactory { system in
            sawMatrix.withLock { $0 = system.matrix != nil }
            return pre
        }
        var rng = SeededRandom(seed: 15)
        let dx = rng.vector(Self.m), ybar = rng.vector(Self.m)

        let adjoint = try root.linearize(at: Self.x)
        // The Krylov singularity probe (issue 16) is one preconditioned tangent solve at preparation.
        let appliedByProbe = pre.applications.withLock { $0 }
        #expect(appliedByProbe > 0 && pre.transposedApplications.withLock { $0 } == 0)
        let xbar = try adjoint.vjp(ybar)
        #expect(sawMatrix.withLock { $0 } == (representation == .matrix))
        #expect(pre.transposedApplications.withLock { $0 } > 0)
        #expect(pre.applications.withLock { $0 } == appliedByProbe)   // the adjoint solve applied M⁻ᵀ only
        #expect(Approximate.relativeError(xbar, try Self.reference.vjp(at: Self.x, cotangent: ybar)) <= 1e-9)

        let transposedBefore = pre.transposedApplications.withLock { $0 }
        let ydot = try root.linearize(at: Self.x).jvp(dx)
        #expect(pre.applications.withLock { $0 } > 0)
        #expect(pre.transposedApplications.withLock { $0 } == transposedBefore)
        #expect(Approximate.relativeError(ydot, try Self.reference.jvp(at: Self.x, tangent: dx)) <= 1e-9)

        // And it helps: fewer iterations than the same adjoint solve without it.
        let plain = try Self.function(.gmres(), representation).linearize(at: Self.x)
        _ = try plain.vjp(ybar)
        #expect(adjoint.report.krylovIterations < plain.report.krylovIterations)
    }

    @Test("a warm start from the previous call's adjoint solution takes fewer iterations to the same answer")
    func warmStartFewerIterations() throws {
        var warm = Self.function(.gmres(), .operator)
        warm.initialGuess = .warmStart()
        let cold = Self.function(.gmres(), .operator)
        var rng = SeededRandom(seed: 16)
        let ybar = rng.vector(Self.m)
        // First call at y, then at a nearby solution y₂ (what an outer optimizer does).
        _ = try warm.linearize(at: Self.x, solution: Self.y).vjp(ybar)
        let y2 = NonsymmetricStencil.solution(Self.m, shift: 1e-3), x2 = NonsymmetricStencil.input(for: y2)
        let warmLin = try warm.linearize(at: x2, solution: y2)
        let coldLin = try cold.linearize(at: x2, solution: y2)
        let warmAnswer = try warmLin.vjp(ybar), coldAnswer = try coldLin.vjp(ybar)
        #expect(warmLin.report.krylovIterations < coldLin.report.krylovIterations)
        #expect(Approximate.relativeError(warmAnswer, coldAnswer) <= 1e-10)
        // Copies share the store: a copy of `warm` starts from the last solution too.
        let copy = warm
        let again = try copy.linearize(at: x2, solution: y2)
        _ = try again.vjp(ybar)
        #expect(again.report.krylovIterations < coldLin.report.krylovIterations)
    }
}

/// `F(x, y) = (y₀ + y₁ − x₀, 2y₀ + 2y₁ − 2x₀, y₂ − x₁)`: `A` singular (rank 2 of 3) but consistent.
struct ScalingInvariance: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        [y[0] + y[1] - x[0], T(2) * y[0] + T(2) * y[1] - T(2) * x[0], y[2] * y[2] - x[1]]
    }
}

@Suite("plan(for:) tells what linearize then uses")
struct PlanTruthTests {
    @Test("banded A: the plan says bandLU before, and the linearization uses it")
    func bandPlan() throws {
        let m = 48
        let y = NonsymmetricStencil.solution(m), x = NonsymmetricStencil.input(for: y)
        let calls = Locked(0)
        let root = ImplicitFunction(solver: { _ in calls.withLock { $0 += 1 }; return y },
                                    conditions: NonsymmetricStencil())
        let known = try root.plan(for: x, solution: y)
        #expect(calls.withLock { $0 } == 0)   // a known solution: no forward solve
        let solved = try root.plan(for: x)
        #expect(calls.withLock { $0 } == 1)
        let lin = try root.linearize(at: x)
        // The first plan detects the structure on a recording; later ones reuse it tape-free (priced
        // and noted as such), so they equal each other and pick what the first picked.
        #expect(solved == lin.plan && lin.report.plan == lin.plan)
        #expect(known.representation == lin.plan.representation && known.solver == lin.plan.solver)
        #expect(lin.plan.note?.contains("tape-free") == true && known.note?.contains("tape-free") == false)
        // The cost model sees the band in the tape's pattern and builds it by compressed sweeps.
        #expect(lin.plan.solver == .bandLU && lin.plan.representation == .sparse)
        #expect(lin.plan.reason.contains("band LU (lower 1, upper 1)"))
        #expect(lin.plan.reason.hasPrefix("cost model for"))
        #expect(lin.solverSummary.kind == "band LU (lower 1, upper 1)")
        // Below the order where the band pays, the same conditions get the dense LU.
        let small = Array(y.prefix(20)), smallX = NonsymmetricStencil.input(for: small)
        #expect(try root.plan(for: smallX, solution: small).solver == .lu)
    }

    @Test("singular A: the plan says the LU → SVD fallback before, and the linearization uses it")
    func svdFallbackPlan() throws {
        let x = [1.0, 4.0], y = [0.25, 0.75, 2.0]
        let root = ImplicitFunction(solver: { _ in y }, conditions: ScalingInvariance())
        let plan = try root.plan(for: x, solution: y)
        let lin = try root.linearize(at: x)
        #expect(plan == lin.plan && lin.report.plan == plan)
        #expect(plan.solver == .svd)
        #expect(plan.note?.contains("used svd") == true)
        #expect(plan.reason.contains("LU found ∂F/∂y"))
        #expect(lin.report.rank == 2)
        // The minimum-norm derivative: ẏ₀ = ẏ₁ = ẋ₀/2, ẏ₂ = ẋ₁/(2y₂).
        let ydot = try lin.jvp([1, 1])
        #expect(Approximate.relativeError(ydot, [0.5, 0.5, 0.25]) <= 1e-12)
        // An explicit .lu does not fall back: it throws, as the plan does.
        let strict = ImplicitFunction(solver: { _ in y }, conditions: ScalingInvariance(), linearSolver: .lu)
        #expect(throws: ImplicitDifferentiationError.self) { try strict.plan(for: x, solution: y) }
    }

    @Test("false SPD declaration: the plan says the structure fallback (LU, GMRES) before, and the linearization uses it",
          arguments: [Representation.matrix, .operator])
    func structureFallbackPlan(representation: Representation) throws {
        // Issue 16, class 2 in the preparation: A = [2 1; 0 2] declared SPD is not symmetric.
        let x = [1.0, 1.0], y = NonSymmetricLinear.solve(x)
        var root = ImplicitFunction(solver: { _ in y }, conditions: NonSymmetricLinear(),
                                    representation: representation, structure: [.symmetric, .positiveDefinite])
        root.options.krylovOptions = tightKrylov
        let plan = try root.plan(for: x, solution: y)
        let lin = try root.linearize(at: x)
        #expect(plan == lin.plan && lin.report.plan == plan)
        #expect(plan.solver == (representation == .matrix ? .lu : .gmres(options: tightKrylov)))
        #expect(plan.note?.contains("declared symmetric positive definite but it is not symmetric") == true)
        #expect(Approximate.relativeError(try lin.jacobian(), NonSymmetricLinear.jacobian) <= 1e-10)
    }

    @Test("singular A on GMRES: the plan says the Krylov probe's LSMR fallback before, and the linearization uses it")
    func krylovSingularFallbackPlan() throws {
        // Issue 16, class 3 in the preparation: A = [1 1; 1 1] (rank 1, consistent), on an operator.
        let x = [2.0], y = [1.0, 1.0]
        var root = ImplicitFunction(solver: { _ in y }, conditions: SymmetricGauge(), representation: .operator)
        root.options.krylovOptions = tightKrylov
        let plan = try root.plan(for: x, solution: y)
        let lin = try root.linearize(at: x)
        #expect(plan == lin.plan && lin.report.plan == plan)
        #expect(plan.solver == .lsmr(options: tightKrylov))
        #expect(plan.note?.contains("found ∂F/∂y singular (probe defect") == true)
        // The minimum-norm derivative, as the matrix path's SVD gives: J = (½, ½)ᵀ.
        #expect(Approximate.relativeError(try lin.jvp([1]), [0.5, 0.5]) <= 1e-8)
        // Without the probe the plan stays GMRES (what then runs), so plan and linearization still agree.
        root.options.probesKrylovSingularity = false
        #expect(try root.plan(for: x, solution: y) == root.linearize(at: x).plan)
        #expect(try root.plan(for: x, solution: y).solver == .gmres(options: tightKrylov))
    }

    @Test("linearize at a known solution checks the residual and matches the solved linearization")
    func knownSolution() throws {
        let m = 10
        let y = NonsymmetricStencil.solution(m), x = NonsymmetricStencil.input(for: y)
        let root = ImplicitFunction(solver: { _ in y }, conditions: NonsymmetricStencil())
        let dx = [Double](repeating: 1, count: m)
        #expect(try root.linearize(at: x, solution: y).jvp(dx) == root.linearize(at: x).jvp(dx))
        var wrong = y
        wrong[3] += 1e-3
        do {
            _ = try root.linearize(at: x, solution: wrong)
            Issue.record("a wrong solution was accepted")
        } catch {
            guard case .residualTooLarge = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(throws: ImplicitDifferentiationError.nonFiniteSolution(index: 0)) {
            try root.linearize(at: x, solution: [.nan] + y.dropFirst())
        }
    }
}

/// A user's ordinary `rethrows` helper, written without typed throws.
func mapEach<T>(_ inputs: [[Double]], _ body: ([Double]) throws -> T) rethrows -> [T] {
    try inputs.map(body)
}

/// A user's function in a `throws(any Error)` context.
func gradientSum(_ root: ImplicitFunction<Void, Void>, at x: [Double]) throws(any Error) -> Double {
    try root.vjp(at: x, cotangent: [Double](repeating: 1, count: x.count)).reduce(0, +)
}

@Suite("The typed-throws API composes with ordinary Swift error handling")
struct ErrorCompositionTests {
    static let root = ImplicitFunction(solver: { x in x.map { $0.squareRoot() } }, conditions: SquareRootConditions())

    @Test("through a rethrows helper and a throws(any Error) function, errors arrive as ImplicitDifferentiationError")
    func rethrowsAndAnyError() throws {
        let jvps = try mapEach([[4.0, 9.0], [16.0, 25.0]]) { x in try Self.root.jvp(at: x, tangent: [1, 1]) }
        #expect(Approximate.relativeError(jvps[1], [0.125, 0.1]) <= 1e-12)
        #expect(Approximate.relativeError(try gradientSum(Self.root, at: [4, 9]), 0.25 + 1.0 / 6) <= 1e-12)
        do {
            _ = try mapEach([[4.0, .nan]]) { x in try Self.root.jvp(at: x, tangent: [1, 1]) }
            Issue.record("NaN input accepted")
        } catch let error as ImplicitDifferentiationError {
            #expect(error == .nonFiniteInput("x[1] = nan"))
        }
        do {
            _ = try gradientSum(Self.root, at: [-1, 4])
            Issue.record("negative input accepted")
        } catch let error as ImplicitDifferentiationError {
            guard case .nonFiniteSolution = error else { Issue.record("unexpected \(error)"); return }
        }
    }
}

/// `F(x, y) = y∘y − x`.
struct SquareRootConditions: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { zip(x, y).map { $1 * $1 - $0 } }
}

@Suite("Krylov failure messages")
struct KrylovMessageTests {
    static let m = 60
    static let y = NonsymmetricStencil.solution(m)
    static let x = NonsymmetricStencil.input(for: y)

    static func failure(_ solver: LinearSolver) throws -> (ImplicitDifferentiationError, KrylovStatistics) {
        var root = ImplicitFunction(solver: { _ in y }, conditions: NonsymmetricStencil(), linearSolver: solver,
                                    representation: .operator)
        // The adjoint solve's own failure is the subject: without this, the Krylov singularity
        // probe (a tangent solve at preparation, issue 16) fails first under these caps.
        root.options.probesKrylovSingularity = false
        do {
            _ = try root.vjp(at: x, cotangent: [Double](repeating: 1, count: m))
        } catch {
            if case .krylovNotConverged(let stats, .adjoint) = error { return (error, stats) }
            throw error
        }
        throw ImplicitDifferentiationError.invalidOption("converged unexpectedly")
    }

    @Test("state ‖r‖/‖b‖ and advise only what the method has")
    func relativeResidualAndAdvice() throws {
        let capped = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-14, maxIterations: 2)
        let (gmres, gstats) = try Self.failure(.gmres(restart: 30, options: capped))
        let (bicg, bstats) = try Self.failure(.bicgstab(options: capped))
        let text = "\(gmres)", other = "\(bicg)"
        let relative = try #require(gstats.relativeResidualNorm)
        #expect(relative > 1e-14 && relative < 1)
        #expect(abs(relative - gstats.residualNorm / Double(Self.m).squareRoot()) <= 1e-12 * relative)
        #expect(text.contains("‖r‖/‖b‖") && text.contains("restart") && text.contains("ImplicitFunction.preconditioner"))
        #expect(bstats.relativeResidualNorm != nil)
        #expect(other.contains("‖r‖/‖b‖") && !other.contains("restart") && other.contains("preconditioner"))
    }
}

@Suite("AutomaticLinearSolver on a system you hold")
struct AutomaticLinearSolverTests {
    @Test("it selects by shape and structure, then decides band LU and the SVD fallback when it prepares")
    func selectThenDecide() throws {
        let auto = AutomaticLinearSolver()
        let banded = TestMatrices.convectionDiffusion(64)
        #expect(auto.select(LinearSystem(matrix: banded)).solver == .lu)
        let (plan, solver) = try auto.decide(LinearSystem(matrix: banded))
        #expect(plan.solver == .bandLU && solver.summary.kind == "band LU (lower 1, upper 1)")
        var singular = Matrix.identity(3)
        singular[2, 2] = 0
        let (fallback, pinv) = try auto.decide(LinearSystem(matrix: singular))
        #expect(fallback.solver == .svd && fallback.note?.contains("used svd") == true && pinv.isLeastSquares)
        let spd = TestMatrices.poisson1D(50)
        #expect(try auto.decide(LinearSystem(matrix: spd, structure: [.symmetric, .positiveDefinite])).plan.solver
                == .cholesky)
        // An operator alone gets a Krylov method; through the protocol it solves.
        let op = LinearSystem(MatrixOperator(spd, structure: [.symmetric, .positiveDefinite]))
        #expect(auto.select(op).solver == .cg(options: .default))
        let b = [Double](repeating: 1, count: 50)
        let x = try auto.prepare(op).solve(b)
        #expect(Approximate.relativeError(spd * x, b) <= 1e-6)
    }

    @Test("its preparation checks what the pick assumes (issue 16): false SPD declaration, singular operator, NaN setting")
    func decideChecksAssumptions() throws {
        let auto = AutomaticLinearSolver()
        let nonsymmetric = TestMatrices.convectionDiffusion(20)
        let (lu, _) = try auto.decide(LinearSystem(matrix: nonsymmetric, structure: [.symmetric, .positiveDefinite]))
        #expect(lu.solver == .lu && lu.note?.contains("not symmetric") == true)
        let onOperator = LinearSystem(MatrixOperator(nonsymmetric, structure: [.symmetric, .positiveDefinite]))
        #expect(try auto.decide(onOperator).plan.solver == .gmres(options: .default))
        // diag(1, 1, 0) as an operator: GMRES would return some solution; the probe sends it to LSMR.
        var singular = Matrix.identity(3)
        singular[2, 2] = 0
        let (ls, solver) = try auto.decide(LinearSystem(MatrixOperator(singular)))
        #expect(ls.solver == .lsmr(options: .default) && solver.isLeastSquares)
        #expect(ls.note?.contains("probe defect") == true)
        var nan = AutomaticLinearSolver()
        nan.minimumReciprocalCondition = .nan
        #expect(throws: ImplicitDifferentiationError.self) { try nan.decide(LinearSystem(matrix: nonsymmetric)) }
    }
}
