import ImplicitDifferentiation
import ImplicitExamples
import Testing

/// The 2-D Bratu example unscaled on the unit square (`--unit-square`):
/// condition number ≈ 0.4 (N + 1)², IC(0)-preconditioned Krylov solves.
@Suite struct UnitSquareBratuTests {
    static let size = 48   // m = 2304, cond(A) ≈ 1000

    static func settings(_ representation: Representation, _ solver: LinearSolver) -> RunSettings {
        var s = RunSettings(linearSolver: solver, representation: representation)
        s.unitSquare = true
        return s
    }

    @Test("on the unit square, IC(0)-preconditioned CG matches the references and stays under its iteration bound",
          arguments: [(Representation.operator, LinearSolver.automatic), (.sparse, .cg())])
    func unitSquareConverges(representation: Representation, solver: LinearSolver) throws {
        let example = try #require(Examples.named("bratu2d"))
        let run = example.run(size: Self.size, settings: Self.settings(representation, solver))
        #expect(run.failure == nil, "\(run.failure ?? "")")
        #expect(run.solver == "cg", "\(run.solver ?? "nil"): \(run.reason ?? "")")
        for d in run.derivatives where d.skipped == nil {
            let error = try #require(d.relativeError)
            // The VJP's reference is the hand-derived −eᵘ∘A⁻¹ȳ (IC(0)-CG to 1e-13); the JVP's, central differences.
            let bound = d.reference == .closedForm ? 1e-10 : 1e-6
            #expect(error <= bound, "\(d.mode) \(d.quantity): relative error \(error)")
            #expect(d.krylovIterations <= 80, "\(d.mode): \(d.krylovIterations) CG iterations")
        }
        #expect(run.passed)
    }

    @Test("without the preconditioner, CG on the same unit-square A needs at least twice the iterations")
    func preconditionerMatters() throws {
        let n = Self.size, h = 1 / Double(n + 1)
        let theta = (0..<(n * n)).map { 1 + 0.5 * Double.sin(2 * Double.pi * Double($0 % n + 1) * h) }
        let source = [Double](repeating: 1, count: n * n)
        let conditions = BratuConditions(nx: n, ny: n, diffusion: Double((n + 1) * (n + 1)), source: source)
        let u = conditions.solve(theta, preconditioned: true)
        let tight = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)
        let plain = ImplicitFunction(solver: { _ in u }, conditions: conditions, linearSolver: .cg(options: tight),
                                     representation: .operator)
        var preconditioned = plain
        preconditioned.preconditioner = conditions.incompleteCholeskyFactory
        let ybar = (0..<(n * n)).map { Double.cos(Double($0)) }
        let a = try plain.linearize(at: theta, solution: u), b = try preconditioned.linearize(at: theta, solution: u)
        let va = try a.vjp(ybar), vb = try b.vjp(ybar)
        let difference = zip(va, vb).map { abs($0 - $1) }.max()!, scale = va.map { abs($0) }.max()!
        #expect(difference <= 1e-9 * scale)
        let plainIterations = a.report.krylovIterations, icIterations = b.report.krylovIterations
        print("unit square N = \(n): CG \(plainIterations) iterations, IC(0)-CG \(icIterations)")
        #expect(icIterations > 0 && 2 * icIterations <= plainIterations,
                "IC(0)-CG \(icIterations) iterations, CG \(plainIterations)")
    }
}
