import Foundation
import ImplicitDifferentiation
import ImplicitExamples

/// The cost of the Krylov singularity probe (one extra Krylov solve at
/// preparation): the 1-D Bratu example at m = n = 10⁴ on the operator path
/// (CG, from the declared SPD structure), linearize at the known solution
/// then one VJP, probe on against probe off, interleaved.
func runProbeBenchmarks(_ harness: inout BenchmarkHarness) {
    let m = 10_000
    let points = (0..<m).map { (Double($0 + 1) / Double(m + 1), 0.5) }
    let theta = points.map { s, t in 1 + 0.5 * Double.sin(2 * Double.pi * s) * Double.cos(Double.pi * t) }
    let source = points.map { s, t in
        1 + 2 * Double.sin(Double.pi * s) * Double.sin(Double.pi * t) + 0.5 * Double.cos(7 * Double.pi * s * t)
    }
    let conditions = BratuConditions(nx: m, ny: 1, source: source)
    let u = conditions.solve(theta)
    func function(probe: Bool) -> ImplicitFunction<Void, Void> {
        var f = ImplicitFunction(solver: { _ in u }, conditions: conditions, representation: .operator,
                                 structure: [.symmetric, .positiveDefinite])
        f.options.probesKrylovSingularity = probe
        return f
    }
    let on = function(probe: true), off = function(probe: false)
    let ybar = [Double](repeating: 1, count: m)
    let plan = try! on.plan(for: theta, solution: u)
    print("  plan with the probe: \(plan.solver); without: \(try! off.plan(for: theta, solution: u).solver)")
    let row = harness.compare(suite: "probe", name: "bratu1d linearize + VJP, probe on vs off", size: m,
                              baselineName: "probe off", repetitions: 5,
                              candidate: { _ = try! on.linearize(at: theta, solution: u).vjp(ybar) },
                              baseline: { _ = try! off.linearize(at: theta, solution: u).vjp(ybar) })
    print("  probe on \(String(format: "%.3g", row.medianSeconds)) s, off "
          + "\(String(format: "%.3g", row.baselineMedianSeconds ?? 0)) s")
}
