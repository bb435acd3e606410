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
                  concurrent: { _ = waitForAsync { try! await BatchEvaluation.map(inputs) { AD.gradient(of: model, at: $0).gradient } } },
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
///
/// On a shared machine the wall-clock speed-up is capped by what other
/// processes leave free, so the CPU time of this process is recorded too:
/// `threads busy` = CPU time / wall time of the concurrent runs (how many
/// cores the batch actually got) and `cpu overhead` = CPU time concurrent /
/// CPU time sequential (the cost of the concurrency itself; 1 is ideal).
func recordSpeedup(_ harness: inout BenchmarkHarness, name: String, size: Int,
                   concurrent: () -> Void, sequential: () -> Void) {
    let reps = harness.quick ? 2 : 5
    concurrent(); sequential()
    var tc: [Double] = [], ts: [Double] = []
    var cpuConcurrent = 0.0, cpuSequential = 0.0
    for _ in 0..<reps {
        var c0 = processCPUSeconds()
        var t0 = DispatchTime.now().uptimeNanoseconds
        concurrent()
        var t1 = DispatchTime.now().uptimeNanoseconds
        cpuConcurrent += processCPUSeconds() - c0
        tc.append(Double(t1 - t0) * 1e-9)
        c0 = processCPUSeconds()
        t0 = DispatchTime.now().uptimeNanoseconds
        sequential()
        t1 = DispatchTime.now().uptimeNanoseconds
        cpuSequential += processCPUSeconds() - c0
        ts.append(Double(t1 - t0) * 1e-9)
    }
    let wallConcurrent = tc.reduce(0, +)
    tc.sort(); ts.sort()
    let mc = tc[tc.count / 2], ms = ts[ts.count / 2]
    harness.record(.init(suite: "composition", name: name, size: size, medianSeconds: mc,
                         baselineName: "sequential loop", baselineMedianSeconds: ms, ratio: mc / ms,
                         extra: ["speedup": ms / mc, "cores": Double(ProcessInfo.processInfo.activeProcessorCount),
                                 "threads busy": cpuConcurrent / wallConcurrent,
                                 "cpu overhead": cpuConcurrent / cpuSequential]))
}

/// User + system CPU time of this process so far, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// The result of a detached task: written before the semaphore is signalled, read after the wait.
final class AsyncResultBox<R>: @unchecked Sendable {
    var value: R?
}
