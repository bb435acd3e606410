import Foundation
import ImplicitDifferentiation

/// Direct (matrix + LU) against lazy (operator + GMRES) for the two problem
/// families of `PerfProblems.swift`, at m = 10 … 3000 (and the lazy path alone
/// up to 10⁶ for the banded family), and for dense conditions written as
/// scalar loops (`runScalarLoopCrossover`, with `.automatic` beside them):
/// the measurements behind the `.automatic` rule documented on `SolvePlan`.
///
/// Each row is `linearize + 1 VJP` (or `+ 1 JVP`) with the lazy path as the
/// candidate and the matrix path as the baseline, interleaved; ratio < 1 means
/// the lazy path wins. The black-box solver returns the reference solution, so
/// the figures are the derivative's cost alone. Extras: Krylov iterations, the
/// cost of one plain evaluation of F, the tape's node count, what `.automatic`
/// picks, and at m ≥ 1000 the share of the matrix path spent in LAPACK.
func runCrossoverBenchmarks(_ harness: inout BenchmarkHarness) {
    let env = ProcessInfo.processInfo.environment
    let maxDense = Int(env["CROSSOVER_MAX_DENSE"] ?? "") ?? 3000
    let sizes = harness.quick ? [10, 100] : [10, 30, 100, 300, 1000, 3000]
    // CROSSOVER_PROFILE=family:m[:operator] runs only that path's linearize + VJP
    // five times (for `perf record`), and records nothing.
    if let spec = env["CROSSOVER_PROFILE"]?.split(separator: ":"), spec.count >= 2, let m = Int(spec[1]) {
        let y = referenceSolution(m), probe = probeVector(m)
        let lazy = spec.count > 2 && spec[2] == "operator"
        func run<C: ImplicitConditions>(_ c: C, _ x: [Double]) {
            let f = ImplicitFunction(solver: { _ in y }, conditions: c,
                                     linearSolver: lazy ? .gmres(restart: 30, options: benchKrylovOptions) : .lu,
                                     representation: lazy ? .operator : .matrix)
            for _ in 0..<(Int(env["CROSSOVER_PROFILE_REPS"] ?? "") ?? 5) { _ = try! f.linearize(at: x).vjp(probe) }
        }
        if spec[0] == "dense" {
            let c = DenseTanhConditions(m: m)
            run(c, c.input(for: y))
        } else {
            run(StencilReactionConditions(), StencilReactionConditions.input(for: y))
        }
        return
    }
    // CROSSOVER_FAMILIES (comma list of dense, banded, lse, lazy; default all) selects families.
    let families = Set((env["CROSSOVER_FAMILIES"] ?? "dense,banded,lse,lazy").split(separator: ",").map(String.init))
    for family in ["dense", "banded"] where families.contains(family) {
        for m in sizes where family == "banded" || m <= maxDense {
            if family == "dense" {
                let c = DenseTanhConditions(m: m)
                crossoverRow(&harness, family: family, m: m, conditions: c, x: c.input(for: referenceSolution(m)))
            } else {
                crossoverRow(&harness, family: family, m: m, conditions: StencilReactionConditions(),
                             x: StencilReactionConditions.input(for: referenceSolution(m)))
            }
        }
    }
    // Dense conditions written as scalar loops (CrossoverScalarLoopBenchmarks.swift).
    if families.contains("lse") { runScalarLoopCrossover(&harness) }
    // The lazy path alone, where a dense A would not fit.
    for m in families.contains("lazy") ? (harness.quick ? [10_000] : [10_000, 100_000, 1_000_000]) : [] {
        lazyScalingRow(&harness, m: m)
    }
}

private func repetitions(_ m: Int) -> Int { m <= 100 ? 15 : m <= 300 ? 7 : m <= 1000 ? 3 : 1 }

