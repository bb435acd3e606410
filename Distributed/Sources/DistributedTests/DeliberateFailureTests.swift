import Foundation
import PETScKit

/// A test that fails on purpose, present only when `DISTRIBUTED_TESTS_DELIBERATE_FAILURE`
/// is set, to check the harness's ``VerdictAgreement`` (scripts/test-distributed runs it):
///
/// ```
/// last-rank    the last rank fails; the others create a vector and take its norm
///              (PETSc's own collectives), which it never joins: the run must end
///              by MPI_Abort within the grace period, not hang
/// every-rank   every rank fails: reported as one FAIL, the run goes on
/// ```
func deliberateFailureTests() -> [TestCase] {
    guard let mode = ProcessInfo.processInfo.environment["DISTRIBUTED_TESTS_DELIBERATE_FAILURE"] else { return [] }
    return [
        TestCase(name: "a deliberate failure (\(mode)) ends the run instead of hanging it") {
            if mode == "every-rank" || PETSc.rank == PETSc.size - 1 {
                throw Expectation(description: "deliberate failure on rank \(PETSc.rank) (\(mode))")
            }
            let v = try DistributedVector(localCount: 4)   // the failed rank never joins these collectives
            _ = try v.norm2()
        },
    ]
}
