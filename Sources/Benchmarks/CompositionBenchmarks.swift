import Foundation
import ImplicitDifferentiation

/// Composition: a batch of independent implicit-function instances
/// differentiated concurrently (one child task per instance, TaskGroup)
/// against the sequential loop, and the cost of going through the generic
/// (ExternalFunction) path against the linearization API.
func runCompositionBenchmarks(_ harness: inout BenchmarkHarness) {
    let m = harness.quick ? 50 : 200
    let batch = 64
    let f = ImplicitFunction(solver: BenchReactionDiffusion.solve, conditions: BenchReactionDiffusion(),
                             linearSolver: .lu, representation: .matrix)
    let inputs: [[Double]] = (0..<batch).map { (b: Int) -> [Double] in
        (0..<m).map { (i: Int) -> Double in 1 + Double((i + b) % 7) / 7 }
    }
    let cotangents: [[Double]] = (0..<batch).map { (b: Int) -> [Double] in
        (0..<m).map { (i: Int) -> Double in Double((i * 7 + b) % 11) / 11 - 0.5 }
    }

    var sequentialResult: [[Double]] = []
    var concurrentResult: [[Double]] = []
    recordSpeedup(&harness, name: "batch of 64 linearize+VJP: TaskGroup", size: m,
                  concurrent: { concurrentResult = waitForAsync { try! await f.vjps(at: inputs, cotangents: cotangents) } },
                  sequential: { sequentialResult = zip(inputs, cotangents).map { try! f.vjp(at: $0, cotangent: $1) } })
    precondition(concurrentResult == sequentialResult, "batch: concurrent results differ from the sequential loop")

    // A whole model (Σ y(x)) differentiated by the tape, per instance.
    let model = BenchSumOfSolution(f: f)
    recordSpeedup(&harness, name: "batch of 64 tape gradients: TaskGroup", size: m,
                  concurrent: { _ = waitForAsync { await BatchEvaluation.map(inputs) { AD.gradient(of: model, at: $0).gradient } } },
                  sequential: { _ = inputs.map { AD.gradient(of: model, at: $0).gradient } })

    // Generic path overhead: gradient of Σy through the tape's implicit node
    // against linearize + VJP with ȳ = 1 (the same linear algebra).
    let x = inputs[0], ones = [Double](repeating: 1, count: m)
    harness.compare(suite: "composition", name: "tape gradient of Σy(x) vs linearize+VJP", size: m,
                    baselineName: "linearize + VJP", repetitions: 9,
                    candidate: { _ = AD.gradient(of: model, at: x) },
                    baseline: { _ = try! f.linearize(at: x).vjp(ones) })
}

/// Σ y(x) for a generic implicit function y.
struct BenchSumOfSolution: DifferentiableFunction {
    let f: ImplicitFunction<Void, Void>
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { [f(x).reduce(T(0), +)] }
}

/// Runs async work to completion from synchronous benchmark code.
func waitForAsync<R: Sendable>(_ body: @escaping @Sendable () async -> R) -> R {
    let box = AsyncResultBox<R>(), done = DispatchSemaphore(value: 0)
    Task.detached {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// Times `concurrent` and `sequential` interleaved (5 runs each after a warm-up)
/// and records the medians, their ratio and the speed-up `sequential / concurrent`.
func recordSpeedup(_ harness: inout BenchmarkHarness, name: String, size: Int,
                   concurrent: () -> Void, sequential: () -> Void) {
    let reps = harness.quick ? 2 : 5
    concurrent(); sequential()
    var tc: [Double] = [], ts: [Double] = []
    for _ in 0..<reps {
        var t0 = DispatchTime.now().uptimeNanoseconds
        concurrent()
        var t1 = DispatchTime.now().uptimeNanoseconds
        tc.append(Double(t1 - t0) * 1e-9)
        t0 = DispatchTime.now().uptimeNanoseconds
        sequential()
        t1 = DispatchTime.now().uptimeNanoseconds
        ts.append(Double(t1 - t0) * 1e-9)
    }
    tc.sort(); ts.sort()
    let mc = tc[tc.count / 2], ms = ts[ts.count / 2]
    harness.record(.init(suite: "composition", name: name, size: size, medianSeconds: mc,
                         baselineName: "sequential loop", baselineMedianSeconds: ms, ratio: mc / ms,
                         extra: ["speedup": ms / mc, "cores": Double(ProcessInfo.processInfo.activeProcessorCount)]))
}

/// The result of a detached task: written before the semaphore is signalled, read after the wait.
final class AsyncResultBox<R>: @unchecked Sendable {
    var value: R?
}
