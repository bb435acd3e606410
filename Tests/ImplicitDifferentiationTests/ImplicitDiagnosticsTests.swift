import Testing
import ImplicitDifferentiation
import TestSupport

/// `f(x)` through the generic (non-throwing) entry point; with `[Double]`
/// a direct call `f(x)` resolves to the throwing overload.
func genericCall<T: DifferentiableScalar>(_ f: ImplicitFunction<Void, Void>, _ x: [T]) -> [T] { f(x) }

/// Heron stopped after 2 iterations: y does not satisfy the conditions.
/// (A fresh function per test: each has its own diagnostics log.)
func makeUnconvergedHeron() -> ImplicitFunction<Void, Void> {
    ImplicitFunction(solver: { SquareRoot.heron($0, iterations: 2) }, conditions: HeronConditions())
}

@Suite struct ImplicitDiagnosticsTests {
    @Test func nonFiniteInputGivesNaNsAndADiagnostic() {
        let root = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation())
        let y = genericCall(root, [4.0, .nan])
        #expect(y.count == 2 && y.allSatisfy { $0.isNaN })
        guard case .nonFiniteInput? = root.diagnostics.last?.error else {
            Issue.record("expected nonFiniteInput, got \(String(describing: root.diagnostics.last))"); return
        }
        #expect(root.diagnostics.last?.path == "forward solve")
        #expect(root.diagnostics.last!.description.contains("x = [4.0, nan]"))
    }

    @Test func unconvergedSolverGivesNaNTangentsNotAPlausibleNumber() {
        let f = makeUnconvergedHeron()
        let y = f([Dual(4.0, tangent: 1)])
        #expect(y[0].value.isFinite)        // the value is what the solver returned
        #expect(y[0].tangent.isNaN)         // the derivative is refused
        guard case .residualTooLarge? = f.diagnostics.last?.error else {
            Issue.record("expected residualTooLarge, got \(String(describing: f.diagnostics.last))"); return
        }
        #expect(f.diagnostics.last?.path == "linearization")
    }

    @Test func tapeSweepFailureGivesNaNGradientAndADiagnostic() {
        let f = makeUnconvergedHeron()
        let g = AD.gradient(of: SumOfSolution(f: f), at: [4, 9]).gradient
        #expect(g.allSatisfy { $0.isNaN })
        #expect(f.diagnostics.totalCount == 1)   // one linearization failure, recorded once
    }

    @Test func secondOrderNeedsGenericConditions() {
        let handwritten = HandwrittenConditions(
            value: { x, y in zip(x, y).map { $1 * $1 - $0 } },
            jacobians: { x, y in (Matrix.diagonal(x.map { _ in -1 }), Matrix.diagonal(y.map { 2 * $0 })) })
        let f = ImplicitFunction(solver: SquareRoot.newton, conditions: handwritten)
        // First order works with hand-written conditions…
        let g = AD.gradient(of: SumOfSolution(f: f), at: [4, 9]).gradient
        #expect(Approximate.relativeError(g, [0.25, 1.0 / 6]) <= 1e-12)
        // …second order is refused with a reason.
        for mode in [SecondOrderMode.forwardOverForward, .reverseOverForward] {
            let h = AD.hessian(of: SumOfSolution(f: f), at: [4, 9], mode: mode)
            #expect(h.elements.allSatisfy { $0.isNaN }, "\(mode): \(h)")
        }
        guard case .invalidOption? = f.diagnostics.last?.error else {
            Issue.record("expected invalidOption, got \(String(describing: f.diagnostics.last))"); return
        }
    }

    @Test func logKeepsTheLastEntriesAndCountsAll() {
        let root = ImplicitFunction(solver: SquareRoot.newton, conditions: SquareRootEquation())
        for _ in 0..<100 { _ = genericCall(root, [Double.infinity]) }
        #expect(root.diagnostics.totalCount == 100)
        #expect(root.diagnostics.failures.count == root.diagnostics.capacity)
        root.diagnostics.removeAll()
        #expect(root.diagnostics.isEmpty && root.diagnostics.last == nil)
    }
}

/// ⟨(a, b), y(C)⟩ for the Sinkhorn potentials y(C): a gauge-invariant scalar.
struct SinkhornObjective: DifferentiableFunction {
    let f = ImplicitFunction(solver: SinkhornConditions.solve, conditions: SinkhornConditions())
    func callAsFunction<T: DifferentiableScalar>(_ c: [T]) -> [T] {
        [zip(f(c), SinkhornConditions.cotangent).reduce(T(0)) { $0 + $1.0 * T($1.1) }]
    }
}

@Suite struct SingularSecondOrderTests {
    @Test func singularAGivesAFirstDerivativeButRefusesTheSecond() throws {
        let objective = SinkhornObjective()
        let c = SinkhornConditions.cost
        // First order: the minimum-norm derivative (SVD fallback), as in the throwing API.
        let g = AD.gradient(of: objective, at: c).gradient
        let expected = try objective.f.vjp(at: c, cotangent: SinkhornConditions.cotangent)
        #expect(Approximate.relativeError(g, expected) <= 1e-10)
        #expect(objective.f.diagnostics.isEmpty)
        // Second order: the generic elimination finds A singular and says so.
        var e = [Double](repeating: 0, count: c.count)
        e[0] = 1
        let hv = AD.hessianVectorProduct(of: objective, at: c, direction: e, mode: .forwardOverForward)
        #expect(hv.allSatisfy { $0.isNaN })
        guard case .singularJacobian? = objective.f.diagnostics.last?.error else {
            Issue.record("expected singularJacobian, got \(String(describing: objective.f.diagnostics.last))"); return
        }
    }
}
