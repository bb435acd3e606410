import Foundation
import ImplicitDifferentiation
import ImplicitExamples

/// The structure acceptance rows of issue 14, each against one plain
/// evaluation of `F` on `Double` measured in the same run (interleaved):
///
/// ```
/// diagonal A (√ by y∘y − x), m = 10⁵:            linearize(at:solution:) + one JVP   goal ≤ 5× F
/// 1-D Bratu (tridiagonal), m = 10⁴, 10⁵, 10⁶:     linearize(at:solution:) + one VJP   goal ≤ 10× F, memory linear in m
/// 2-D Bratu on the unit square, N = 1000 (10⁶):   linearize + one VJP by CHOLMOD and by IC(0)-CG
/// ```
///
/// Every row uses an explicit representation and solver (`.sparse`,
/// `.cholesky`, `.cg`); the `.automatic` rows show whatever the automatic
/// plan picks in this build (the 2-D one only with `STRUCTURE_AUTOMATIC_2D=1`:
/// an unpreconditioned Krylov plan may not finish at 10⁶ unknowns on the
/// unit square). Each problem prints its colours against the maximum number
/// of non-zeros per row of `A`, and its peak memory: the growth of VmHWM
/// over VmRSS during one more linearize + product, after resetting VmHWM
/// (`/proc/self/clear_refs`). The 1-D rows also record the median count of
/// minor page faults per timed call: a call whose large buffers the allocator
/// maps afresh (or whose heap top it trimmed after the previous call) touches
/// every page again, and that cost depends on the heap's history, not on the
/// plan. `--quick` runs 10⁴, 10⁴…10⁵ and N = 100.
///
/// `STRUCTURE_ONLY=diagonal|1d|2d` runs one problem; `STRUCTURE_2D_N=300` sets the 2-D grid side.
///
/// The 1-D rows run ``BratuConditions``, which writes `F` in place
/// (``ImplicitConditions/evaluate(x:y:into:)``); one more row at each size runs the same
/// conditions through ``ReturningConditions`` (the returning form only, as conditions that do not
/// implement the in-place form are evaluated) under `.automatic`.
///
/// Profiling hook: `STRUCTURE_PROFILE=<sparse|automatic|returning>-<m>` with `STRUCTURE_ITERATIONS=<count>`
/// (default 100) runs only the warm 1-D Bratu linearize + VJP of that row in a loop, for `perf record`
/// (`returning`: `.automatic` on ``ReturningConditions``).
func runStructureBenchmarks(_ harness: inout BenchmarkHarness) {
    let environment = ProcessInfo.processInfo.environment
    if let spec = environment["STRUCTURE_PROFILE"] {
        profileBratu1D(spec, iterations: environment["STRUCTURE_ITERATIONS"].flatMap { Int($0) } ?? 100)
        return
    }
    let only = environment["STRUCTURE_ONLY"]
    if only == nil || only == "diagonal" { structureDiagonalRows(&harness, m: harness.quick ? 10_000 : 100_000) }
    if only == nil || only == "1d" {
        for m in harness.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000] { structureBratu1DRows(&harness, m: m) }
    }
    if only == nil || only == "2d" {
        structureBratu2DRows(&harness, n: environment["STRUCTURE_2D_N"].flatMap { Int($0) } ?? (harness.quick ? 100 : 1000))
    }
}

