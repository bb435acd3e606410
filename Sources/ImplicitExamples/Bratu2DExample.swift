import ImplicitDifferentiation

// Use case 6b: the 2-D Bratu / reaction–diffusion problem on an N × N grid
// (5-point stencil, see BratuConditions)
//
//     F(θ, u)_p = 4u_p − Σ_{4 neighbours} u_q + θ_p e^{u_p} − f_p = 0
//
// N = 1000 is 10⁶ unknowns: a dense A would need 8 TB, so only the lazy path
// (tape sweeps + CG) is feasible; `--linear-solver lu` is refused up front.

extension Examples {
    /// Use case 6b: 2-D Bratu.
    public static let bratu2D = Example(
        name: "bratu2d", title: "2-D Bratu / reaction–diffusion on an N × N grid (Newton–CG): ∂u/∂θ",
        sizeMeaning: "N = size grid points per side, m = n = N² (N = 1000: 10⁶ unknowns)",
        defaultSize: 100, testSize: 7, benchmarkSizes: [32, 100, 316]
    ) { n in
        let h = 1 / Double(n + 1)
        let points = (0..<(n * n)).map { (k: Int) -> (Double, Double) in
            let i = Double(k % n + 1), j = Double(k / n + 1)
            return (i * h, j * h)
        }
        let (theta, source) = bratuInputs(points)
        let conditions = BratuConditions(nx: n, ny: n, source: source)
        return ExampleProblem(input: theta, unknowns: n * n, equations: n * n,
                              structure: [.symmetric, .positiveDefinite], conditions: conditions,
                              solve: conditions.solve, checks: bratuChecks(conditions, theta: theta),
                              facts: bratuFacts)
    }
}
