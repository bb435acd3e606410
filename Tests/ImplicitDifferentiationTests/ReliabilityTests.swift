import Foundation
import Testing
import ImplicitDifferentiation
import TestSupport

// Issue 16, one suite per class of bad input that used to end in a plausible
// wrong number, a crash or a hang. Every test here fails on the code before
// the fix (checked by disabling the fix's hook), except the suites marked as
// regression guards.

// MARK: - Conditions

/// `F = y₀ − x₀`: the second input (given as 1e7) is ignored.
struct IgnoresSecondInput: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { [y[0] - x[0]] }
}

/// `F = 1e-8 (y − x)`: a badly scaled F.
struct TinyScale: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { zip(x, y).map { ($1 - $0) * T(1e-8) } }
}

/// `F = M y − x` with the non-symmetric `M = [2 1; 0 2]`: `J = M⁻¹ = [½ −¼; 0 ½]`.
struct NonSymmetricLinear: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        [T(2) * y[0] + y[1] - x[0], T(2) * y[1] - x[1]]
    }
    static func solve(_ x: [Double]) -> [Double] { [x[0] / 2 - x[1] / 4, x[1] / 2] }
    static let jacobian = Matrix(rows: [[0.5, -0.25], [0, 0.5]])
}

/// Symmetric, singular and consistent: `F = [y₀ + y₁ − x₀; y₀ + y₁ − x₀]`; minimum-norm `J = (½, ½)ᵀ`.
struct SymmetricGauge: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        [y[0] + y[1] - x[0], y[0] + y[1] - x[0]]
    }
}

/// Returns one more value on duals and tapes than on `Double`.
struct LengthDependsOnScalar: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let f = zip(x, y).map { $1 - $0 }
        return T.self == Double.self ? f : f + [T(0)]
    }
}

// MARK: - Class 1: the residual bound is scale-aware

@Suite("Class 1: scale-aware residual bound")
struct ResidualScaleTests {
    @Test("a large input that F ignores does not loosen the bound (y 50% off is refused)")
    func ignoredLargeInput() throws {
        let wrong = ImplicitFunction(solver: { x in [1.5 * x[0]] }, conditions: IgnoresSecondInput())
        guard case .residualTooLarge? = implicitError({ _ = try wrong.jacobian(at: [2, 1e7]) }) else {
            Issue.record("a y 50% off was accepted"); return
        }
        let right = ImplicitFunction(solver: { x in [x[0]] }, conditions: IgnoresSecondInput())
        #expect(try right.jacobian(at: [2, 1e7]) == Matrix(rows: [[1, 0]]))
    }

    @Test("at x ≈ 1e-300 a y 25 or 50 orders of magnitude off is refused, the right one accepted",
          arguments: [1e-125, 1e-100, 1e-200])
    func tinyInputs(wrongY: Double) throws {
        let wrong = ImplicitFunction(solver: { _ in [wrongY] }, conditions: SquareRootEquation())
        guard case .residualTooLarge? = implicitError({ _ = try wrong.jvp(at: [1e-300], tangent: [1]) }) else {
            Issue.record("y = \(wrongY) accepted for √(1e-300) = 1e-150"); return
        }
        let right = ImplicitFunction(solver: { x in x.map { $0.squareRoot() } }, conditions: SquareRootEquation())
        let dy = try right.jvp(at: [1e-300], tangent: [1])
        #expect(Approximate.relativeError(dy, [0.5 / 1e-150]) <= 1e-12)
    }

    @Test("F scaled by 1e-8: a 10% error is refused, and the advice no longer says to relax the tolerance")
    func badlyScaledF() throws {
        let wrong = ImplicitFunction(solver: { x in x.map { 1.1 * $0 } }, conditions: TinyScale())
        let e = implicitError { _ = try wrong.vjp(at: [1, 2], cotangent: [1, 1]) }
        guard case .residualTooLarge? = e else { Issue.record("a 10% error was accepted: \(String(describing: e))"); return }
        #expect(!e!.description.contains("relax"))
        let right = ImplicitFunction(solver: { $0 }, conditions: TinyScale())
        #expect(Approximate.relativeError(try right.vjp(at: [1, 2], cotangent: [1, 1]), [1, 1]) <= 1e-12)
    }

