// The Distributed package's tests, run under mpirun by scripts/test-distributed:
//   mpirun -n 2 .build/debug/distributed-tests [name filter] [PETSc options]
// Prints one line per test on rank 0 and closes with "N passed, N failed";
// exits non-zero when any test failed on any rank.
import Foundation
import PETScKit

let filter = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") }
do {
    try PETSc.initialize()
} catch {
    FileHandle.standardError.write(Data("distributed-tests: \(error)\n".utf8))
    exit(2)
}
if PETSc.rank == 0 { print("distributed-tests on \(PETSc.size) rank(s)") }
let ok = runTests(wrapperTests() + implicitTests() + failureTests() + assembledTests() + stencilTests()
                  + grid3DTests() + componentTests() + fieldTests() + reuseTests() + patternCacheTests()
                  + shellPreconditionerTests() + deliberateFailureTests(),
                  filter: filter)
PETSc.finalize()
exit(ok ? 0 : 1)
