import ImplicitDifferentiation
import TestSupport

/// A discretized Bratu operator, defined here — in the benchmark's module, as
/// a user's conditions would be — so the figures measure AutoDiff's generics
/// specialized across the module boundary:
///
///     F_i(u) = −u_{i−1} + 2u_i − u_{i+1} − h²·λ·exp(u_i),   u_0 = u_{n+1} = 0.
///
/// Seven operations per element (neg, mul, add, sub, exp, mul, sub), i.e.
/// eight tape nodes with the input.
struct BratuOperator: DifferentiableFunction {
    var lambda: Double
    var h2: Double

    init(n: Int, lambda: Double = 1) {
        self.lambda = lambda
        let h = 1 / Double(n + 1)
        h2 = h * h
    }

    func callAsFunction<T: DifferentiableScalar>(_ u: [T]) -> [T] {
        let n = u.count
        let c = T(h2 * lambda), two = T(2)
        return [T](unsafeUninitializedCapacity: n) { out, initialized in
            u.withUnsafeBufferPointer { u in
                for i in 0..<n {
                    let left = i > 0 ? u[i - 1] : T.zero
                    let right = i < n - 1 ? u[i + 1] : T.zero
                    (out.baseAddress! + i).initialize(to: -left + two * u[i] - right - c * T.exp(u[i]))
                }
            }
            initialized = n
        }
    }
}

/// Benchmarks of the AutoDiff layer: every AD mode on the Bratu operator, as
/// ratios to the plain `Double` evaluation measured in the same run.
func runAutoDiffBenchmarks(_ harness: inout BenchmarkHarness) {
    let sizes = harness.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]
    for n in sizes {
        let f = BratuOperator(n: n)
        var rng = SeededRandom(seed: 42)
        let x = rng.vector(n, 0, 1)
        let v = rng.vector(n)
        let u = rng.vector(n)
        let reps = n >= 1_000_000 ? 7 : 15
        var sink = 0.0
        func plain() { sink += f(x)[n / 2] }

        harness.compare(suite: "autodiff", name: "Dual JVP (AD.jvp)", size: n, baselineName: "plain Double",
                        repetitions: reps, candidate: { sink += AD.jvp(of: f, at: x, tangent: v).tangent[n / 2] },
                        baseline: plain)

        var x8 = x.map { DualN<8>($0) }
        for i in 0..<n { x8[i].partials[i % 8] = 1 }
        let row8 = harness.compare(suite: "autodiff", name: "DualN<8> pass (8 directions)", size: n,
                                   baselineName: "plain Double", repetitions: reps,
                                   candidate: { sink += f(x8)[n / 2].partials[3] }, baseline: plain)
        harness.record(.init(suite: "autodiff", name: "DualN<8> per direction", size: n,
                             medianSeconds: row8.medianSeconds / 8, baselineName: "plain Double",
                             baselineMedianSeconds: row8.baselineMedianSeconds,
                             ratio: row8.ratio.map { $0 / 8 }))

        harness.compare(suite: "autodiff", name: "tape recording (AD.linearize)", size: n,
                        baselineName: "plain Double", repetitions: reps,
                        candidate: { sink += AD.linearize(f, at: x).value[n / 2] }, baseline: plain)

        let lin = AD.linearize(f, at: x)
        var out = [Double](repeating: 0, count: n)
        harness.compare(suite: "autodiff", name: "forward sweep (lin.jvp into:)", size: n,
                        baselineName: "plain Double", repetitions: reps,
                        candidate: { lin.jvp(v, into: &out); sink += out[n / 2] }, baseline: plain)
        harness.compare(suite: "autodiff", name: "reverse sweep (lin.vjp into:)", size: n,
                        baselineName: "plain Double", repetitions: reps,
                        candidate: { lin.vjp(u, into: &out); sink += out[n / 2] }, baseline: plain)
        if sink == .pi { print(sink) }
        print("  n = \(n): tape \(lin.recording.nodeCount) nodes, \(lin.recording.nodeBytes / 1_000_000) MB")
    }
}
