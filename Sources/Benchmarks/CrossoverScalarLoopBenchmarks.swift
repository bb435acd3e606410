import Foundation
import ImplicitDifferentiation
import ImplicitExamples

/// The crossover on a family the automatic rule was not tuned on: dense
/// conditions written as plain scalar loops (`LogSumExpConditions`, `m²`
/// exponentials per evaluation of `F`), m = 50 … 800.
///
/// Three implicit functions on the same conditions, the black box returning
/// the solution: `.matrix` + LU, `.operator` + GMRES(30) to 1e-10, and
/// `.automatic` (with the same Krylov tolerance), each timed through the
/// public one-call API (`vjp(at:cotangent:)`, `jacobian(at:)`), so that a
/// plan that counts products sees one product or a full Jacobian. Rows:
///
///     lse VJP: GMRES(op) / LU(matrix)          Krylov iterations, one plain F, tape size
///     lse VJP: automatic / LU(matrix)          automaticOverBest, automaticIsMatrix
///     lse Jacobian: GMRES(op) / LU(matrix)     up to CROSSOVER_LSE_MAX_LAZY_JACOBIAN (default 400)
///     lse Jacobian: automatic / LU(matrix)     automaticOverBest (÷ the faster measured path)
///
/// `automaticIsMatrix` is the plan for one product; every row also carries
/// the relative difference of its derivative to the matrix path's.
/// A body that takes over 2 s once is not repeated. `CROSSOVER_LSE_SIZES`
/// (comma list) picks the sizes.
func runScalarLoopCrossover(_ harness: inout BenchmarkHarness) {
    let env = ProcessInfo.processInfo.environment
    let sizes = env["CROSSOVER_LSE_SIZES"].map { $0.split(separator: ",").compactMap { Int($0) } }
        ?? (harness.quick ? [50, 100] : [50, 100, 200, 400, 800])
    let maxLazyJacobian = Int(env["CROSSOVER_LSE_MAX_LAZY_JACOBIAN"] ?? "") ?? 400
    for m in sizes {
        let conditions = LogSumExpConditions(m: m)
        let x = LogSumExpConditions.input(m)
        let y = conditions.solve(x)
        let probe = probeVector(m)
        let solver: @Sendable ([Double]) -> [Double] = { _ in y }
        let direct = ImplicitFunction(solver: solver, conditions: conditions, linearSolver: .lu,
                                      representation: .matrix)
        let lazy = ImplicitFunction(solver: solver, conditions: conditions,
                                    linearSolver: .gmres(restart: 30, options: benchKrylovOptions),
                                    representation: .operator)
        var tuned = ImplicitFunction(solver: solver, conditions: conditions)
        tuned.options.krylovOptions = benchKrylovOptions
        let automatic = tuned
        let plan = try! automatic.plan(for: x)
        let reps = m <= 100 ? 7 : m <= 200 ? 5 : 3

        // Agreement and the cost-model inputs.
        let vd = try! direct.vjp(at: x, cotangent: probe)
        let lazyLin = try! lazy.linearize(at: x)
        let vl = try! lazyLin.vjp(probe), va = try! automatic.vjp(at: x, cotangent: probe)
        let tEval = harness.median(repetitions: reps) { _ = conditions(x: x, y: y) }
        let nodes = Double(AD.linearize(Bivariate(conditions: conditions), x: x, y: y).recording.nodeCount)

        let vjp = [("matrix", { _ = try! direct.vjp(at: x, cotangent: probe) }),
                   ("operator", { _ = try! lazy.vjp(at: x, cotangent: probe) }),
                   ("automatic", { _ = try! automatic.vjp(at: x, cotangent: probe) })]
        let tv = vjp.map { budgetedMedian(harness, repetitions: reps, $0.1) }
        harness.record(.init(
            suite: "crossover", name: "lse VJP: GMRES(op) / LU(matrix)", size: m, medianSeconds: tv[1],
            baselineName: "matrix + LU", baselineMedianSeconds: tv[0], ratio: tv[1] / tv[0],
            extra: ["krylovIterations": Double(lazyLin.report.krylovIterations),
                    "operatorApplications": Double(lazyLin.report.operatorApplications),
                    "evalSeconds": tEval, "tapeNodes": nodes,
                    "pathsRelativeDifference": relativeDifference(vl, vd)]))
        harness.record(.init(
            suite: "crossover", name: "lse VJP: automatic / LU(matrix)", size: m, medianSeconds: tv[2],
            baselineName: "matrix + LU", baselineMedianSeconds: tv[0], ratio: tv[2] / tv[0],
            extra: ["automaticOverBest": tv[2] / min(tv[0], tv[1]),
                    "automaticIsMatrix": plan.representation == .matrix ? 1 : 0,
                    "automaticRelativeDifference": relativeDifference(va, vd)]))

        let jd = try! direct.jacobian(at: x).elements, ja = try! automatic.jacobian(at: x).elements
        let tMatrix = budgetedMedian(harness, repetitions: reps) { _ = try! direct.jacobian(at: x) }
        let tAutomatic = budgetedMedian(harness, repetitions: reps) { _ = try! automatic.jacobian(at: x) }
        var tLazy: Double? = nil
        if m <= maxLazyJacobian {
            let t = budgetedMedian(harness, repetitions: reps) { _ = try! lazy.jacobian(at: x) }
            tLazy = t
            harness.record(.init(
                suite: "crossover", name: "lse Jacobian: GMRES(op) / LU(matrix)", size: m, medianSeconds: t,
                baselineName: "matrix + LU", baselineMedianSeconds: tMatrix, ratio: t / tMatrix))
        }
        harness.record(.init(
            suite: "crossover", name: "lse Jacobian: automatic / LU(matrix)", size: m, medianSeconds: tAutomatic,
            baselineName: "matrix + LU", baselineMedianSeconds: tMatrix, ratio: tAutomatic / tMatrix,
            extra: ["automaticOverBest": tAutomatic / min(tMatrix, tLazy ?? .infinity),
                    "automaticRelativeDifference": relativeDifference(ja, jd)]))
        print("  lse m = \(m): VJP matrix \(String(format: "%.3g", tv[0])) s, operator \(String(format: "%.3g", tv[1]))"
              + " s, automatic \(String(format: "%.3g", tv[2])) s; Jacobian matrix \(String(format: "%.3g", tMatrix))"
              + " s, operator \(tLazy.map { String(format: "%.3g s", $0) } ?? "not run"), automatic "
              + "\(String(format: "%.3g", tAutomatic)) s; plan: \(plan)")
    }
}

/// The median of `repetitions` runs after one warm-up, or the single first
/// run when that already took more than 2 s.
private func budgetedMedian(_ harness: BenchmarkHarness, repetitions: Int, _ body: () -> Void) -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    body()
    let first = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    if first > 2 { return first }
    return harness.median(repetitions: repetitions, body)
}

/// `max|a − b| / max|b|`.
func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) }.max()! / max(b.map(abs).max()!, 1e-300)
}
