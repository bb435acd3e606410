import Foundation
import ImplicitDifferentiation
import ImplicitExamples
#if canImport(Glibc)
import Glibc
#endif

// `LSE_PROFILE=<vjp|jvp|parts> [LSE_ITERATIONS=N] benchmarks`: a warm loop over the lse row of
// `scripts/bench-peers` (`LogSumExpConditions`, m = 200, given y, `.automatic`) for a profiler,
// printing the median time of one call in plain F and the minor page faults per call. `parts`
// times the recording (`AD.linearize`) and the accumulation of `[B | A]` from it, each in its own loop.

/// Minor page faults of this process so far.
private func minorFaults() -> Int {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_minflt
}

func runLSEProfileIfRequested() -> Bool {
    let env = ProcessInfo.processInfo.environment
    guard let op = env["LSE_PROFILE"] else { return false }
    let iterations = Int(env["LSE_ITERATIONS"] ?? "200")!
    let m = Int(env["LSE_M"] ?? "200")!
    let conditions = LogSumExpConditions(m: m)
    let x = LogSumExpConditions.input(m)
    let y = conditions.solve(x)
    let probe = probeVector(m)
    var f = ImplicitFunction(solver: { _ in y }, conditions: conditions)
    f.options.krylovOptions = benchKrylovOptions
    let root = f
    if op == "parts" {
        runLSEParts(conditions, x: x, y: y, iterations: iterations)
        return true
    }
    let call: () -> [Double] = op == "jvp" ? { try! root.jvp(at: x, tangent: probe) }
        : { try! root.vjp(at: x, cotangent: probe) }
    print("plan: \(try! root.plan(for: x))")
    let tF = warmMedian(21) { _ = conditions(x: x, y: y) }
    for _ in 0..<5 { _ = call() }
    var times: [Double] = []
    let faults0 = minorFaults()
    for _ in 0..<iterations {
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = call()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }
    let faults = Double(minorFaults() - faults0) / Double(iterations)
    let t = times.sorted()[times.count / 2]
    print(String(format: "lse m = %d %@: %.3f ms = %.2f F (F %.1f µs), %.1f minor faults per call",
                 m, op, t * 1e3, t / tF, tF * 1e6, faults))
    return true
}

/// The median of `iterations` timed calls of `body`, in seconds (after 5 untimed ones).
private func warmMedian(_ iterations: Int, _ body: () -> Void) -> Double {
    for _ in 0..<5 { body() }
    var times: [Double] = []
    for _ in 0..<iterations {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }
    return times.sorted()[times.count / 2]
}

/// `LSE_PROFILE=parts`: the recording and the accumulation of the lse row, in plain F.
private func runLSEParts(_ conditions: LogSumExpConditions, x: [Double], y: [Double], iterations: Int) {
    let bivariate = BivariateConditions(conditions: conditions)
    let tF = warmMedian(21) { _ = conditions(x: x, y: y) }
    let tape = AD.linearize(bivariate, x: x, y: y)
    // Reserving the nodes, as the VJP's recording does (no growth, no copy while recording).
    let capacity = tape.recording.nodeCount
    let tRecord = warmMedian(iterations) { _ = AD.linearize(bivariate, x: x, y: y, capacity: capacity) }
    let tAccumulate = warmMedian(iterations) { _ = tape.accumulatedJacobians(sharedEntryLimit: Int.max / 2) }
    print(String(format: "lse m = %d parts: recording %.3f ms = %.2f F, accumulation %.3f ms = %.2f F (F %.1f µs)",
                 conditions.m, tRecord * 1e3, tRecord / tF, tAccumulate * 1e3, tAccumulate / tF, tF * 1e6))
}