    @Test("the bound is tol · ‖A y‖ when that admits the residual, else tol · (‖A y‖ + ‖B x‖), and is reported")
    func reportedBound() throws {
        // F = y² − x at x = 4, y = 2: A y = 2y·y = 8, B x = −4; F = 0 passes on the first term.
        let f = ImplicitFunction(solver: { x in x.map { $0.squareRoot() } }, conditions: SquareRootEquation())
        #expect(try f.linearize(at: [4]).report.residualBound == 1e-6 * 8)
        // y = 2 + 2.5e-6: F ≈ 1.0e-5 > tol · ‖A y‖ ≈ 8.0e-6, ≤ tol · (‖A y‖ + ‖B x‖) ≈ 1.2e-5.
        let y = 2 + 2.5e-6
        let near = ImplicitFunction(solver: { _ in [y] }, conditions: SquareRootEquation())
        let bound = try #require(try near.linearize(at: [4]).report.residualBound)
        #expect(abs(bound - (1e-6 * (2 * y * y) + 1e-6 * 4)) <= 1e-15 * bound)
        // y = 2 + 3.5e-6: F ≈ 1.4e-5 > 1.2e-5, refused.
        let far = ImplicitFunction(solver: { _ in [2 + 3.5e-6] }, conditions: SquareRootEquation())
        guard case .residualTooLarge? = implicitError({ _ = try far.linearize(at: [4]) }) else {
            Issue.record("a residual above tol · (‖A y‖ + ‖B x‖) was accepted"); return
        }
    }
}

// MARK: - Class 2: declared structure is checked

@Suite("Class 2: declared or implied structure is checked")
struct DeclaredStructureTests {
    @Test("explicit .cholesky on a non-symmetric A is a typed error")
    func choleskyOnNonSymmetric() {
        let f = ImplicitFunction(solver: NonSymmetricLinear.solve, conditions: NonSymmetricLinear(), linearSolver: .cholesky)
        guard case .structureNotAsDeclared(let what)? = implicitError({ _ = try f.jacobian(at: [1, 1]) }) else {
            Issue.record("Cholesky ran on a non-symmetric A"); return
        }
        #expect(what.contains("not symmetric"))
    }

    @Test("a false SPD declaration under .automatic falls back (LU, GMRES) with a note, and the answer is right",
          arguments: [Representation.matrix, .operator])
    func falseDeclarationFallsBack(representation: Representation) throws {
        var f = ImplicitFunction(solver: NonSymmetricLinear.solve, conditions: NonSymmetricLinear(),
                                 representation: representation, structure: [.symmetric, .positiveDefinite])
        f.options.krylovOptions = tightKrylov
        let lin = try f.linearize(at: [1, 1])
        #expect(Approximate.relativeError(try lin.jacobian(), NonSymmetricLinear.jacobian) <= 1e-12)
        #expect(lin.report.note?.contains("declared symmetric positive definite") == true)
        #expect(lin.plan.solver == (representation == .matrix ? .lu : .gmres(options: tightKrylov)))
    }

    @Test("a symmetric indefinite A declared SPD: .automatic falls back to LU with a note, .cholesky says notPositiveDefinite")
    func indefiniteDeclaredSPD() throws {
        // y = −√x: A = diag(2y) is negative definite; J = diag(1 / (2y)).
        let f = ImplicitFunction(solver: { x in x.map { -$0.squareRoot() } }, conditions: SquareRootEquation(),
                                 representation: .matrix, structure: [.symmetric, .positiveDefinite])
        let lin = try f.linearize(at: [4, 9])
        #expect(Approximate.relativeError(try lin.jacobian(), Matrix.diagonal([-0.25, -1.0 / 6])) <= 1e-14)
        #expect(lin.plan.solver == .lu && lin.report.note?.contains("not positive") == true)
        var explicit = f
        explicit.linearSolver = .cholesky
        expectError(.notPositiveDefinite(minor: 1)) { _ = try explicit.linearize(at: [4, 9]) }
    }