/// Diagonal `A`: `F = y∘y − x` at `y = √x`, linearize + one JVP given `y`.
func structureDiagonalRows(_ harness: inout BenchmarkHarness, m: Int) {
    let x = (0..<m).map { 1 + Double($0 % 97) / 10 }
    let y = x.map { $0.squareRoot() }
    let conditions = SquareRootEquationConditions()
    let dx = (0..<m).map { Double.cos(Double($0)) }
    let plainF: () -> Void = { _ = conditions(x: x, y: y) }
    describeStructure(conditions, x: x, y: y, name: "diagonal (y∘y − x)")
    for (label, representation) in [("sparse", Representation.sparse), ("automatic", .automatic)] {
        let f = ImplicitFunction(solver: { _ in y }, conditions: conditions, representation: representation)
        let run = { _ = try! f.linearize(at: x, solution: y).jvp(dx) }
        do {
            let lin = try! f.linearize(at: x, solution: y)
            print("  diagonal m = \(m) \(label): plan \(lin.plan.solver), \(lin.solverSummary.kind); \(lin.plan.note ?? "")")
        }
        let peak = peakResidentIncrease(run)
        let row = harness.compare(suite: "structure", name: "diagonal linearize + JVP (\(label))", size: m,
                                  baselineName: "plain F", repetitions: label == "automatic" ? 3 : 11,
                                  candidate: run, baseline: plainF)
        reportRow(&harness, row, goal: 5, peak: peak, m: m)
    }
}

/// The 1-D Bratu problem of ``structureBratu1DRows(_:m:)``: conditions, `θ`, `u` and a cotangent.
func bratu1DProblem(m: Int) -> (BratuConditions, [Double], [Double], [Double]) {
    let s = (0..<m).map { Double($0 + 1) / Double(m + 1) }
    let theta = s.map { 1 + 0.5 * Double.sin(2 * Double.pi * $0) }
    let source = s.map { 1 + 2 * Double.sin(Double.pi * $0) + 0.5 * Double.cos(7 * Double.pi * $0) }
    let conditions = BratuConditions(nx: m, ny: 1, source: source)
    return (conditions, theta, conditions.solve(theta), (0..<m).map { Double.sin(0.1 * Double($0)) })
}

/// Conditions that give only the returning form of `base` (the in-place form is the protocol's
/// default, which assigns it): how conditions that do not implement the in-place form are evaluated.
struct ReturningConditions<Base: ImplicitConditions>: ImplicitConditions {
    let base: Base

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { base(x: x, y: y) }
}

/// `STRUCTURE_PROFILE=<sparse|automatic|returning>-<m>`: the warm linearize + VJP of one 1-D Bratu
/// row, `iterations` times.
func profileBratu1D(_ spec: String, iterations: Int) {
    let parts = spec.split(separator: "-").map(String.init)
    precondition(parts.count == 2 && ["sparse", "automatic", "returning"].contains(parts[0]) && Int(parts[1]) != nil,
                 "STRUCTURE_PROFILE=<sparse|automatic|returning>-<m>")
    let (conditions, theta, u, ybar) = bratu1DProblem(m: Int(parts[1])!)
    if parts[0] == "returning" {
        let f = ImplicitFunction(solver: { _ in u }, conditions: ReturningConditions(base: conditions))
        for _ in 0...iterations { _ = try! f.linearize(at: theta, solution: u).vjp(ybar) }
        return
    }
    let f = ImplicitFunction(solver: { _ in u }, conditions: conditions,
                             representation: parts[0] == "sparse" ? .sparse : .automatic)
    for _ in 0...iterations { _ = try! f.linearize(at: theta, solution: u).vjp(ybar) }
}

/// 1-D Bratu, `D = 1` (tridiagonal SPD `A`), at its Newton solution: linearize + one VJP.
func structureBratu1DRows(_ harness: inout BenchmarkHarness, m: Int) {
    let (conditions, theta, u, ybar) = bratu1DProblem(m: m)
    let plainF: () -> Void = { _ = conditions(x: theta, y: u) }
    describeStructure(conditions, x: theta, y: u, name: "1-D Bratu m = \(m)")
    let returning = ImplicitFunction(solver: { _ in u }, conditions: ReturningConditions(base: conditions))
    for (label, representation) in [("sparse", Representation.sparse), ("automatic", .automatic),
                                    ("automatic, returning F", .automatic)] {
        let f = label == "automatic, returning F" ? returning
            : ImplicitFunction(solver: { _ in u }, conditions: conditions, representation: representation)
        let run = { _ = try! f.linearize(at: theta, solution: u).vjp(ybar) }
        for call in ["first", "second"] {
            let lin = try! f.linearize(at: theta, solution: u)
            print("  1-D Bratu m = \(m) \(label), \(call) call: plan \(lin.plan.solver), \(lin.solverSummary.kind); "
                  + (lin.plan.note ?? ""))
        }
        let peak = peakResidentIncrease(run)
        let reps = m >= 1_000_000 ? 3 : m >= 100_000 ? 5 : 11
        let row = harness.compare(suite: "structure", name: "bratu1d linearize + VJP (\(label))", size: m,
                                  baselineName: "plain F", repetitions: reps, countingFaults: true,
                                  candidate: run, baseline: plainF)
        reportRow(&harness, row, goal: 10, peak: peak, m: m)
    }
}

