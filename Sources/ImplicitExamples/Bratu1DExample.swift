import ImplicitDifferentiation

// Use case 6a: the 1-D Bratu / reaction–diffusion problem (see BratuConditions)
//
//     F(θ, u)_i = 2u_i − u_{i−1} − u_{i+1} + θ_i e^{u_i} − f_i = 0
//
// solved by Newton with a matrix-free CG inner solve, differentiated with
// respect to the reaction coefficients θ. Past the threshold the automatic plan
// keeps A lazy (tape sweeps) and solves with CG (A is declared SPD).

extension Examples {
    /// `θ_i = 1 + ½ sin(2π s)`, `f_i = 1 + 2 sin(π s) + ½ cos(7π s)`, `s = (i + 1)/(m + 1)`.
    static func bratuInputs(_ points: [(Double, Double)]) -> (theta: [Double], source: [Double]) {
        let theta = points.map { s, t in 1 + 0.5 * Double.sin(2 * Double.pi * s) * Double.cos(Double.pi * t) }
        let source = points.map { s, t in
            1 + 2 * Double.sin(Double.pi * s) * Double.sin(Double.pi * t) + 0.5 * Double.cos(7 * Double.pi * s * t)
        }
        return (theta, source)
    }

    /// Use case 6a: 1-D Bratu.
    public static let bratu1D = Example(
        name: "bratu1d", title: "1-D Bratu / reaction–diffusion L u + θ∘eᵘ = f (Newton–CG): ∂u/∂θ",
        sizeMeaning: "m = n = size grid points (up to 10⁶)", defaultSize: 10_000, testSize: 50,
        benchmarkSizes: [1000, 10_000, 100_000]
    ) { m in
        let points = (0..<m).map { (Double($0 + 1) / Double(m + 1), 0.5) }
        let (theta, source) = bratuInputs(points)
        let conditions = BratuConditions(nx: m, ny: 1, source: source)
        return ExampleProblem(input: theta, unknowns: m, equations: m, structure: [.symmetric, .positiveDefinite],
                              conditions: conditions, solve: conditions.solve,
                              checks: bratuChecks(conditions, theta: theta), facts: bratuFacts)
    }
}