    @Test("explicit .cg on a non-symmetric operator is a typed error")
    func cgOnNonSymmetric() {
        let f = ImplicitFunction(solver: NonSymmetricLinear.solve, conditions: NonSymmetricLinear(),
                                 linearSolver: .cg(options: tightKrylov), representation: .operator)
        guard case .structureNotAsDeclared(let what)? = implicitError({ _ = try f.jvp(at: [1, 1], tangent: [1, 0]) }) else {
            Issue.record("CG ran on a non-symmetric A"); return
        }
        #expect(what.contains("not symmetric"))
    }

    @Test("a truly SPD A passes the checks unchanged")
    func trueDeclaration() throws {
        let f = ImplicitFunction(solver: { x in x.map { $0.squareRoot() } }, conditions: SquareRootEquation(),
                                 linearSolver: .cholesky)
        let lin = try f.linearize(at: [4, 9])
        #expect(lin.plan.solver == .cholesky && lin.report.note == nil)
    }
}

// MARK: - Class 3: singular A on the square Krylov methods

@Suite("Class 3: singular but consistent A on the Krylov path")
struct KrylovSingularityTests {
    @Test("explicit GMRES, BiCGStab and CG throw singularJacobian, as explicit LU does", arguments: [0, 1, 2])
    func explicitSquareMethods(which: Int) {
        let solver = [LinearSolver.gmres(options: tightKrylov), .bicgstab(options: tightKrylov), .cg(options: tightKrylov)][which]
        let f = ImplicitFunction(solver: { x in [x[0] / 2, x[0] / 2] }, conditions: SymmetricGauge(),
                                 linearSolver: solver, representation: .operator)
        expectError(.singularJacobian(pivot: nil, reciprocalCondition: nil)) { _ = try f.jvp(at: [3], tangent: [1]) }
    }

    @Test(".automatic on the operator path gives the matrix path's minimum-norm derivative, with a note")
    func automaticAgreesWithMatrixPath() throws {
        var lazy = ImplicitFunction(solver: { x in [x[0] / 2, x[0] / 2] }, conditions: GaugeConditions(),
                                    representation: .operator)
        lazy.options.krylovOptions = tightKrylov
        let dense = ImplicitFunction(solver: { x in [x[0] / 2, x[0] / 2] }, conditions: GaugeConditions(),
                                     representation: .matrix)
        let lin = try lazy.linearize(at: [3])
        #expect(Approximate.relativeError(try lin.jvp([1]), try dense.jvp(at: [3], tangent: [1])) <= 1e-10)
        #expect(Approximate.relativeError(try lin.jvp([1]), [0.5, 0.5]) <= 1e-10)
        #expect(Approximate.relativeError(try lin.vjp([1, 3]), [2]) <= 1e-10)
        #expect(lin.plan.solver == .lsmr(options: tightKrylov))
        #expect(lin.report.note?.contains("singular") == true)
    }

    @Test("a nonsingular operator passes the probe with the same answer")
    func nonsingularUnchanged() throws {
        let f = ImplicitFunction(solver: NonSymmetricLinear.solve, conditions: NonSymmetricLinear(),
                                 linearSolver: .gmres(options: tightKrylov), representation: .operator)
        #expect(Approximate.relativeError(try f.jacobian(at: [1, 1]), NonSymmetricLinear.jacobian) <= 1e-12)
    }
}

// MARK: - Class 4: NaN never passes a guard; setters are validated

