import Foundation
@testable import ImplicitDifferentiation
import Testing

/// The cost model's timings of `F` and of a tape sweep (`DetectedStructure.seconds`) keep the
/// least disturbed call, so that one call that lost the processor does not turn the choice.
@Suite struct CostModelTimingTests {
    @Test("time without the processor does not count: calls that wait are timed by the work they do")
    func waitingIsNotCounted() {
        var calls = 0
        let seconds = DetectedStructure.seconds {
            calls += 1
            // Every call stands for one that waits for the processor (a loaded machine).
            Thread.sleep(forTimeInterval: 0.004)
        }
        #expect(calls == DetectedStructure.timedCalls)
        #expect(seconds < 0.001, "kept \(seconds) s: the waiting was counted")
    }

    @Test("the shortest call is kept")
    func shortestCallIsKept() {
        var calls = 0, sink = 0.0
        let seconds = DetectedStructure.seconds {
            calls += 1
            // The first call does 100 times the work of the others.
            for i in 0..<(calls == 1 ? 2_000_000 : 20_000) { sink += Double(i).squareRoot() }
        }
        #expect(sink > 0)
        #expect(calls == DetectedStructure.timedCalls)
        let long = DetectedStructure.seconds { for i in 0..<2_000_000 { sink += Double(i).squareRoot() } }
        #expect(seconds < long / 10, "kept \(seconds) s against \(long) s for the long call")
    }

    @Test("short bodies are timed up to the call limit, long ones twice")
    func callCountFollowsTheBudget() {
        var short = 0
        _ = DetectedStructure.seconds { short += 1 }
        #expect(short == DetectedStructure.timedCalls)

        var long = 0, sink = 0.0
        let start = DetectedStructure.threadProcessorSeconds()
        _ = DetectedStructure.seconds {
            long += 1
            // Work, not sleep: only processor time counts.
            while DetectedStructure.threadProcessorSeconds() - start < Double(long) * DetectedStructure.timingBudget {
                sink += 1
            }
        }
        #expect(sink > 0)
        #expect(long == 2)
    }
}
