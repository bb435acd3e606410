import Foundation
import ImplicitDifferentiation

// The Swift half of `scripts/bench-peers`: the two families of
// `PerfProblems.swift` with a real forward solver (Newton), timed as
// forward, JVP, VJP and Jacobian through `ImplicitFunction`, with the solver
// the `.automatic` rule picks (GMRES with ‖r‖ ≤ 1e-10‖b‖ on the lazy path, set
// through `ImplicitFunctionOptions.krylovOptions`,
// so that both libraries' derivatives can be compared at 1e-8).
// Writes `peer-results.json` (or `$PEERS_JSON`): timings, the plan, and the
// derivatives (JVP and VJP with the probe vector, the Jacobian when m ≤ 100)
// that the Python script checks against JAX. `PEERS_PROBLEMS` (comma list of
// dense, dense-blas, banded, bratu2d, lse) and `PEERS_SIZES` select rows; the
// rows given the solution are in `PeerGivenSolutionBenchmarks.swift`.

/// Newton on the dense family: `y ← y − (M + diag(1 − tanh²y))⁻¹ F(x, y)`, from 0.
private func denseNewton(_ c: DenseTanhConditions, _ x: [Double]) -> [Double] {
    let m = c.m
    var y = [Double](repeating: 0, count: m)
    for _ in 0..<50 {
        var f = c(x: x, y: y)
        var a = c.columnMajor   // A = M + diag(1 − tanh²y), as the JAX side builds it
        a.elements.withUnsafeMutableBufferPointer { e in
            for i in 0..<m { let t = tanh(y[i]); e[i + i * m] += 1 - t * t }
        }
        f = try! LUFactorization(a).solve(f)
        var step = 0.0, size = 1.0
        for i in 0..<m { y[i] -= f[i]; step = max(step, abs(f[i])); size = max(size, abs(y[i])) }
        if step <= 1e-14 * size { break }
    }
    return y
}

/// Newton on the banded family with the Thomas algorithm, from 0.
func bandedPeerNewton(_ x: [Double]) -> [Double] {
    let m = x.count
    let k = StencilReactionConditions.kappa, b = StencilReactionConditions.beta
    var y = [Double](repeating: 0, count: m)
    var c = y, d = y, s = y
    let lower = -k - b, upper = -k + b
    for _ in 0..<50 {
        let f = StencilReactionConditions()(x: x, y: y)
        for i in 0..<m {   // forward elimination on (lower, diag, upper)
            let diag = 1 + y[i] * y[i] + 2 * k
            let denom = diag - (i > 0 ? lower * c[i - 1] : 0)
            c[i] = upper / denom
            d[i] = (f[i] - (i > 0 ? lower * d[i - 1] : 0)) / denom
        }
        for i in stride(from: m - 1, through: 0, by: -1) { s[i] = d[i] - (i < m - 1 ? c[i] * s[i + 1] : 0) }
        var step = 0.0, size = 1.0
        for i in 0..<m { y[i] -= s[i]; step = max(step, abs(s[i])); size = max(size, abs(y[i])) }
        if step <= 1e-14 * size { break }
    }
    return y
}

/// The dense family written by hand with BLAS, as the design recommends for
/// conditions that are linear algebra: `A = M + diag(1 − tanh²y)`, `B = −I`.
/// Up to the automatic threshold the two matrices are given (no AD at all);
/// above it, products by `gemv` (the lazy path never forms `A`).
private func handwrittenDense(_ c: DenseTanhConditions) -> HandwrittenConditions<Void> {
    let m = c.m
    let mm = c.columnMajor
    let value: @Sendable ([Double], [Double]) -> [Double] = { x, y in
        var out = x
        BLAS.gemv(1, mm, y, -1, &out)
        for i in 0..<m { out[i] += tanh(y[i]) }
        return out
    }
    if m <= ImplicitFunctionOptions().matrixThreshold {
        return HandwrittenConditions(value: value, jacobians: { _, y in
            var a = mm
            a.elements.withUnsafeMutableBufferPointer { e in
                for i in 0..<m { let t = tanh(y[i]); e[i + i * m] += 1 - t * t }
            }
            return (x: -1 * Matrix.identity(m), y: a)
        })
    }
    return HandwrittenConditions(
        value: value,
        jvp: { _, y, dx, dy in
            var out = dx.map { $0.map { -$0 } } ?? [Double](repeating: 0, count: m)
            if let dy {
                BLAS.gemv(1, mm, dy, 1, &out)
                for i in 0..<m { let t = tanh(y[i]); out[i] += (1 - t * t) * dy[i] }
            }
            return out
        },
        vjp: { _, y, u in
            var yb = [Double](repeating: 0, count: m)
            BLAS.gemv(transpose: true, 1, mm, u, 0, &yb)
            for i in 0..<m { let t = tanh(y[i]); yb[i] += (1 - t * t) * u[i] }
            return (x: u.map { -$0 }, y: yb)
        })
}