@Suite("Class 4: NaN in guards and option setters")
struct NaNGuardTests {
    @Test("a NaN minimumReciprocalCondition set through the property is refused, not a disabled check")
    func nanReciprocalCondition() {
        var f = ImplicitFunction(
            solver: { x in [x[0], 0] },
            conditions: HandwrittenConditions(
                value: { x, y in [y[0] + y[1] - x[0], y[0] + (1 + 1e-15) * y[1] - x[0]] },
                jacobians: { _, _ in (Matrix(rows: [[-1], [-1]]), Matrix(rows: [[1, 1], [1, 1 + 1e-15]])) }),
            linearSolver: .lu)
        f.options.minimumReciprocalCondition = .nan
        guard case .invalidOption(let what)? = implicitError({ _ = try f.jacobian(at: [1]) }) else {
            Issue.record("a NaN option disabled the singularity check"); return
        }
        #expect(what.contains("minimumReciprocalCondition"))
    }

    @Test("NaN or negative tolerances through setters are typed errors naming the option", arguments: [0, 1, 2])
    func nanTolerances(which: Int) {
        var f = ImplicitFunction(solver: { $0 }, conditions: IdentityConditions())
        switch which {
        case 0: f.options.residualTolerance = .relative(.nan)
        case 1: f.options.residualTolerance = .absolute(-1)
        default: f.options.maxMatrixBytes = 0
        }
        guard case .invalidOption? = implicitError({ _ = try f.jvp(at: [1], tangent: [1]) }) else {
            Issue.record("expected invalidOption"); return
        }
        guard case .invalidOption? = implicitError({ _ = try f.plan(for: [1]) }) else {
            Issue.record("expected invalidOption from plan"); return
        }
    }
}

// MARK: - Class 5: memory is checked before allocation

@Suite("Class 5: memory before allocation")
struct MemoryBeforeAllocationTests {
    @Test("jacobian() on the operator path refuses J, B and the solve's work copy above the limit, with the estimate")
    func operatorJacobian() throws {
        var f = ImplicitFunction(solver: { $0 }, conditions: IdentityConditions(),
                                 linearSolver: .gmres(options: tightKrylov), representation: .operator)
        f.options.maxMatrixBytes = 4_000
        let x = [Double](repeating: 1, count: 20)
        let lin = try f.linearize(at: x)
        expectError(.allocationTooLarge(what: "the Jacobian J (20 × 20) with its work arrays", bytes: 3 * 8 * 400,
                                        limit: 4_000)) { _ = try lin.jacobian() }
        #expect(try lin.jvp(x).count == 20)   // products still work
    }

    @Test("finite-difference conditions on the operator path refuse the m × m ∂F/∂y above the limit")
    func finiteDifferenceAdjoint() {
        var f = ImplicitFunction(solver: { $0 }, conditions: FiniteDifferenceConditions { x, y in zip(x, y).map { $1 - $0 } },
                                 linearSolver: .gmres(options: tightKrylov), representation: .operator)
        f.options.maxMatrixBytes = 1_000
        let x = [Double](repeating: 1, count: 20)
        expectError(.allocationTooLarge(what: "∂F/∂y by finite differences (20 × 20), built for transposed products",
                                        bytes: 8 * 400, limit: 1_000)) { _ = try f.vjp(at: x, cotangent: x) }
    }
}

// MARK: - Class 6: one rule for argument checks

