import Foundation
import ImplicitExamples

/// Each example of the examples library at three sizes growing by 10×: the
/// derivative (linearize without solving again, then one VJP — a JVP where
/// the example has no VJP) against the forward solve, interleaved, with the
/// automatic plan and the examples' Krylov settings (rtol 1e-12).
/// `EXAMPLES_ONLY=lasso,sparsemax` runs the named examples only.
func runExamplesBenchmarks(_ harness: inout BenchmarkHarness) {
    let only = ProcessInfo.processInfo.environment["EXAMPLES_ONLY"].map { $0.split(separator: ",").map(String.init) }
    for example in Examples.all where example.unavailableReason == nil && (only?.contains(example.name) ?? true) {
        let sizes = harness.quick ? Array(example.benchmarkSizes.prefix(2)) : example.benchmarkSizes
        for size in sizes {
            let pair = example.benchmarkPair(size: size)
            // One timed trial picks the repetitions, so large sizes stay affordable.
            let t0 = DispatchTime.now().uptimeNanoseconds
            pair.forward()
            pair.derivative()
            let trial = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            let reps = trial > 2 ? 3 : trial > 0.2 ? 5 : 15
            let row = harness.compare(suite: "examples", name: "\(example.name): derivative vs forward", size: size,
                                      baselineName: "forward solve", repetitions: reps,
                                      candidate: pair.derivative, baseline: pair.forward)
            print("  \(example.name) size \(size): derivative \(String(format: "%.3g", row.medianSeconds)) s, "
                  + "forward \(String(format: "%.3g", row.baselineMedianSeconds ?? 0)) s")
        }
    }
}