/// 2-D Bratu on the unit square, unscaled (`D = (N + 1)²`, `A ≈ −Δ_h + diag(θ eᵘ)`), at a
/// manufactured solution (`f` chosen so that a given `u` is the exact root): linearize + one VJP
/// by CHOLMOD and by CG with an IC(0) preconditioner built from the compressed `A`.
func structureBratu2DRows(_ harness: inout BenchmarkHarness, n: Int) {
    let (conditions, theta, u) = unitSquareBratu(n)
    let m = n * n
    let ybar = (0..<m).map { Double.sin(0.1 * Double($0)) }
    let plainF: () -> Void = { _ = conditions(x: theta, y: u) }
    describeStructure(conditions, x: theta, y: u, name: "2-D Bratu unit square N = \(n)")
    let tight = try! KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 20_000)
    var cg = ImplicitFunction(solver: { _ in u }, conditions: conditions, linearSolver: .cg(options: tight),
                              representation: .sparse)
    cg.preconditioner = PreconditionerFactory { system in
        guard let a = (system.linearOperator as? SparseMatrixOperator)?.matrix else { return nil }
        return try? IncompleteCholeskyPreconditioner(a)
    }
    var candidates = [("sparse + cholesky", ImplicitFunction(solver: { _ in u }, conditions: conditions,
                                                             linearSolver: .cholesky, representation: .sparse)),
                      ("sparse + IC(0)-CG", cg)]
    if ProcessInfo.processInfo.environment["STRUCTURE_AUTOMATIC_2D"] == "1" {
        candidates.append(("automatic", ImplicitFunction(solver: { _ in u }, conditions: conditions)))
    }
    var vjps: [[Double]] = []
    for (label, f) in candidates {
        let run = { _ = try! f.linearize(at: theta, solution: u).vjp(ybar) }
        do {
            let lin = try! f.linearize(at: theta, solution: u)
            vjps.append(try! lin.vjp(ybar))
            if label == "automatic" { print("    automatic plan: \(lin.plan.reason)") }
            print("  2-D N = \(n) \(label): plan \(lin.plan.solver), \(lin.solverSummary.kind), "
                  + "Krylov iterations \(lin.report.krylovIterations); \(lin.plan.note ?? "")")
        }
        let peak = peakResidentIncrease(run)
        let row = harness.compare(suite: "structure", name: "bratu2d unit linearize + VJP (\(label))", size: m,
                                  baselineName: "plain F", repetitions: n >= 1000 ? 3 : 7,
                                  candidate: run, baseline: plainF)
        reportRow(&harness, row, goal: nil, peak: peak, m: m)
    }
    if vjps.count >= 2 {
        let difference = zip(vjps[0], vjps[1]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let norm = vjps[0].map { $0 * $0 }.reduce(0, +).squareRoot()
        print("  2-D N = \(n): ‖VJP(cholesky) − VJP(IC(0)-CG)‖ / ‖VJP(cholesky)‖ = \(String(format: "%.2e", difference / norm))")
    }
}