@Suite("Class 6: run-time argument errors are typed")
struct ArgumentCheckTests {
    @Test("batch count mismatch and maxConcurrency: 0 throw typed errors")
    func batchArguments() async {
        let f = ImplicitFunction(solver: { $0 }, conditions: IdentityConditions())
        do {
            _ = try await f.vjps(at: [[1], [2]], cotangents: [[1]])
            Issue.record("expected a throw")
        } catch {
            #expect(error as? ImplicitDifferentiationError == .dimensionMismatch("1 cotangents for 2 inputs; give one per input"))
        }
        do {
            _ = try await f.jacobians(at: [[1], [2]], maxConcurrency: 0)
            Issue.record("expected a throw")
        } catch {
            #expect(error as? ImplicitDifferentiationError
                    == .invalidOption("maxConcurrency is 0; it must be ≥ 1 (or nil for one task per core)"))
        }
    }

    @Test("options built with out-of-range values are refused at use, not trapped")
    func optionInitializer() {
        let f = ImplicitFunction(solver: { $0 }, conditions: IdentityConditions(),
                                 options: ImplicitFunctionOptions(matrixThreshold: -1))
        expectError(.invalidOption("options.matrixThreshold is -1; it must be ≥ 0")) { _ = try f.jacobian(at: [1]) }
    }

    @Test("BlockLayout.unpack and pack of the wrong length throw")
    func blockLayout() {
        let layout = BlockLayout(["a": 2, "b": 1])
        expectError(.dimensionMismatch("BlockLayout.unpack: 2 values, expected 3 (a[2], b[1])")) {
            _ = try layout.unpack([1.0, 2])
        }
        expectError(.dimensionMismatch("BlockLayout.pack: block b has 2 values, expected 1")) {
            _ = try layout.pack(["a": [1.0, 2], "b": [3.0, 4]])
        }
    }

    @Test("conditions whose length depends on the scalar type are a typed error on the operator path")
    func lengthDependsOnScalar() {
        let f = ImplicitFunction(solver: { $0 }, conditions: LengthDependsOnScalar(),
                                 linearSolver: .gmres(options: tightKrylov), representation: .operator)
        guard case .dimensionMismatch(let what)? = implicitError({ _ = try f.jvp(at: [1, 2], tangent: [1, 1]) }) else {
            Issue.record("expected dimensionMismatch"); return
        }
        #expect(what.contains("must not depend on the scalar type"))
    }
}

// MARK: - Class 7: cancellation

@Suite("Class 7: cancelled batches stop")
struct CancellationTests {
    @Test("a cancelled batch throws CancellationError and starts no further solve")
    func cancelledBatch() async throws {
        let calls = Locked(0)
        let f = ImplicitFunction(solver: { x in
            calls.withLock { $0 += 1 }
            Thread.sleep(forTimeInterval: 0.005)
            return x
        }, conditions: IdentityConditions())
        let inputs = (0..<400).map { [Double($0 + 1)] }
        let task = Task { try await f.values(at: inputs, maxConcurrency: 1) }
        try await Task.sleep(nanoseconds: 50_000_000)
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result else { Issue.record("the batch finished"); return }
        #expect(error is CancellationError)
        #expect(calls.withLock { $0 } < 400)
    }
}

/// A regression guard rather than a before/after test: these inputs already gave the right answer
/// before the NaN-safe comparisons; the property keeps it that way.
@Suite("Class 4: NaN from overflow at entries near 1e308")
struct OverflowNaNTests {
    @Test("QR, SVD and LU at entries near 1e308: a finite correct derivative or a typed error, never NaN or a wrong number",
          arguments: [LinearSolver.qr, .svd, .lu, .automatic])
    func hugeEntries(solver: LinearSolver) {
        // F = s (M y − N x) with s = 1e308 / 4: A = s M, B = −s N, J = M⁻¹ N = [[1, 0.5], [0, 1]] for M = [[2, −1], [0, 2]], N = [[2, 0], [0, 2]].
        let s = 0.25e308
        let f = ImplicitFunction(
            solver: { x in [x[0] + 0.5 * x[1], x[1]] },
            conditions: HandwrittenConditions(
                value: { x, y in [s * (2 * y[0] - y[1]) - s * 2 * x[0], s * 2 * y[1] - s * 2 * x[1]] },
                jacobians: { _, _ in (Matrix(rows: [[-2 * s, 0], [0, -2 * s]]), Matrix(rows: [[2 * s, -s], [0, 2 * s]])) }),
            linearSolver: solver)
        do {
            let j = try f.jacobian(at: [1, 1])
            #expect(j.isFinite && Approximate.relativeError(j, Matrix(rows: [[1, 0.5], [0, 1]])) <= 1e-12, "\(j.elements)")
            let xbar = try f.vjp(at: [1, 1], cotangent: [1, 1])
            #expect(Approximate.relativeError(xbar, [1, 1.5]) <= 1e-12, "\(xbar)")
        } catch {
            // A typed error is an acceptable answer at the edge of the range.
        }
    }
}

