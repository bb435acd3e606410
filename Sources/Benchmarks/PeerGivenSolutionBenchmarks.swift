import Foundation
import ImplicitDifferentiation
import ImplicitExamples

// The Swift half of the `scripts/bench-peers` rows that time a derivative
// given the solution y (the black box returns a stored y; both sides run the
// same y, so the figures are the derivative's cost alone):
//
//   bratu2d  2-D five-point Bratu on an N × N grid (`BratuConditions`, D = 1,
//            θ and f as in the examples library's `bratu2d`), the gradient of
//            L(u) = ½‖u‖² with respect to θ: one VJP with ȳ = u.
//   lse      `LogSumExpConditions` (dense, written as scalar loops), m = 200:
//            one VJP and one JVP with the probe vector cos(0.91·(i+1)).
//
// Ours under `.automatic` and under explicit alternatives (`.sparse`, with
// and without `.cholesky`, or `.operator` + GMRES, and a Krylov plan without
// the singularity probe), every Krylov solve to ‖r‖ ≤ 1e-10‖b‖. Writes
// `peer-given-results.json` (or `$PEERS_GIVEN_JSON`) with the solution, the
// timings, the plans, the derivatives and one plain `F` (the floor), which `scripts/peers.py` checks
// against a reference of its own and against the peers.
// `PEERS_PROBLEMS` (comma list) selects problems; `PEERS_BRATU_GRIDS`
// (default `100,300`) the grid sides; `PEERS_BRATU_VARIANTS` (comma list of
// variant names, e.g. `automatic`) the bratu2d variants, and
// `PEERS_BRATU_REPETITIONS` their repetitions (for a profile).

private struct GivenSolutionRow: Codable {
    var op: String
    var variant: String
    var plan: String
    var seconds: Double
    var derivative: [Double]
}

private struct GivenSolutionProblem: Codable {
    var problem: String
    var size: Int
    var grid: Int?
    var solution: [Double]
    var rows: [GivenSolutionRow]
    /// One plain evaluation of `F` at the solution (median), the floor each derivative is counted in.
    var plainSeconds: Double?
}

/// θ and f of the 2-D Bratu row at the grid points ((i+1)h, (j+1)h), p = i + N·j.
func bratu2DInputs(_ n: Int) -> (theta: [Double], source: [Double]) {
    let h = 1 / Double(n + 1)
    var theta: [Double] = [], source: [Double] = []
    for p in 0..<(n * n) {
        let s = Double(p % n + 1) * h, t = Double(p / n + 1) * h
        theta.append(1 + 0.5 * sin(2 * Double.pi * s) * cos(Double.pi * t))
        source.append(1 + 2 * sin(Double.pi * s) * sin(Double.pi * t) + 0.5 * cos(7 * Double.pi * s * t))
    }
    return (theta, source)
}

func selectedPeerProblems(_ all: [String]) -> [String] {
    guard let list = ProcessInfo.processInfo.environment["PEERS_PROBLEMS"], !list.isEmpty else { return all }
    let chosen = Set(list.split(separator: ",").map(String.init))
    return all.filter(chosen.contains)
}

