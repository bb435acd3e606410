import Testing
import ImplicitDifferentiation
import TestSupport

/// Krylov options tight enough for 1e-10 derivative accuracy.
let tightKrylov = try! KrylovOptions(absoluteTolerance: 1e-14, relativeTolerance: 1e-14, maxIterations: 200)

/// Every solver × representation pair that applies to the reference scenario's
/// square, non-symmetric, indefinite A. (Not Cholesky and CG: A is not SPD.
/// Not BiCGStab: A is anti-diagonal, so r̂₀ᵀA r₀ = 0 and BiCGStab breaks down at
/// once — checked below to be reported, and BiCGStab is tested on another problem.)
let squareNonsymmetricPairs: [(LinearSolver, Representation)] = [
    (.automatic, .automatic), (.lu, .matrix), (.lu, .automatic), (.qr, .matrix), (.svd, .matrix),
    (.gmres(options: tightKrylov), .matrix), (.gmres(options: tightKrylov), .operator),
    (.lsmr(options: tightKrylov), .matrix), (.lsmr(options: tightKrylov), .operator),
    (.automatic, .operator), (.automatic, .matrix),
]

@Suite struct ReferenceScenarioTests {
    func function(_ solver: LinearSolver, _ rep: Representation)
        -> ImplicitFunction<Double, ReferenceConditions.Byproduct>
    {
        ImplicitFunction(solver: { x, a in Reference.solve(x, a) }, conditions: ReferenceConditions(),
                         linearSolver: solver, representation: rep)
    }

    @Test(arguments: [1.0, 3.0])
    func jacobianJVPAndVJPMatchClosedFormForEverySolver(a: Double) throws {
        let x = Reference.x
        let exact = Reference.jacobian(x, a: a)
        var rng = SeededRandom(seed: 11)
        let dx = rng.vector(3), ybar = rng.vector(6)
        for (solver, rep) in squareNonsymmetricPairs {
            let f = function(solver, rep)
            let lin = try f.linearize(at: x, arguments: a)
            let j = try lin.jacobian()
            #expect(Approximate.relativeError(j, exact) <= 1e-10, "\(solver) × \(rep): Jacobian")
            let dy = try lin.jvp(dx)
            #expect(Approximate.relativeError(dy, exact * dx) <= 1e-10, "\(solver) × \(rep): JVP")
            let xbar = try lin.vjp(ybar)
            #expect(Approximate.relativeError(xbar, exact.transposedTimes(ybar)) <= 1e-10, "\(solver) × \(rep): VJP")
            // One-shot entry points agree with the linearization.
            let dy2 = try f.jvp(at: x, arguments: a, tangent: dx)
            #expect(Approximate.relativeError(dy2, dy) <= 1e-12)
        }
    }

    @Test func bicgstabBreakdownIsReportedNotHidden() throws {
        let f = function(.bicgstab(options: tightKrylov), .operator)
        let error = implicitError { _ = try f.jvp(at: Reference.x, arguments: 1, tangent: [1, 0, 0]) }
        guard case .krylovNotConverged(let stats, .tangent)? = error else {
            Issue.record("expected krylovNotConverged, got \(String(describing: error))"); return
        }
        #expect(stats.status == .breakdown)
    }

    @Test(arguments: [Representation.matrix, .operator])
    func bicgstabOnANonsymmetricSystemMatchesLU(rep: Representation) throws {
        let x = (0..<40).map { 1 + Double($0 % 7) / 7 }
        let lu = try ImplicitFunction(solver: ReactionDiffusion.solve, conditions: ReactionDiffusion(),
                                      linearSolver: .lu).jacobian(at: x)
        let f = ImplicitFunction(solver: ReactionDiffusion.solve, conditions: ReactionDiffusion(),
                                 linearSolver: .bicgstab(options: tightKrylov), representation: rep)
        #expect(Approximate.relativeError(try f.jacobian(at: x), lu) <= 1e-10)
    }

    @Test func planIsInspectableAndExplained() throws {
        let f = function(.automatic, .automatic)
        let plan = try f.plan(for: Reference.x, arguments: 1)
        #expect(plan.representation == .matrix)
        #expect(plan.solver == .lu)
        #expect(plan.reason.contains("m = 6 ≤ threshold 250"))
        var big = f
        big.options.matrixThreshold = 3
        let lazy = try big.plan(for: Reference.x, arguments: 1)
        #expect(lazy.representation == .operator)
        #expect(lazy.solver == .gmres(options: .automaticPlan))   // the automatic plan's tight tolerances
    }