@Suite("Class 6: output lengths that change between calls")
struct ChangingLengthTests {
    @Test("finite-difference conditions whose length changes between calls: a typed error, no trap", arguments: [0, 1])
    func finiteDifferences(path: Int) {
        let calls = Locked(0)
        let f = ImplicitFunction(
            solver: { $0 },
            conditions: FiniteDifferenceConditions { x, y in
                let c = calls.withLock { $0 += 1; return $0 }
                return c == 1 ? zip(x, y).map { $1 - $0 } : [y[0] - x[0]]   // 2 values once, then 1
            },
            linearSolver: path == 0 ? .lu : .gmres(options: tightKrylov), representation: path == 0 ? .matrix : .operator)
        #expect(implicitError { _ = try f.jacobian(at: [1, 2]) } != nil)
    }

    @Test("a hand-written jvp whose length changes after the first call: a typed error, no trap")
    func handwrittenJVP() {
        let calls = Locked(0)
        let f = ImplicitFunction(
            solver: { $0 },
            conditions: HandwrittenConditions(
                value: { x, y in zip(x, y).map { $1 - $0 } },
                jvp: { _, _, dx, dy in
                    let c = calls.withLock { $0 += 1; return $0 }
                    let r = zip(dx ?? [0, 0], dy ?? [0, 0]).map { $1 - $0 }
                    return c <= 3 ? r : [r[0]]
                },
                vjp: { _, _, u in (u.map { -$0 }, u) }),
            linearSolver: .gmres(options: tightKrylov), representation: .operator)
        #expect(implicitError { _ = try f.jvp(at: [1, 2], tangent: [1, 1]) } != nil)
    }
}

/// Returns one more value on the tape than on `Double` and duals.
struct LengthDependsOnTape: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let f = zip(x, y).map { $1 - $0 }
        return T.self == TapeScalar.self ? f + [T(0)] : f
    }
}

@Suite("Class 6: conditions longer on the tape than on Double")
struct TapeLengthTests {
    @Test("JVP and VJP on the operator path: a typed error, no trap")
    func tapeLength() {
        let f = ImplicitFunction(solver: { $0 }, conditions: LengthDependsOnTape(),
                                 linearSolver: .gmres(options: tightKrylov), representation: .operator)
        #expect(implicitError { _ = try f.jvp(at: [1, 2], tangent: [1, 1]) } != nil)
        #expect(implicitError { _ = try f.vjp(at: [1, 2], cotangent: [1, 1]) } != nil)
    }
}

@Suite("Class 5: the factorization's arrays are budgeted with A")
struct FactorizationBudgetTests {
    @Test("A fits but A with its SVD (copy, U, Vᵀ) does not: refused before factoring; LU's copy fits")
    func svdBudget() throws {
        var f = ImplicitFunction(solver: { $0 }, conditions: IdentityConditions(), linearSolver: .svd)
        let x = [Double](repeating: 1, count: 10)
        f.options.maxMatrixBytes = 2 * 8 * 100   // A and one copy
        expectError(.allocationTooLarge(what: "∂F/∂y (10 × 10) with its svd factorization", bytes: 4 * 8 * 100,
                                        limit: 2 * 8 * 100)) { _ = try f.linearize(at: x) }
        f.linearSolver = .lu
        #expect(try f.jvp(at: x, tangent: x) == x)
    }
}