func runGivenSolutionPeerBenchmarks(_ harness: inout BenchmarkHarness) {
    var problems: [GivenSolutionProblem] = []
    let env = ProcessInfo.processInfo.environment
    let selected = selectedPeerProblems(["bratu2d", "lse"])
    if selected.contains("bratu2d") {
        let grids = env["PEERS_BRATU_GRIDS"].map { $0.split(separator: ",").compactMap { Int($0) } }
            ?? (harness.quick ? [30] : [100, 300])
        for n in grids {
            let (theta, source) = bratu2DInputs(n)
            let conditions = BratuConditions(nx: n, ny: n, source: source)
            let u = conditions.solve(theta)
            let spd: OperatorStructure = [.symmetric, .positiveDefinite]
            let variants: [(String, Representation, LinearSolver, OperatorStructure, Bool)] = [
                ("automatic", .automatic, .automatic, [], true),
                ("automatic, SPD declared", .automatic, .automatic, spd, true),
                ("automatic, SPD declared, no singularity probe", .automatic, .automatic, spd, false),
                ("sparse", .sparse, .automatic, [], true),
                ("sparse + cholesky (CHOLMOD)", .sparse, .cholesky, [], true),
            ]
            let chosenVariants = env["PEERS_BRATU_VARIANTS"].map { Set($0.split(separator: ",").map(String.init)) }
            let repetitions = env["PEERS_BRATU_REPETITIONS"].flatMap { Int($0) } ?? (n >= 300 ? 5 : 11)
            var rows: [GivenSolutionRow] = []
            for (name, representation, linearSolver, structure, probes) in variants
            where chosenVariants?.contains(name) ?? true {
                var f = ImplicitFunction(solver: { _ in u }, conditions: conditions, linearSolver: linearSolver,
                                         representation: representation, structure: structure)
                f.options.krylovOptions = benchKrylovOptions
                f.options.probesKrylovSingularity = probes
                let root = f
                let plan = try! root.plan(for: theta)
                // The gradient of L(u) = ½‖u‖²: ȳ = u.
                let gradient = { try! root.vjp(at: theta, cotangent: try! root(theta)) }
                let t = harness.median(repetitions: repetitions) { _ = gradient() }
                harness.record(.init(suite: "peers", name: "bratu2d grad ½‖u‖² (\(name))", size: n * n,
                                     medianSeconds: t))
                rows.append(GivenSolutionRow(op: "vjp", variant: name, plan: plan.description, seconds: t,
                                             derivative: gradient()))
                print("  bratu2d N = \(n) \(name): \(String(format: "%.3g", t)) s; \(plan)")
            }
            let tF = harness.median(repetitions: 5 * repetitions) { _ = conditions(x: theta, y: u) }
            problems.append(GivenSolutionProblem(problem: "bratu2d", size: n * n, grid: n, solution: u, rows: rows,
                                                 plainSeconds: tF))
        }
    }
    if selected.contains("lse") {
        for m in harness.quick ? [50] : [200] {
            let conditions = LogSumExpConditions(m: m)
            let x = LogSumExpConditions.input(m)
            let y = conditions.solve(x)
            let probe = probeVector(m)
            let gmres = LinearSolver.gmres(restart: 30, options: benchKrylovOptions)
            let variants: [(String, Representation, LinearSolver, Bool)] = [
                ("automatic", .automatic, .automatic, true),
                ("operator + GMRES", .operator, gmres, true),
                ("operator + GMRES, no singularity probe", .operator, gmres, false),
                ("matrix + LU (A by dual passes)", .matrix, .lu, true),
            ]
            var rows: [GivenSolutionRow] = []
            // PEERS_LSE_VARIANTS=automatic (comma list of variant names; default all) for profiling one path.
            let only = env["PEERS_LSE_VARIANTS"].map { Set($0.split(separator: ",").map(String.init)) }
            for (name, representation, solver, probes) in variants where only?.contains(name) ?? true {
                var f = ImplicitFunction(solver: { _ in y }, conditions: conditions, linearSolver: solver,
                                         representation: representation)
                f.options.krylovOptions = benchKrylovOptions
                f.options.probesKrylovSingularity = probes
                let root = f
                let plan = try! root.plan(for: x)
                let products: [(String, () -> [Double])] = [
                    ("vjp", { try! root.vjp(at: x, cotangent: probe) }),
                    ("jvp", { try! root.jvp(at: x, tangent: probe) }),
                ]
                for (op, product) in products {
                    let t = harness.median(repetitions: 11) { _ = product() }
                    harness.record(.init(suite: "peers", name: "lse \(op) (\(name))", size: m, medianSeconds: t))
                    rows.append(GivenSolutionRow(op: op, variant: name, plan: plan.description, seconds: t,
                                                 derivative: product()))
                    print("  lse m = \(m) \(op) \(name): \(String(format: "%.3g", t)) s; \(plan)")
                }
            }
            let tF = harness.median(repetitions: 55) { _ = conditions(x: x, y: y) }
            // Where the accumulated plan's time goes, in units of one plain F.
            let bivariate = BivariateConditions(conditions: conditions)
            let tape = AD.linearize(bivariate, x: x, y: y)
            // Nodes reserved, as the VJP's recording reserves them (no growth while recording).
            let capacity = tape.recording.nodeCount
            let tRecord = harness.median(repetitions: 11) { _ = AD.linearize(bivariate, x: x, y: y, capacity: capacity) }
            let tSweep = harness.median(repetitions: 11) { _ = tape.vjp(probe) }
            let tAccumulate = harness.median(repetitions: 11) { _ = tape.accumulatedJacobians(sharedEntryLimit: Int.max / 2) }
            let a = tape.accumulatedJacobians(sharedEntryLimit: Int.max / 2)!.y
            let tLU = harness.median(repetitions: 11) { _ = try! LUFactorization(a) }
            func inF(_ t: Double) -> String { String(format: "%.2f F", t / tF) }
            print("  lse m = \(m) parts: plain F \(String(format: "%.3g", tF * 1e6)) µs (\(tape.recording.nodeCount) nodes); "
                  + "recording \(inF(tRecord)), one reverse sweep \(inF(tSweep)), accumulation of A and B "
                  + "\(inF(tAccumulate)), dense LU \(inF(tLU))")
            problems.append(GivenSolutionProblem(problem: "lse", size: m, grid: nil, solution: y, rows: rows,
                                                 plainSeconds: tF))
        }
    }
    let path = env["PEERS_GIVEN_JSON"] ?? "peer-given-results.json"
    do {
        try JSONEncoder().encode(problems).write(to: URL(fileURLWithPath: path))
        print("given-solution peer results written to \(path)")
    } catch {
        print("could not write \(path): \(error)")
    }
}