private func crossoverRow<C: ImplicitConditions>(_ harness: inout BenchmarkHarness, family: String, m: Int,
                                                 conditions: C, x: [Double]) {
    let y = referenceSolution(m)
    let probe = probeVector(m)
    let solver: @Sendable ([Double]) -> [Double] = { _ in y }
    let direct = ImplicitFunction(solver: solver, conditions: conditions, linearSolver: .lu, representation: .matrix)
    let lazy = ImplicitFunction(solver: solver, conditions: conditions,
                                linearSolver: .gmres(restart: 30, options: benchKrylovOptions),
                                representation: .operator)
    let automatic = ImplicitFunction(solver: solver, conditions: conditions)
    let reps = repetitions(m)

    // Agreement of the two paths (a benchmark of wrong answers is worthless).
    let vd = try! direct.linearize(at: x).vjp(probe)
    let lazyLin = try! lazy.linearize(at: x)
    let vl = try! lazyLin.vjp(probe)
    let diff = zip(vd, vl).map { abs($0 - $1) }.max()! / max(vd.map(abs).max()!, 1e-300)
    let iterations = Double(lazyLin.report.krylovIterations)
    let applications = Double(lazyLin.report.operatorApplications)

    // Cost of one plain evaluation and the tape's size: the inputs of a cost model.
    let tEval = harness.median(repetitions: reps) { _ = conditions(x: x, y: y) }
    let nodes = Double(AD.linearize(Bivariate(conditions: conditions), x: x, y: y).recording.nodeCount)
    let plan = try! automatic.plan(for: x)

    var row = harness.compare(suite: "crossover", name: "\(family) lin+VJP: GMRES(op) / LU(matrix)", size: m,
                              baselineName: "matrix + LU", repetitions: reps,
                              candidate: { _ = try! lazy.linearize(at: x).vjp(probe) },
                              baseline: { _ = try! direct.linearize(at: x).vjp(probe) })
    var extra: [String: Double] = [
        "krylovIterations": iterations, "operatorApplications": applications, "evalSeconds": tEval,
        "tapeNodes": nodes, "pathsRelativeDifference": diff,
        "automaticIsMatrix": plan.representation == .matrix ? 1 : 0,
    ]
    if m >= 1000 {
        // Share of the matrix path inside LAPACK: factor + transposed solve of
        // the same A, against the whole linearize + VJP measured just above.
        let a = AD.jacobians(of: Bivariate(conditions: conditions), x: x, y: y, withRespectTo: .y).y!
        let tLapack = harness.median(repetitions: reps) {
            _ = try! LUFactorization(a).solve(probe, transposed: true)
        }
        let tMaterialize = harness.median(repetitions: reps) {
            _ = AD.jacobians(of: Bivariate(conditions: conditions), x: x, y: y, withRespectTo: .y)
        }
        extra["lapackSeconds"] = tLapack
        extra["lapackShare"] = tLapack / row.baselineMedianSeconds!
        extra["materializeSeconds"] = tMaterialize
    }
    row.extra = extra
    harness.replaceLast(with: row)

    harness.compare(suite: "crossover", name: "\(family) lin+JVP: GMRES(op) / LU(matrix)", size: m,
                    baselineName: "matrix + LU", repetitions: reps,
                    candidate: { _ = try! lazy.linearize(at: x).jvp(probe) },
                    baseline: { _ = try! direct.linearize(at: x).jvp(probe) })
    // Ten products on one linearization: the factorization is reused, the
    // Krylov solve is not (where the crossover moves when products repeat).
    if m <= 1000 {
        let cotangents = (0..<10).map { s in (0..<m).map { cos(0.91 * Double($0 + 1) + Double(s)) } }
        harness.compare(suite: "crossover", name: "\(family) lin+10 VJPs: GMRES(op) / LU(matrix)", size: m,
                        baselineName: "matrix + LU", repetitions: reps,
                        candidate: { let l = try! lazy.linearize(at: x); for c in cotangents { _ = try! l.vjp(c) } },
                        baseline: { let l = try! direct.linearize(at: x); for c in cotangents { _ = try! l.vjp(c) } })
    }
}

/// Lazy path alone on the banded family: time, iterations, memory per unknown,
/// and the cost of one Krylov iteration against its parts (one tape sweep plus
/// GMRES's own vector kernels, measured by the same GMRES on a diagonal operator
/// forced to run the same number of iterations).
func lazyScalingRow(_ harness: inout BenchmarkHarness, m: Int) {
    let y = referenceSolution(m)
    let x = StencilReactionConditions.input(for: y)
    let probe = probeVector(m)
    let conditions = StencilReactionConditions()
    let lazy = ImplicitFunction(solver: { _ in y }, conditions: conditions,
                                linearSolver: .gmres(restart: 30, options: benchKrylovOptions),
                                representation: .operator)
    let reps = m >= 1_000_000 ? 3 : 7
    _ = try! lazy.linearize(at: x).vjp(probe)
    let before = residentBytes()
    resetPeakResidentMark()
    let lin = try! lazy.linearize(at: x)
    _ = try! lin.vjp(probe)
    let peakDelta = Double(max(0, peakResidentBytes() - before))
    let t = harness.median(repetitions: reps) { _ = try! lazy.linearize(at: x).vjp(probe) }
    let tLinearize = harness.median(repetitions: reps) { _ = try! lazy.linearize(at: x) }

    // One Krylov solve on the recorded conditions, and its parts.
    let tape = AD.linearize(Bivariate(conditions: conditions), x: x, y: y)
    let op = ClosureOperator(rows: m, columns: m,
                             apply: { v, out in tape.jvp(dx: nil, dy: v, into: &out) },
                             applyTransposed: { u, out in tape.vjp(u, intoY: &out) })
    let gmres = try! GMRES(restart: 30, options: benchKrylovOptions)
    let result = gmres.solveTransposed(op, probe)
    let k = result.statistics.iterations, apps = result.statistics.operatorApplications
    let tSolve = harness.median(repetitions: reps) { _ = gmres.solveTransposed(op, probe) }
    var out = [Double](repeating: 0, count: m)
    let tApply = harness.median(repetitions: reps) { tape.vjp(probe, intoY: &out) }
    let diag = DiagonalOperator(diagonal: (0..<m).map { 1 + Double($0) / Double(m) })
    let forced = try! GMRES(restart: 30, options: KrylovOptions(absoluteTolerance: 0, relativeTolerance: 0,
                                                                 maxIterations: k))
    let tVectors = harness.median(repetitions: reps) { _ = forced.solveTransposed(diag, probe) }
    let parts = Double(apps) * tApply + tVectors
    harness.record(.init(
        suite: "crossover", name: "banded lin+VJP: GMRES(op) only", size: m, medianSeconds: t,
        baselineName: "Krylov iteration / (sweep + vector kernels)", baselineMedianSeconds: parts,
        ratio: tSolve / parts,
        extra: ["krylovIterations": Double(k), "operatorApplications": Double(apps), "linearizeSeconds": tLinearize,
                "solveSeconds": tSolve, "sweepSeconds": tApply, "vectorKernelSeconds": tVectors,
                "peakBytesPerUnknown": peakDelta / Double(m)]))
}
