import Foundation
import PETScKit

/// A failed expectation, with what was seen.
struct Expectation: Error, CustomStringConvertible {
    let description: String
}

/// Throws ``Expectation`` unless `condition` holds (NaN comparisons fail).
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw Expectation(description: message()) }
}

/// `max_k |a_k − b_k| / max(max_k |b_k|, tiny)`; NaN when the lengths differ or an entry is NaN.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .nan }
    let scale = max(b.map(abs).max() ?? 0, .leastNormalMagnitude)
    var worst = 0.0
    for (x, y) in zip(a, b) {
        let e = abs(x - y) / scale
        if !(e <= worst) { worst = e.isNaN ? .nan : e }
        if worst.isNaN { return .nan }
    }
    return worst
}

/// One test: a name that reads as a sentence and a collective body that
/// every rank runs (same PETSc collectives in the same order on every rank).
struct TestCase {
    let name: String
    let body: () throws -> Void
}

/// Runs the tests on every rank; a test passes when it passed on every rank
/// (one reduction per test, ``VerdictAgreement``). Rank 0 prints one line per
/// test and the closing "N passed, N failed"; other ranks print their own
/// failures to stderr. A test that failed on some ranks while the others went
/// on into a collective ends the run at once (`MPI_Abort`, with the failure
/// printed) after the agreement's grace period.
func runTests(_ tests: [TestCase], filter: String?) -> Bool {
    var passed = 0, failed = 0
    let rank = PETSc.rank
    let agreement = VerdictAgreement()
    for test in tests where filter.map({ test.name.contains($0) }) ?? true {
        var message: String?
        let start = PETSc.wallTime
        do { try test.body() } catch { message = "\(error)" }
        let failures = agreement.failures(test: test.name, failure: message)
        let seconds = PETSc.wallTime - start
        if failures == 0 {
            passed += 1
            if rank == 0 { print("PASS \(test.name) (\(String(format: "%.2f", seconds)) s)") }
        } else {
            failed += 1
            if rank == 0 {
                print("FAIL \(test.name): \(message ?? "failed on another rank") (\(failures) rank(s))")
            } else if let message {
                FileHandle.standardError.write(Data("rank \(rank): FAIL \(test.name): \(message)\n".utf8))
            }
        }
    }
    if rank == 0 { print("\(passed) passed, \(failed) failed") }
    return failed == 0
}
