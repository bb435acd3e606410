import ImplicitDifferentiation

// Use case 6b: the 2-D Bratu / reaction–diffusion problem on an N × N grid
// (5-point stencil, see BratuConditions)
//
//     F(θ, u)_p = D (4u_p − Σ_{4 neighbours} u_q) + θ_p e^{u_p} − f_p = 0
//
// D = 1 (grid units, condition number a few tens) by default; on the unit
// square (`RunSettings.unitSquare`, `--unit-square`) D = (N + 1)², the
// unscaled −Δu + θ eᵘ = f with condition number ≈ 0.4 (N + 1)², and every
// Krylov solve (the forward Newton steps, the references, the implicit
// layer's) is preconditioned by IC(0) of the stencil.
//
// N = 1000 is 10⁶ unknowns: a dense A would need 8 TB, so only the lazy and
// sparse paths are feasible; `--linear-solver lu` on the matrix path is refused up front.

extension Examples {
    /// Use case 6b: 2-D Bratu.
    public static let bratu2D = Example(
        name: "bratu2d", title: "2-D Bratu / reaction–diffusion on an N × N grid (Newton–CG): ∂u/∂θ",
        sizeMeaning: "N = size grid points per side, m = n = N² (N = 1000: 10⁶ unknowns); "
            + "--unit-square: unscaled on the unit square, IC(0)-preconditioned",
        defaultSize: 100, testSize: 7, benchmarkSizes: [32, 100, 316],
        makeForSettings: { (n: Int, settings: RunSettings) -> ExampleProblem<Void> in
        let h = 1 / Double(n + 1)
        let points = (0..<(n * n)).map { (k: Int) -> (Double, Double) in
            let i = Double(k % n + 1), j = Double(k / n + 1)
            return (i * h, j * h)
        }
        let (theta, source) = bratuInputs(points)
        guard settings.unitSquare else {
            let conditions = BratuConditions(nx: n, ny: n, source: source)
            return ExampleProblem(input: theta, unknowns: n * n, equations: n * n,
                                  structure: [.symmetric, .positiveDefinite], conditions: conditions,
                                  solve: conditions.solve, checks: bratuChecks(conditions, theta: theta),
                                  facts: bratuFacts)
        }
        let conditions = BratuConditions(nx: n, ny: n, diffusion: Double((n + 1) * (n + 1)), source: source)
        let structure: OperatorStructure = [.symmetric, .positiveDefinite]
        return ExampleProblem(
            input: theta, unknowns: n * n, equations: n * n, structure: structure,
            solve: { x in (conditions.solve(x, preconditioned: true), ()) },
            makeFunction: { solver, linearSolver, representation, options in
                var f = ImplicitFunction(solver: { x in try solver(x).y }, conditions: conditions,
                                         linearSolver: linearSolver, representation: representation,
                                         structure: structure, options: options)
                f.preconditioner = conditions.incompleteCholeskyFactory
                return f
            },
            checks: bratuChecks(conditions, theta: theta, preconditioned: true),
            facts: { y, _ in bratuFacts(y) })
        })
}
