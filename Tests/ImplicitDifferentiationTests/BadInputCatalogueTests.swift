import Testing
import ImplicitDifferentiation
import TestSupport

// The bad-input catalogue of the implicit layer: every case asserts the exact
// typed error, or the documented least-squares answer. FailureTests.swift has
// the first cases (NaN in x for the Jacobian, NaN tangents, short F, the
// residual check, LU's zero pivot, a capped GMRES, a throwing solver, a
// refused representation); this file completes the table. Layers built later
// (composition, examples) add their rows in their own test targets' files of
// the same name.

// MARK: - Conditions for the catalogue

/// `F(x, y) = y − x` (A = I, B = −I): the simplest well-posed conditions.
struct IdentityConditions: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { zip(x, y).map { $1 - $0 } }
}

/// `F(x, y) = √y − x`, solved by `y = x²`: `∂F/∂y = 1/(2√y)` is infinite at `y = 0`.
struct RootOfY: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { zip(x, y).map { T.sqrt($1) - $0 } }
}

/// `F(x, y) = y − √x`: `∂F/∂x = −1/(2√x)` is infinite at `x = 0`.
struct RootOfX: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { zip(x, y).map { $1 - T.sqrt($0) } }
}

/// Singular but consistent: `F = [y₀ + y₁ − x₀; 2(y₀ + y₁) − 2x₀]`. A = [1 1; 2 2], B = −[1; 2] ∈ range(A);
/// the minimum-norm derivative is `∂y/∂x₀ = A⁺(−B) = (½, ½)`.
struct GaugeConditions: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        [y[0] + y[1] - x[0], T(2) * (y[0] + y[1]) - T(2) * x[0]]
    }
}

/// Singular and inconsistent: `F = [y₀ + y₁ − x₀; y₀ + y₁ − x₀²]`, solved at `x₀ = 1` by
/// `y = (½, ½)`. A = [1 1; 1 1], B = −[1; 2x₀]: A ẏ = −B ẋ has no solution.
struct InconsistentSquare: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        [y[0] + y[1] - x[0], y[0] + y[1] - x[0] * x[0]]
    }
}

/// Over-determined and inconsistent: `F = [y − x; y − x²]` (k = 2, m = 1), exact at `x = 1`.
struct InconsistentTall: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { [y[0] - x[0], y[0] - x[0] * x[0]] }
}

/// The cyclic shift: `F_i = y_{(i+1) mod m} − x₀`, solved by `y = x₀·1`. The tangent system
/// `P ẏ = 1·ẋ₀` is solved by GMRES in one step (1 is an eigenvector of P); the adjoint
/// system `Pᵀ w = e₀` makes restarted GMRES(2) stagnate.
struct CyclicShift: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        return (0..<m).map { y[($0 + 1) % m] - x[0] }
    }
}

/// `F(x, y) = c − y` with no `x` at all (n = 0), solved by `y = c`.
struct ConstantConditions: ImplicitConditions {
    let c: [Double]
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { zip(c, y).map { T($0) - $1 } }
}

/// `F(x, y) = (y − x)·1e200`: a large, finite residual whose norm must not overflow.
struct HugeResidual: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { zip(x, y).map { ($1 - $0) * T(1e200) } }
}

/// What every derivative throws when `∂F` is not finite at the point.
let nonFiniteDerivatives = ImplicitDifferentiationError.nonFiniteInput(
    "the conditions' derivatives at this point (∂F/∂x, or ∂F/∂y through 0·∞)")

