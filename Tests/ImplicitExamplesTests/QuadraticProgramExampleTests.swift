import Testing
import ImplicitDifferentiation
import ImplicitExamples
import Optimality

/// The QP-through-KKT worked example against the closed form of the
/// equality-constrained QP on its active set and against finite differences
/// of the whole (enumerating) QP solver; and the sparsemax example's solver
/// against the library's simplex projection.
@Suite struct QuadraticProgramExampleTests {
    @Test(arguments: [6, 12])
    func kktDerivativeMatchesTheClosedFormAndFiniteDifferencesOfTheSolver(m: Int) throws {
        let problem = QuadraticProgram(size: m)
        let root = try ImplicitFunction(kktOf: problem, solver: problem.solve)
        let x = (0..<m).map { 2 * Double.sin(1.9 * Double($0) + 0.4) } + [1, 0.3]
        let lin = try root.linearize(at: x)
        let point = KKTPoint(lin.solution, layout: lin.byproduct)
        let active = point.inequalityMultipliers.filter { $0 > 0 }.count
        #expect(active >= 2 && active < problem.bounded)   // inequalities active, others not
        let exact = problem.closedFormJacobian(point)
        let j = try lin.jacobian()
        #expect(relativeError(j.elements, exact.elements) <= 1e-10)
        let dx = (0..<(m + 2)).map { Double.cos(0.7 * Double($0) + 0.1) }
        let fd = FiniteDifferences.jvp(of: { try! problem.solve($0).flattened }, at: x, tangent: dx)
        #expect(relativeError(try lin.jvp(dx), fd) <= 1e-6)
        // Primal feasibility and complementarity at the returned point.
        let g: [Double] = problem.equalities(x: x, y: point.primal)
        #expect(g.allSatisfy { abs($0) <= 1e-13 })
        #expect(point.primal.prefix(problem.bounded).allSatisfy { $0 >= -1e-13 })
    }

    @Test func exampleRunPassesWithTheTightClosedFormTolerance() {
        let run = Examples.quadraticProgram.run(size: Examples.quadraticProgram.testSize)
        #expect(run.passed, "\(run.failure ?? "") \(run.derivatives.map { "\($0.quantity): \($0.relativeError ?? -1)" })")
        #expect(run.derivatives.filter { $0.reference == .closedForm }.allSatisfy { $0.tolerance == 1e-10 })
        #expect(run.derivatives.count == 4)
    }

    @Test func sparsemaxSolverAgreesWithTheSimplexProjection() {
        let v: [Double] = [0.9, -0.3, 0.5, 0.45, -1, 0.2]
        #expect(zip(Projections.simplex(v), SparsemaxMap.solve(v)).allSatisfy { abs($0 - $1) <= 1e-15 })
    }
}
