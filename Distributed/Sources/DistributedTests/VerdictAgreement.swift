import CMPI
import CPETSc
import Foundation
import PETScKit

/// The harness's agreement on a test's verdict, on a communicator of its own
/// (a duplicate of `PETSC_COMM_WORLD`), so that it can never be matched with a
/// collective of a test body.
///
/// A rank that failed cannot know whether the others failed too (they are
/// then at the agreement as well, and the suite goes on) or passed the same
/// expectation and wait in the body's next collective, which this rank will
/// never enter. So a failed rank posts the reduction without blocking and
/// waits at most ``graceSeconds``; when the others have not joined by then, it
/// prints its failure and ends the whole run with `MPI_Abort`, instead of
/// leaving them in their collective until the outer timeout:
///
/// ```
/// every rank passed or every rank failed   one reduction, the suite continues
/// some ranks failed, the others go on      the failed ranks wait graceSeconds, then MPI_Abort
/// ```
///
/// A rank that passed waits without limit: a rank still running its body is
/// either slow (the agreement follows) or failed (it aborts the run).
final class VerdictAgreement {
    private var communicator: MPI_Comm?
    /// How long a failed rank waits for the others (`DISTRIBUTED_TESTS_GRACE_SECONDS`, default 30).
    let graceSeconds: Double

    init() {
        _ = MPI_Comm_dup(cpetsc_comm_world(), &communicator)
        let setting = ProcessInfo.processInfo.environment["DISTRIBUTED_TESTS_GRACE_SECONDS"].flatMap(Double.init)
        graceSeconds = setting.flatMap { $0 > 0 ? $0 : nil } ?? 30
    }

    deinit { _ = MPI_Comm_free(&communicator) }

    /// The number of ranks on which the test failed; on a rank where it failed
    /// (`failure` non-nil) and the others do not join within ``graceSeconds``,
    /// prints `failure` and aborts the run (never returns).
    func failures(test name: String, failure: String?) -> Int {
        var mine = Int32(failure == nil ? 0 : 1), total: Int32 = 0
        var request: MPI_Request?
        _ = MPI_Iallreduce(&mine, &total, 1, cmpi_int(), cmpi_sum(), communicator, &request)
        let deadline = failure == nil ? Double.infinity : PETSc.wallTime + graceSeconds
        var done: Int32 = 0
        while true {
            _ = MPI_Test(&request, &done, nil)
            if done != 0 { return Int(total) }
            if !(PETSc.wallTime < deadline) { break }
            usleep(failure == nil ? 200 : 1000)
        }
        let text = "rank \(PETSc.rank): FAIL \(name): \(failure ?? "")\n"
            + "rank \(PETSc.rank): the other ranks did not reach the end of this test within "
            + "\(graceSeconds) s (they wait in a collective of the test body that this rank left): "
            + "aborting the run\n"
        FileHandle.standardError.write(Data(text.utf8))
        _ = MPI_Abort(cmpi_comm_world(), 3)
        exit(3)
    }
}