private struct PeerRecord: Codable {
    var problem: String
    var size: Int
    var representation: String
    var solver: String
    var seconds: [String: Double]
    var jvp: [Double]
    var vjp: [Double]
    var jacobian: [Double]?   // column-major, m × m, when m ≤ 100
}

func runPeerBenchmarks(_ harness: inout BenchmarkHarness) {
    var records: [PeerRecord] = []
    let sizes = ProcessInfo.processInfo.environment["PEERS_SIZES"].map {
        $0.split(separator: ",").compactMap { Int($0) }
    } ?? (harness.quick ? [10, 100] : [10, 100, 1000])
    for problem in selectedPeerProblems(["dense", "dense-blas", "banded"]) {
        for m in sizes {
            let x: [Double], root: ImplicitFunction<Void, Void>
            let probe = probeVector(m)
            if problem == "dense" {
                let c = DenseTanhConditions(m: m)
                x = c.input(for: referenceSolution(m))
                root = ImplicitFunction(solver: { denseNewton(c, $0) }, conditions: c)
            } else if problem == "dense-blas" {
                let c = DenseTanhConditions(m: m)
                x = c.input(for: referenceSolution(m))
                root = ImplicitFunction(solver: { denseNewton(c, $0) }, conditions: handwrittenDense(c))
            } else {
                x = StencilReactionConditions.input(for: referenceSolution(m))
                root = ImplicitFunction(solver: bandedPeerNewton, conditions: StencilReactionConditions())
            }
            // The automatic plan, with the Krylov tolerance tightened to 1e-10.
            var tuned = root
            tuned.options.krylovOptions = benchKrylovOptions
            let f = tuned
            let plan = try! f.plan(for: x)
            let reps = m >= 1000 ? 5 : (m >= 100 ? 51 : 201)   // µs-scale medians need many samples
            var seconds: [String: Double] = [:]
            seconds["forward"] = harness.median(repetitions: reps) { _ = try! f(x) }
            seconds["jvp"] = harness.median(repetitions: reps) { _ = try! f.jvp(at: x, tangent: probe) }
            seconds["vjp"] = harness.median(repetitions: reps) { _ = try! f.vjp(at: x, cotangent: probe) }
            let jacobianAffordable = plan.representation == .matrix || m <= 100
            if jacobianAffordable {
                seconds["jacobian"] = harness.median(repetitions: m >= 1000 ? 3 : reps) { _ = try! f.jacobian(at: x) }
            }
            for (op, s) in seconds.sorted(by: { $0.key < $1.key }) {
                harness.record(.init(suite: "peers", name: "\(problem) \(op) (\(plan.representation))", size: m,
                                     medianSeconds: s))
            }
            records.append(PeerRecord(
                problem: problem, size: m, representation: plan.representation.description,
                solver: plan.solver.description, seconds: seconds,
                jvp: try! f.jvp(at: x, tangent: probe), vjp: try! f.vjp(at: x, cotangent: probe),
                jacobian: m <= 100 ? try! f.jacobian(at: x).elements : nil))
        }
    }
    let path = ProcessInfo.processInfo.environment["PEERS_JSON"] ?? "peer-results.json"
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    do {
        try encoder.encode(records).write(to: URL(fileURLWithPath: path))
        print("peer results written to \(path)")
    } catch {
        print("could not write \(path): \(error)")
    }
    runGivenSolutionPeerBenchmarks(&harness)
}