/// The 2-D Bratu conditions on the unit square with `N × N` interior points and a manufactured
/// root `u(s, t) = sin(πs) sin(2πt)·(1 + s)`: `f = D·L u + θ eᵘ` exactly as `F` computes it.
func unitSquareBratu(_ n: Int) -> (BratuConditions, theta: [Double], u: [Double]) {
    let h = 1 / Double(n + 1), m = n * n
    var theta = [Double](repeating: 0, count: m), u = theta
    for k in 0..<m {
        let s = Double(k % n + 1) * h, t = Double(k / n + 1) * h
        theta[k] = 1 + 0.5 * Double.sin(2 * Double.pi * s) * Double.cos(Double.pi * t)
        u[k] = Double.sin(Double.pi * s) * Double.sin(2 * Double.pi * t) * (1 + s)
    }
    let d = Double((n + 1) * (n + 1))
    let zeroSource = BratuConditions(nx: n, ny: n, diffusion: d, source: [Double](repeating: 0, count: m))
    return (BratuConditions(nx: n, ny: n, diffusion: d, source: zeroSource(x: theta, y: u)), theta, u)
}

/// Prints colours against the maximum non-zeros per row of `A` (and the residual of `F` at `y`).
func describeStructure<C: ImplicitConditions>(_ conditions: C, x: [Double], y: [Double], name: String) {
    let tape = AD.linearize(BivariateConditions(conditions: conditions), x: x, y: y)
    let pattern = tape.jacobianPatterns().y
    let t0 = DispatchTime.now().uptimeNanoseconds
    let compression = JacobianCompression(pattern)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    let band = pattern.bandwidths
    let residual = conditions(x: x, y: y).map { abs($0) }.max() ?? 0
    print("  \(name): A has nnz \(pattern.nonZeroCount), bandwidths (\(band.lower), \(band.upper)), "
          + "max nnz per row \(pattern.maximumNonZerosPerRow); colours: columns "
          + "\(compression.columnColoring.colorCount), rows \(compression.rowColoring.colorCount), "
          + "\(compression.passes) sweeps (\(compression.direction)); colouring took "
          + "\(String(format: "%.3g", seconds)) s; max |F| at y = \(String(format: "%.1e", residual))")
}

/// Records `row` with its peak memory, prints it, and says whether it met `goal` (× plain F).
func reportRow(_ harness: inout BenchmarkHarness, _ row: BenchmarkHarness.Row, goal: Double?, peak: Int?, m: Int) {
    var row = row
    if let peak {
        row.extra["peak MB"] = Double(peak) / 1e6
        row.extra["peak bytes per unknown"] = Double(peak) / Double(m)
    }
    harness.replaceLast(with: row)
    let ratio = row.ratio ?? .nan
    let verdict = goal.map { ratio <= $0 ? "goal ≤ \(Int($0)) met" : "goal ≤ \(Int($0)) missed by \(String(format: "%.2f", ratio / $0))×" }
    print("    \(row.name) m = \(m): \(String(format: "%.4g", row.medianSeconds)) s, plain F "
          + "\(String(format: "%.4g", row.baselineMedianSeconds ?? .nan)) s, ratio \(String(format: "%.2f", ratio))"
          + (verdict.map { " (\($0))" } ?? "")
          + (peak.map { ", peak +\(String(format: "%.1f", Double($0) / 1e6)) MB (\(String(format: "%.0f", Double($0) / Double(m))) B/unknown)" } ?? "")
          + (row.extra["minor page faults per call"].map { ", \(Int($0)) minor page faults per call" } ?? ""))
}

/// The growth of the peak resident set during `body`: VmHWM after `body` minus VmRSS before,
/// with free heap memory returned to the system first (glibc's `malloc_trim(0)`) and VmHWM reset
/// to the current RSS (writing `5` to `/proc/self/clear_refs`, Linux ≥ 4.0). Freed memory that
/// the allocator still keeps resident and `body` reuses is not counted. `nil` when the reset is
/// not available.
func peakResidentIncrease(_ body: () -> Void) -> Int? {
    typealias Trim = @convention(c) (Int) -> Int32
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {   // RTLD_DEFAULT
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
    guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return nil }
    handle.write("5".data(using: .utf8)!)
    try? handle.close()
    let before = residentBytes()
    body()
    return Swift.max(0, peakResidentBytes() - before)
}