/// The error thrown by `body`, with a readable failure when something else happens.
func expectError(_ expected: ImplicitDifferentiationError, sourceLocation: SourceLocation = #_sourceLocation,
                 _ body: () throws -> Void) {
    let e = implicitError(body)
    #expect(e == expected, sourceLocation: sourceLocation)
    if let e { #expect(!e.description.isEmpty, sourceLocation: sourceLocation) }
}

/// The entry points of `ImplicitFunction` that take `x`, each run once.
enum EntryPoint: String, CaseIterable, Sendable {
    case callAsFunction, solve, plan, linearize, jvp, vjp, jacobian, derivative, gradient

    func run(_ f: ImplicitFunction<Void, Void>, _ x: [Double]) throws {
        switch self {
        case .callAsFunction: _ = try f(x)
        case .solve: _ = try f.solve(x)
        case .plan: _ = try f.plan(for: x)
        case .linearize: _ = try f.linearize(at: x)
        case .jvp: _ = try f.jvp(at: x, tangent: x.map { _ in 1 })
        case .vjp: _ = try f.vjp(at: x, cotangent: x.map { _ in 1 })
        case .jacobian: _ = try f.jacobian(at: x)
        case .derivative: _ = try f.derivative(at: x[0])
        case .gradient: _ = try f.gradient(at: x)
        }
    }
}

// MARK: - Catalogue

@Suite("Bad-input catalogue: implicit layer")
struct ImplicitBadInputCatalogueTests {
    static let identity = ImplicitFunction(solver: { $0 }, conditions: IdentityConditions())
    static let bothPaths: [(LinearSolver, Representation)] = [(.automatic, .matrix), (.gmres(options: tightKrylov), .operator)]

    // Non-finite values.

    @Test("NaN, +∞ or −∞ in x is refused by every entry point", arguments: EntryPoint.allCases)
    func nonFiniteX(entry: EntryPoint) {
        for bad in [Double.nan, .infinity, -.infinity] {
            let x = entry == .derivative || entry == .gradient ? [bad] : [1, bad]
            let index = x.count - 1
            expectError(.nonFiniteInput("x[\(index)] = \(bad)")) { try entry.run(Self.identity, x) }
        }
    }

    @Test("a non-finite solver output is refused by every entry point", arguments: EntryPoint.allCases)
    func nonFiniteSolution(entry: EntryPoint) {
        let f = ImplicitFunction(solver: { x in x.map { $0 == 2 ? .nan : $0 } }, conditions: IdentityConditions())
        let x: [Double] = entry == .derivative || entry == .gradient ? [2] : [1, 2]
        expectError(.nonFiniteSolution(index: x.count - 1)) { try entry.run(f, x) }
    }

    @Test("non-finite tangents and cotangents on both paths name the entry")
    func nonFiniteDirections() throws {
        for (solver, rep) in Self.bothPaths {
            let lin = try ImplicitFunction(solver: { $0 }, conditions: IdentityConditions(), linearSolver: solver,
                                           representation: rep).linearize(at: [1, 2, 3])
            expectError(.nonFiniteInput("tangent ẋ[2] = -inf")) { _ = try lin.jvp([0, 0, -.infinity]) }
            expectError(.nonFiniteInput("cotangent ȳ[1] = nan")) { _ = try lin.vjp([0, .nan, 0]) }
            #expect(lin.report.tangentSolves == 0 && lin.report.adjointSolves == 0)
        }
    }

    @Test("conditions that are NaN at the solution fail the residual check")
    func nanConditions() {
        // F = [0, NaN]: the NaN must not be dropped from ‖F‖.
        let f = ImplicitFunction(solver: { $0 }, conditions: FiniteDifferenceConditions { x, y in [0, Double.nan] })
        let e = implicitError { _ = try f.linearize(at: [1, 1]) }
        guard case .residualTooLarge(let r, let tol)? = e else {
            Issue.record("expected residualTooLarge, got \(String(describing: e))"); return
        }
        // A NaN residual fails whatever the bound (0 here: the scale of F's terms is not measured).
        #expect(r.isNaN && tol == 0)
    }

    @Test("an infinite ∂F/∂y is refused on the matrix path and reported by the Krylov solve on the operator path")
    func infiniteJacobianInY() {
        let dense = ImplicitFunction(solver: { x in x.map { $0 * $0 } }, conditions: RootOfY(), linearSolver: .lu)
        expectError(.nonFiniteInput("∂F/∂y[0, 0] = inf")) { _ = try dense.linearize(at: [0]) }
        let lazy = ImplicitFunction(solver: { x in x.map { $0 * $0 } }, conditions: RootOfY(),
                                    linearSolver: .gmres(options: tightKrylov), representation: .operator)
        // The tape's forward sweep for B ẋ meets 0·∞ at the infinite ∂F/∂y entry.
        expectError(nonFiniteDerivatives) { _ = try lazy.jvp(at: [0], tangent: [1]) }
        // Hand-written products keep A and B apart: then the Krylov solve reports the infinity.
        let split = ImplicitFunction(
            solver: { x in x.map { $0 * $0 } },
            conditions: HandwrittenConditions(value: { x, y in zip(x, y).map { $1.squareRoot() - $0 } },
                                              jvp: { _, y, dx, dy in
                                                  zip(y, zip(dx ?? [0], dy ?? [0])).map { y, d in
                                                      (d.1 == 0 ? 0 : d.1 / (2 * y.squareRoot())) - d.0 }
                                              },
                                              vjp: { _, y, u in (u.map { -$0 }, zip(y, u).map { $1 / (2 * $0.squareRoot()) }) }),
            linearSolver: .gmres(options: tightKrylov), representation: .operator)
        let e = implicitError { _ = try split.jvp(at: [0], tangent: [1]) }
        guard case .krylovNotConverged(let stats, .tangent)? = e else {
            Issue.record("expected krylovNotConverged(tangent), got \(String(describing: e))"); return
        }
        #expect(stats.status == .nonFiniteInput)
    }

    @Test("an infinite ∂F/∂x is refused by the JVP, the VJP and the Jacobian alike", arguments: [0, 1])
    func infiniteJacobianInX(path: Int) throws {
        // Matrix path: hand-written B with an infinite entry (generic conditions would stop
        // earlier: the dual rule of √ at 0 gives 0·∞ = NaN in ∂F/∂y as well). Operator path:
        // F = y − √x at x₀ = 0 on the tape.
        let sqrt: @Sendable ([Double]) -> [Double] = { x in x.map { $0.squareRoot() } }
        let f = path == 0
            ? ImplicitFunction(solver: sqrt, conditions: HandwrittenConditions(
                value: { x, y in zip(x, y).map { $1 - $0.squareRoot() } },
                jacobians: { _, _ in (Matrix.diagonal([-.infinity, -0.25]), Matrix.identity(2)) }))
            : ImplicitFunction(solver: sqrt, conditions: RootOfX(), linearSolver: .gmres(options: tightKrylov),
                               representation: .operator)
        let lin = try f.linearize(at: [0, 4])
        let expected = nonFiniteDerivatives
        expectError(expected) { _ = try lin.jvp([1, 0]) }
        expectError(expected) { _ = try lin.jvp([0, 1]) }   // 0·∞ = NaN in B ẋ
        expectError(expected) { _ = try lin.vjp([1, 0]) }
        if path == 0 {
            expectError(expected) { _ = try lin.vjp([0, 1]) }    // gemv: ∞·0 = NaN
        } else {
            #expect(try lin.vjp([0, 1]) == [0, 0.25])           // the reverse sweep skips zero adjoints
        }
        expectError(expected) { _ = try lin.jacobian() }
        #expect(lin.report.tangentSolves == 0)
    }

    @Test("generic conditions with an infinite derivative in x refuse on the matrix path (∂F/∂y is NaN)")
    func infiniteJacobianInXGeneric() {
        let f = ImplicitFunction(solver: { x in x.map { $0.squareRoot() } }, conditions: RootOfX())
        let e = implicitError { _ = try f.linearize(at: [0, 4]) }
        guard case .nonFiniteInput(let what)? = e, what.hasPrefix("∂F/∂y[0, 0] = ") else {
            Issue.record("expected nonFiniteInput(∂F/∂y…), got \(String(describing: e))"); return
        }
    }

    @Test("the report prints a non-finite residual when the check is disabled (no trap)")
    func reportWithInfiniteResidual() throws {
        var options = ImplicitFunctionOptions()
        options.residualTolerance = .disabled
        let f = ImplicitFunction(
            solver: { $0 },
            conditions: HandwrittenConditions(value: { _, _ in [Double.infinity] },
                                              jacobians: { _, _ in (Matrix.identity(1), Matrix.identity(1)) }),
            options: options)
        let lin = try f.linearize(at: [1])
        #expect(lin.report.description.contains("‖F(x, y)‖ = inf"))
        #expect(try lin.jvp([2]) == [-2])
    }

    // Dimensions.

    @Test("wrong tangent and cotangent lengths at the ImplicitFunction entry points, both paths")
    func directionLengths() {
        for (solver, rep) in Self.bothPaths {
            let f = ImplicitFunction(solver: { $0 }, conditions: IdentityConditions(), linearSolver: solver,
                                     representation: rep)
            expectError(.dimensionMismatch("tangent ẋ has length 3, expected 2")) {
                _ = try f.jvp(at: [1, 2], tangent: [1, 2, 3])
            }
            expectError(.dimensionMismatch("cotangent ȳ has length 0, expected 2")) {
                _ = try f.vjp(at: [1, 2], cotangent: [])
            }
        }
    }

    @Test("fewer equations than unknowns is refused by plan, linearize and every derivative",
          arguments: [EntryPoint.plan, .linearize, .jvp, .vjp, .jacobian, .gradient])
    func shortConditions(entry: EntryPoint) {
        // The solver returns one more unknown than there are equations.
        let f = ImplicitFunction(solver: { x in x + [0] }, conditions: IdentityConditions())
        let x: [Double] = entry == .gradient ? [] : [1]
        let e = implicitError { try entry.run(f, x) }
        guard case .dimensionMismatch(let what)? = e else {
            Issue.record("expected dimensionMismatch, got \(String(describing: e))"); return
        }
        #expect(what.contains("\(x.count) equations for \(x.count + 1) unknowns"))
    }

    @Test("gradient(at:) needs a scalar output")
    func gradientOfAVector() {
        expectError(.dimensionMismatch("gradient(at:) needs a scalar output, y has 2 entries; use vjp")) {
            _ = try Self.identity.gradient(at: [1, 2])
        }
    }

    @Test("square-only Krylov methods refuse non-square F before solving", arguments: [0, 1, 2])
    func nonSquareKrylov(which: Int) {
        let solver = [LinearSolver.gmres(), .bicgstab(), .cg()][which]
        let f = ImplicitFunction(solver: { x in [x[0]] }, conditions: InconsistentTall(), linearSolver: solver,
                                 representation: .operator)
        expectError(.dimensionMismatch("F has 2 equations for 1 unknowns; \(solver) needs a square ∂F/∂y, "
                                       + "use .qr, .svd or .lsmr() for least squares")) {
            _ = try f.linearize(at: [1])
        }
    }

    // The forward solver.

    @Test("an unconverged solver fails the residual check with the exact norm and bound, both tolerances")
    func residualCheckValues() {
        // y = 1.5 for x = 4 in y² − x = 0: ‖F‖ = 1.75; relative bound 1e-6·(‖A y‖ + ‖B x‖) = 1e-6·(2·1.5² + 4).
        let f = ImplicitFunction(solver: { _ in [1.5] }, conditions: SquareRootEquation())
        expectError(.residualTooLarge(residualNorm: 1.75, tolerance: 1e-6 * 4.5 + 1e-6 * 4)) { _ = try f.linearize(at: [4]) }
        var absolute = f
        absolute.options.residualTolerance = .absolute(1)
        expectError(.residualTooLarge(residualNorm: 1.75, tolerance: 1)) { _ = try absolute.vjp(at: [4], cotangent: [1]) }
        absolute.options.residualTolerance = .absolute(2)
        #expect(implicitError { _ = try absolute.vjp(at: [4], cotangent: [1]) } == nil)
    }

    @Test("a huge residual is measured without overflow")
    func hugeResidualNorm() {
        let f = ImplicitFunction(solver: { x in x.map { $0 + 1 } }, conditions: HugeResidual())
        guard case .residualTooLarge(let r, _)? = implicitError({ _ = try f.linearize(at: [1, 1]) }) else {
            Issue.record("expected residualTooLarge"); return
        }
        #expect(r.isFinite && Approximate.relativeError(r, 2.0.squareRoot() * 1e200) <= 1e-15)
    }

    // Singular A.

    @Test("exactly singular A: Cholesky, GMRES and least squares each say so")
    func exactlySingular() {
        // y = √x at x = (0, 4): A = diag(0, 4).
        let sqrt: @Sendable ([Double]) -> [Double] = { x in x.map { $0.squareRoot() } }
        let chol = ImplicitFunction(solver: sqrt, conditions: SquareRootEquation(), linearSolver: .cholesky)
        expectError(.notPositiveDefinite(minor: 1)) { _ = try chol.linearize(at: [0, 4]) }
        // Class 3: an explicit square Krylov method on a singular A says singularJacobian, as LU does.
        let gmres = ImplicitFunction(solver: sqrt, conditions: SquareRootEquation(),
                                     linearSolver: .gmres(options: tightKrylov), representation: .operator)
        expectError(.singularJacobian(pivot: nil, reciprocalCondition: nil)) {
            _ = try gmres.jvp(at: [0, 4], tangent: [1, 1])
        }
        let lsmr = ImplicitFunction(solver: sqrt, conditions: SquareRootEquation(),
                                    linearSolver: .lsmr(options: tightKrylov), representation: .operator)
        guard case .inconsistentLinearization? = implicitError({ _ = try lsmr.jvp(at: [0, 4], tangent: [1, 1]) }) else {
            Issue.record("expected inconsistentLinearization"); return
        }
    }

    @Test("numerically singular A: LU refuses with the condition estimate")
    func numericallySingular() throws {
        // A = [1 1; 1 1 + 1e-15]: no zero pivot, rcond ≈ 1e-16.
        let f = ImplicitFunction(
            solver: { x in [x[0], 0] },
            conditions: HandwrittenConditions(
                value: { x, y in [y[0] + y[1] - x[0], y[0] + (1 + 1e-15) * y[1] - x[0]] },
                jacobians: { _, _ in (Matrix(rows: [[-1], [-1]]), Matrix(rows: [[1, 1], [1, 1 + 1e-15]])) }),
            linearSolver: .lu)
        guard case .singularJacobian(nil, let rcond?)? = implicitError({ _ = try f.linearize(at: [1]) }) else {
            Issue.record("expected singularJacobian with an estimate"); return
        }
        #expect(rcond < 100 * Double.ulpOfOne)
    }

    @Test("singular but consistent A: the minimum-norm derivative on every least-squares path",
          arguments: [0, 1, 2, 3])
    func singularConsistent(which: Int) throws {
        let solver = [LinearSolver.automatic, .qr, .svd, .lsmr(options: tightKrylov)][which]
        let f = ImplicitFunction(solver: { x in [x[0] / 2, x[0] / 2] }, conditions: GaugeConditions(),
                                 linearSolver: solver, representation: which == 3 ? .operator : .automatic)
        let lin = try f.linearize(at: [3])
        #expect(Approximate.relativeError(try lin.jvp([1]), [0.5, 0.5]) <= 1e-12)
        #expect(Approximate.relativeError(try lin.jacobian(), Matrix(rows: [[0.5], [0.5]])) <= 1e-12)
        // The VJP is the adjoint of that JVP: x̄ = ⟨ȳ, (½, ½)⟩.
        #expect(Approximate.relativeError(try lin.vjp([1, 3]), [2]) <= 1e-12)
        if which < 2 {
            #expect(lin.plan.solver == .svd)
            #expect(lin.report.rank == 1)
            #expect(lin.report.note?.contains("minimum-norm") == true)
        }
    }

    @Test("singular but consistent A with LU: the zero pivot is reported")
    func singularConsistentLU() {
        let f = ImplicitFunction(solver: { x in [x[0] / 2, x[0] / 2] }, conditions: GaugeConditions(), linearSolver: .lu)
        expectError(.singularJacobian(pivot: 1, reciprocalCondition: nil)) { _ = try f.linearize(at: [3]) }
    }

    @Test("singular and inconsistent A: no least-squares number is returned", arguments: [0, 1, 2])
    func singularInconsistent(which: Int) {
        let solver = [LinearSolver.automatic, .svd, .qr][which]
        let f = ImplicitFunction(solver: { _ in [0.5, 0.5] }, conditions: InconsistentSquare(), linearSolver: solver)
        let e = implicitError { _ = try f.linearize(at: [1]) }
        switch (which, e) {
        case (0, .singularJacobian?): break                       // automatic: LU failed, the SVD fallback is inconsistent
        case (1, .inconsistentLinearization?), (2, .inconsistentLinearization?): break
        default: Issue.record("unexpected \(String(describing: e)) for \(solver)")
        }
    }

    // Non-square F.

    @Test("over-determined inconsistent F: QR and LSMR both refuse at linearize, so no VJP is returned")
    func tallInconsistent() {
        let qr = ImplicitFunction(solver: { x in [x[0]] }, conditions: InconsistentTall())
        guard case .inconsistentLinearization? = implicitError({ _ = try qr.linearize(at: [1]) }) else {
            Issue.record("expected inconsistentLinearization from QR"); return
        }
        let lsmr = ImplicitFunction(solver: { x in [x[0]] }, conditions: InconsistentTall(),
                                    linearSolver: .lsmr(options: tightKrylov), representation: .operator)
        guard case .inconsistentLinearization? = implicitError({ _ = try lsmr.jvp(at: [1], tangent: [1]) }) else {
            Issue.record("expected inconsistentLinearization from LSMR"); return
        }
        // The VJP solves with Aᵀ and never sees a tangent residual: the probe at linearize refuses it.
        guard case .inconsistentLinearization? = implicitError({ _ = try lsmr.vjp(at: [1], cotangent: [1]) }) else {
            Issue.record("expected inconsistentLinearization from the LSMR VJP"); return
        }
        guard case .inconsistentLinearization? = implicitError({ _ = try lsmr.linearize(at: [1]) }) else {
            Issue.record("expected inconsistentLinearization from LSMR at linearize"); return
        }
    }

    // Krylov failures.

    @Test("an impossible iteration cap in the adjoint direction says adjoint")
    func adjointCap() throws {
        let m = 60
        let x = (0..<m).map { 1 + Double($0 % 7) / 7 }
        var f = ImplicitFunction(solver: ReactionDiffusion.solve, conditions: ReactionDiffusion(),
                                 linearSolver: .bicgstab(options: try KrylovOptions(maxIterations: 1)),
                                 representation: .operator)
        // With the singularity probe on (the default), its tangent solve meets the cap first, at linearize.
        guard case .krylovNotConverged(_, .tangent)? = implicitError({ _ = try f.linearize(at: x) }) else {
            Issue.record("expected the probe's krylovNotConverged(tangent)"); return
        }
        f.options.probesKrylovSingularity = false
        let e = implicitError { _ = try f.vjp(at: x, cotangent: (0..<m).map { Double($0 % 3) - 1 }) }
        guard case .krylovNotConverged(let stats, .adjoint)? = e else {
            Issue.record("expected krylovNotConverged(adjoint), got \(String(describing: e))"); return
        }
        #expect(stats.status == .maxIterationsReached && stats.iterations == 1 && stats.method == "BiCGStab")
        #expect(e!.description.contains("adjoint linear solve did not converge"))
        #expect(e!.description.contains("increase maxIterations"))
    }

    @Test("the adjoint solve fails while the tangent solve converged (GMRES(2), cyclic shift)")
    func adjointFailsTangentConverges() throws {
        // The probe's random right-hand side makes GMRES(2) stagnate too: turned off to reach the adjoint solve.
        var f = ImplicitFunction(solver: { x in [Double](repeating: x[0], count: 4) }, conditions: CyclicShift(),
                                 linearSolver: .gmres(restart: 2, options: tightKrylov), representation: .operator)
        f.options.probesKrylovSingularity = false
        let lin = try f.linearize(at: [0.3])
        #expect(try lin.jvp([1]) == [1, 1, 1, 1])
        #expect(lin.report.lastKrylovStatistics?.status == .converged)
        #expect(try lin.jacobian() == Matrix(rows: [[1], [1], [1], [1]]))
        let e = implicitError { _ = try lin.vjp([1, 0, 0, 0]) }
        guard case .krylovNotConverged(let stats, .adjoint)? = e else {
            Issue.record("expected krylovNotConverged(adjoint), got \(String(describing: e))"); return
        }
        #expect(stats.status == .stagnation)
        #expect(e!.description.contains("increase restart"))
        // The same function with a restart long enough solves both directions.
        let full = ImplicitFunction(solver: { x in [Double](repeating: x[0], count: 4) }, conditions: CyclicShift(),
                                    linearSolver: .gmres(restart: 4, options: tightKrylov), representation: .operator)
        #expect(Approximate.relativeError(try full.vjp(at: [0.3], cotangent: [1, 0, 0, 0]), [1]) <= 1e-12)
    }

    @Test("CG on an indefinite A declared positive definite reports indefinite")
    func cgIndefinite() {
        // y = −√x: A = diag(2y) is negative definite. The structure probe (class 2) sees ⟨v, A v⟩ < 0 at
        // linearize; under .automatic the same declaration falls back to GMRES.
        let f = ImplicitFunction(solver: { x in x.map { -$0.squareRoot() } }, conditions: SquareRootEquation(),
                                 linearSolver: .cg(options: tightKrylov), representation: .operator,
                                 structure: [.symmetric, .positiveDefinite])
        let e = implicitError { _ = try f.jvp(at: [4, 9], tangent: [1, 1]) }
        guard case .structureNotAsDeclared(let what)? = e else {
            Issue.record("expected structureNotAsDeclared, got \(String(describing: e))"); return
        }
        #expect(what.contains("not positive definite"))
    }

    @Test("an invalid GMRES restart is an invalid option, at linearize")
    func invalidRestart() {
        let f = ImplicitFunction(solver: { $0 }, conditions: IdentityConditions(), linearSolver: .gmres(restart: 0),
                                 representation: .operator)
        expectError(.invalidOption("invalid Krylov options: GMRES restart is 0; it must be ≥ 1")) {
            _ = try f.linearize(at: [1])
        }
    }

    // Zero directions, empty x, m = 1.

    @Test("zero tangent and cotangent: exact zeros, no solve, no iteration, both paths")
    func zeroDirections() throws {
        for (solver, rep) in Self.bothPaths {
            let lin = try ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation(),
                                           linearSolver: solver, representation: rep).linearize(at: [4, 9])
            let jv = try lin.jvp([0, -0.0])
            let vj = try lin.vjp([-0.0, 0])
            #expect(jv == [0, 0] && jv.allSatisfy { $0.sign == .plus })
            #expect(vj == [0, 0] && vj.allSatisfy { $0.sign == .plus })
            let r = lin.report
            #expect(r.tangentSolves == 0 && r.adjointSolves == 0 && r.krylovIterations == 0)
            #expect(r.operatorApplications == 0)
        }
    }

    @Test("a tangent in the null space of B: exact zero answer, zero Krylov iterations")
    func tangentInNullSpaceOfB() throws {
        // F = y − (x₀ + x₁): B ẋ = 0 for ẋ = (1, −1).
        let f = ImplicitFunction(
            solver: { x in [x[0] + x[1]] },
            conditions: HandwrittenConditions(value: { x, y in [y[0] - x[0] - x[1]] },
                                              jvp: { _, _, dx, dy in [(dy?[0] ?? 0) - (dx.map { $0[0] + $0[1] } ?? 0)] },
                                              vjp: { _, _, u in ([-u[0], -u[0]], [u[0]]) }),
            linearSolver: .gmres(options: tightKrylov), representation: .operator)
        let lin = try f.linearize(at: [1, 2])
        #expect(try lin.jvp([1, -1]) == [0])
        #expect(lin.report.krylovIterations == 0)
        #expect(lin.report.lastKrylovStatistics?.status == .zeroRightHandSide)
    }

    @Test("empty x (n = 0): an m × 0 Jacobian, empty products, both paths")
    func emptyX() throws {
        for (solver, rep) in Self.bothPaths {
            let f = ImplicitFunction(solver: { _ in [1, 2, 3] }, conditions: ConstantConditions(c: [1, 2, 3]),
                                     linearSolver: solver, representation: rep)
            let lin = try f.linearize(at: [])
            #expect(lin.solution == [1, 2, 3])
            #expect(try lin.jacobian() == Matrix(rows: 3, columns: 0))
            #expect(try lin.jvp([]) == [0, 0, 0])
            #expect(try lin.vjp([1, 2, 3]) == [])
        }
    }

    @Test("empty y (m = 0): a 0 × n Jacobian, empty products, both paths")
    func emptyY() throws {
        for (solver, rep) in Self.bothPaths {
            let f = ImplicitFunction(solver: { _ in [] }, conditions: IdentityConditions(),
                                     linearSolver: solver, representation: rep)
            let lin = try f.linearize(at: [1, 2])
            #expect(try lin.jacobian() == Matrix(rows: 0, columns: 2))
            #expect(try lin.jvp([1, 1]) == [])
            #expect(try lin.vjp([]) == [0, 0])
        }
    }

    @Test("m = 1 through the scalar conveniences, both paths")
    func scalarOutput() throws {
        for (solver, rep) in Self.bothPaths {
            let f = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation(),
                                     linearSolver: solver, representation: rep)
            #expect(Approximate.relativeError(try f.derivative(at: 16), [0.125]) <= 1e-12)
            #expect(Approximate.relativeError(try f.gradient(at: [16]), [0.125]) <= 1e-12)
        }
    }

    // Scales.

    @Test("x ~ 1e±150: derivatives accurate, nothing overflows, both paths", arguments: [150, -150])
    func extremeScales(exponent: Int) throws {
        let s = pow10(exponent)
        let x = [4 * s, 9 * s, 0.25 * s]
        for (solver, rep) in Self.bothPaths {
            let f = ImplicitFunction(solver: { x in x.map { $0.squareRoot() } }, conditions: SquareRootEquation(),
                                     linearSolver: solver, representation: rep)
            let lin = try f.linearize(at: x)
            let exact = x.map { 0.5 / $0.squareRoot() }
            #expect(lin.report.residualNorm.isFinite)
            #expect(Approximate.relativeError(try lin.jacobian().diagonalElements, exact) <= 1e-12)
            // Directions at the other extreme scale: JVPs and VJPs stay homogeneous.
            for d in [1e150, 1e-150] {
                let jv = try lin.jvp([d, 0, 0])
                #expect(Approximate.relativeError(jv, [d * exact[0], 0, 0]) <= 1e-12, "JVP at direction scale \(d)")
                let vj = try lin.vjp([0, 0, d])
                #expect(Approximate.relativeError(vj, [0, 0, d * exact[2]]) <= 1e-12, "VJP at direction scale \(d)")
            }
        }
    }

    // Documented programmer errors: preconditions, checked in a child process.

    @Test("class 6: hand-written products of the wrong length are a typed error naming the closure")
    func handwrittenProductLength() {
        // Checked on the products the derivative makes anyway: the first wrong one is named.
        for wrongIn in ["x", "y"] {
            let f = ImplicitFunction(
                solver: { $0 },
                conditions: HandwrittenConditions(
                    value: { x, y in zip(x, y).map { $1 - $0 } },
                    jvp: { _, _, dx, dy in   // one value for two equations, in `wrongIn` only
                        if (dx != nil) == (wrongIn == "x") { return [0] }
                        return zip(dx ?? [0, 0], dy ?? [0, 0]).map { $1 - $0 }
                    },
                    vjp: { _, _, u in (u.map { -$0 }, u) }),
                linearSolver: .gmres(), representation: .operator)
            expectError(.dimensionMismatch("HandwrittenConditions: jvp returned 1 values for a tangent in \(wrongIn), "
                                           + "expected 2 (= the length of F's value)")) {
                _ = try f.jvp(at: [1, 2], tangent: [1, 1])
            }
        }
        let badVJP = ImplicitFunction(
            solver: { $0 },
            conditions: HandwrittenConditions(value: { x, y in zip(x, y).map { $1 - $0 } },
                                              jvp: { _, _, dx, dy in zip(dx ?? [0, 0], dy ?? [0, 0]).map { $1 - $0 } },
                                              vjp: { _, _, u in (u.map { -$0 }, [u[0]]) }),
            linearSolver: .gmres(), representation: .operator)
        expectError(.dimensionMismatch("HandwrittenConditions: vjp returned (2, 1) values, expected (2, 2) (= the "
                                       + "lengths of x and y)")) { _ = try badVJP.vjp(at: [1, 2], cotangent: [1, 1]) }
    }

    @Test("class 6: hand-written Jacobians of the wrong shape are a typed error naming the closure")
    func handwrittenJacobianShape() {
        let f = ImplicitFunction(
            solver: { $0 },
            conditions: HandwrittenConditions(value: { x, y in zip(x, y).map { $1 - $0 } },
                                              jacobians: { _, _ in (Matrix.identity(2), Matrix.identity(3)) }))
        expectError(.dimensionMismatch("HandwrittenConditions: jacobians returned ∂F/∂x 2×2 and ∂F/∂y 3×3, expected "
                                       + "2×2 and 2×2 (F's length × the lengths of x and y)")) { _ = try f.linearize(at: [1, 2]) }
    }
}
