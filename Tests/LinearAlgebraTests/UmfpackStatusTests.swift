import Testing
@testable import LinearAlgebra

@Suite struct UmfpackStatusTests {
    @Test("every UMFPACK failure status maps to a typed error that names the call and the status")
    func everyStatusIsTyped() {
        // umfpack.h (UMFPACK 5.7): out of memory, invalid Numeric / Symbolic object, argument
        // missing, n ≤ 0, invalid matrix, different pattern, invalid system, invalid
        // permutation, internal error, file I/O, ordering failed, and an unknown code.
        for status: Int32 in [-1, -3, -4, -5, -6, -8, -11, -13, -15, -911, -17, -18, -99] {
            let error = UmfpackFactor.statusError(status, "umfpack_dl_numeric")
            switch (status, error) {
            case (-1, .outOfMemory(let what)):
                #expect(what.contains("umfpack_dl_numeric") && what.contains("-1"))
            case (-6, .dimensionMismatch(let what)):
                #expect(what.contains("status -6"))
            case (_, .invalidArgument(let what)) where status != -1 && status != -6:
                #expect(what.contains("umfpack_dl_numeric (UMFPACK status \(status))"))
                #expect(!what.hasSuffix("unknown status") || status == -99, "\(what)")
            default:
                Issue.record("status \(status) gave \(error)")
            }
        }
        guard case .singular = UmfpackFactor.statusError(1, "umfpack_dl_numeric") else {
            Issue.record("the singular warning is not .singular"); return
        }
    }
}