/// A regression guard: it passes with the old `r > tol` comparisons too (the overflow did not reach the
/// consistency residual as NaN here); the issue's exact 1e308 QR input was not reproduced.
@Suite("Class 4: a NaN consistency residual is a failure")
struct NaNConsistencyTests {
    @Test("tall A with entries 1e308 (‖column‖ overflows in QR): a typed error or the exact J = 1, never NaN",
          arguments: [LinearSolver.qr, .svd, .automatic])
    func tallHugeColumn(solver: LinearSolver) {
        // F = 1e308 (y − x) repeated 4 times: consistent, J = 1, but ‖A e₁‖ = 2e308 overflows.
        let f = ImplicitFunction(
            solver: { $0 },
            conditions: HandwrittenConditions(
                value: { x, y in [Double](repeating: 1e308 * (y[0] - x[0]), count: 4) },
                jacobians: { _, _ in (Matrix(rows: [[-1e308], [-1e308], [-1e308], [-1e308]]),
                                      Matrix(rows: [[1e308], [1e308], [1e308], [1e308]])) }),
            linearSolver: solver)
        do {
            let lin = try f.linearize(at: [1])
            let dy = try lin.jvp([1])
            #expect(dy == [1] || Approximate.relativeError(dy, [1]) <= 1e-12, "JVP \(dy)")
            let xbar = try lin.vjp([1])
            #expect(Approximate.relativeError(xbar, [1]) <= 1e-12, "VJP \(xbar)")
        } catch {
            // A typed error is the other acceptable answer.
        }
    }
}

// MARK: - Classes 5 and 6 on the solve protocol (the redesign's new paths)

/// A user's prepared solver that answers one value too many.
struct OneTooManySolve: PreparedLinearSolve {
    let rows: Int, columns: Int
    var isLeastSquares: Bool { false }
    var summary: LinearSolveSummary { LinearSolveSummary(kind: "one too many") }
    func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] { b + [0] }
    func solveTransposed(_ c: [Double]) throws(LinearAlgebraError) -> [Double] { c + [0] }
}

struct OneTooManyMethod: LinearSolveMethod {
    var description: String { "one too many" }
    func prepare(_ system: LinearSystem) throws(LinearAlgebraError) -> any PreparedLinearSolve {
        OneTooManySolve(rows: system.rows, columns: system.columns)
    }
}

@Suite("Classes 5 and 6 on the solve protocol")
struct SolveProtocolReliabilityTests {
    @Test("class 6: a custom prepared solver answering the wrong length is a typed error naming it, every product")
    func customSolverWrongLength() throws {
        let f = ImplicitFunction(solver: { $0 }, conditions: IdentityConditions(), linearSolver: .custom(OneTooManyMethod()))
        let lin = try f.linearize(at: [1, 2, 3])
        for product in [{ _ = try lin.jvp([1, 1, 1]) }, { _ = try lin.vjp([1, 1, 1]) }, { _ = try lin.jacobian() }] {
            guard case .dimensionMismatch(let what)? = implicitError(product) else {
                Issue.record("a wrong-length solution was used"); continue
            }
            #expect(what.contains("the prepared solver"))
        }
    }

    @Test("class 5: a VJP with finite-difference conditions refuses ∂F/∂x (k × n) above the limit; JVPs still work")
    func finiteDifferenceTransposedB() throws {
        let n = 40, m = 2
        // F = y − (Σx, Σx²): B is 2 × 40 = 640 bytes.
        var f = ImplicitFunction(
            solver: { x in [x.reduce(0, +), x.map { $0 * $0 }.reduce(0, +)] },
            conditions: FiniteDifferenceConditions { x, y in [y[0] - x.reduce(0, +), y[1] - x.map { $0 * $0 }.reduce(0, +)] },
            representation: .operator, options: ImplicitFunctionOptions(krylovOptions: tightKrylov))
        f.options.maxMatrixBytes = 600
        let x = [Double](repeating: 0.5, count: n)
        let lin = try f.linearize(at: x)
        expectError(.allocationTooLarge(what: "∂F/∂x by finite differences (2 × 40), built for transposed products",
                                        bytes: 8 * 2 * n, limit: 600)) { _ = try lin.vjp([1, 1]) }
        #expect(Approximate.relativeError(try lin.jvp([Double](repeating: 1, count: n)), [Double(n), Double(n)]) <= 1e-6)
        f.options.maxMatrixBytes = 4_000
        let xbar = try f.linearize(at: x).vjp([1, 1])
        #expect(Approximate.relativeError(xbar, [Double](repeating: 2, count: n)) <= 1e-6)
        _ = m
    }
}