    @Test func adjointnessOnBothPaths() throws {
        var rng = SeededRandom(seed: 5)
        for rep in [Representation.matrix, .operator] {
            let f = function(rep == .matrix ? .lu : .gmres(options: tightKrylov), rep)
            let lin = try f.linearize(at: Reference.x, arguments: 1)
            for _ in 0..<10 {
                let dx = rng.vector(3), ybar = rng.vector(6)
                let lhs = BLAS.dot(ybar, try lin.jvp(dx))
                let rhs = BLAS.dot(try lin.vjp(ybar), dx)
                #expect(abs(lhs - rhs) <= 1e-12 * max(abs(lhs), 1e-300), "\(rep): ⟨ȳ, Jẋ⟩ = \(lhs), ⟨Jᵀȳ, ẋ⟩ = \(rhs)")
            }
        }
    }

    @Test func linearizeFactorsOnceForManyVJPs() throws {
        let lin = try function(.lu, .matrix).linearize(at: Reference.x, arguments: 1)
        var rng = SeededRandom(seed: 9)
        for _ in 0..<100 { _ = try lin.vjp(rng.vector(6)) }
        let report = lin.report
        #expect(report.factorizations == 1)
        #expect(report.adjointSolves == 100)
        #expect(report.tangentSolves == 0)
        #expect(report.krylovIterations == 0)
    }

    @Test func zeroDirectionsGiveExactZerosWithoutSolving() throws {
        let lin = try function(.gmres(options: tightKrylov), .operator).linearize(at: Reference.x, arguments: 1)
        #expect(try lin.jvp([0, 0, 0]) == [0, 0, 0, 0, 0, 0])
        #expect(try lin.vjp([0, 0, 0, 0, 0, 0]) == [0, 0, 0])
        #expect(lin.report.operatorApplications == 0)
    }

    @Test func krylovReportCountsIterations() throws {
        let lin = try function(.gmres(options: tightKrylov), .operator).linearize(at: Reference.x, arguments: 1)
        _ = try lin.jvp([1, 2, 3])
        let report = lin.report
        #expect(report.factorizations == 0)
        #expect(report.tangentSolves == 1)
        #expect(report.krylovIterations > 0 && report.krylovIterations <= 6)
        #expect(report.lastKrylovStatistics?.status == .converged)
    }
}

@Suite struct SquareRootTests {
    let x: [Double] = [4, 9]
    let exact = Matrix.diagonal([0.25, 1.0 / 6.0])

    @Test func threeFormulationsGiveTheClosedForm() throws {
        let byMinimization = ImplicitFunction(solver: SquareRoot.minimize, conditions: SquareRootGradient())
        let byNewton = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation())
        let byHeron = ImplicitFunction(solver: { SquareRoot.heron($0, iterations: 30) }, conditions: HeronConditions())
        for (name, j) in [("argmin", try byMinimization.jacobian(at: x)), ("newton", try byNewton.jacobian(at: x)),
                          ("heron", try byHeron.jacobian(at: x))] {
            #expect(Approximate.relativeError(j, exact) <= 1e-12, "\(name): \(j)")
        }
    }

    @Test func lengthOneAndScalarInputs() throws {
        let root = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation())
        let j = try root.jacobian(at: [4])
        #expect(j.rows == 1 && j.columns == 1)
        #expect(abs(j[0, 0] - 0.25) <= 1e-12 * 0.25)
        let d = try root.derivative(at: 9)
        #expect(abs(d[0] - 1.0 / 6.0) <= 1e-12 / 6)
        let g = try root.gradient(at: [16])
        #expect(abs(g[0] - 0.125) <= 1e-12 * 0.125)
        #expect(try root(25.0) == [5])
    }

    @Test func declaredSPDPicksCholeskyAndCG() throws {
        // A = diag(2y) is SPD at y = √x > 0.
        let chol = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation(),
                                    structure: [.symmetric, .positiveDefinite])
        #expect(try chol.plan(for: x).solver == .cholesky)
        #expect(Approximate.relativeError(try chol.jacobian(at: x), exact) <= 1e-12)
        let cg = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation(),
                                  representation: .operator, structure: [.symmetric, .positiveDefinite])
        #expect(try cg.plan(for: x).solver == .cg(options: .automaticPlan))
        var tight = cg
        tight.linearSolver = .cg(options: tightKrylov)
        #expect(Approximate.relativeError(try tight.jacobian(at: x), exact) <= 1e-12)
    }
}

@Suite struct BoxConstrainedTests {
    @Test func activeBoundHasZeroDerivative() throws {
        let f = ImplicitFunction(solver: BoxConstrained.solve,
                                 conditions: ProjectedGradientConditions(step: BoxConstrained.step))
        let j = try f.jacobian(at: [0.3, 1.4])
        let exact = Matrix.diagonal([0.5 / 0.3.squareRoot(), 0])
        #expect(Approximate.relativeError(j, exact) <= 1e-10, "\(j)")
        #expect(j[1, 1] == 0)
    }
}
