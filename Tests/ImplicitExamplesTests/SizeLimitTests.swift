import Testing
import ImplicitDifferentiation
import ImplicitExamples
import ImplicitDiffCommands

/// Issue 16, class 5 on the command line: sizes are checked against a memory
/// estimate before anything is built, and long dense factorizations are announced.
@Suite struct SizeLimitTests {

    @Test("class 5: sizes near Int.max, a billion grid points and a 10⁵ dense solve are refused with an estimate",
          arguments: [["run", "sqrt-newton", "--size", "\(Int.max)"],
                      ["run", "bratu1d", "--size", "1000000000"],
                      ["run", "bratu2d", "--size", "3037000500"],
                      ["solve", "--size", "100000"],
                      ["solve", "--size", "\(Int.max)"]])
    func refusedSizes(arguments: [String]) {
        do {
            _ = try ImplicitDiff.parseAsRoot(arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            let message = ImplicitDiff.message(for: error)
            #expect(message.contains("MiB") || message.contains("more memory than Int can count"), "\(message)")
            #expect(message.contains("--allow-large"), "\(message)")
        }
    }

    @Test("sizes under the limit and --allow-large are accepted")
    func acceptedSizes() throws {
        _ = try ImplicitDiff.parseAsRoot(["run", "bratu1d", "--size", "1000000"])
        _ = try ImplicitDiff.parseAsRoot(["run", "sqrt-newton", "--size", "10000", "--linear-solver", "svd"])
        _ = try ImplicitDiff.parseAsRoot(["solve", "--size", "100000", "--allow-large"])
    }

    @Test("a 10⁴ dense SVD is estimated at minutes, a 10³ LU at well under a second")
    func timeEstimates() throws {
        let sqrt = try #require(Examples.select("sqrt-newton").first)
        let svd = ExampleSizeEstimate(sqrt, size: 10_000, settings: RunSettings(linearSolver: .svd))
        #expect(svd.dense && svd.factorizationSeconds() >= 60)
        let lu = ExampleSizeEstimate(sqrt, size: 1_000, settings: RunSettings(linearSolver: .lu))
        #expect(lu.factorizationSeconds() < 1)
        let lazy = ExampleSizeEstimate(sqrt, size: 1_000_000, settings: RunSettings())
        #expect(!lazy.dense && lazy.factorizationFlops == 0 && lazy.bytes! < 4 << 30)
    }
}

