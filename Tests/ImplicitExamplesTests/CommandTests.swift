import Foundation
import Testing
import ImplicitDifferentiation
import ImplicitExamples
import ImplicitDiffCommands

/// The command line's core logic (`RunCommand.execute`), not the binary.
@Suite struct CommandTests {
    func parseRun(_ arguments: [String]) throws -> RunCommand {
        let parsed = try ImplicitDiff.parseAsRoot(["run"] + arguments)
        return try #require(parsed as? RunCommand)
    }

    @Test func luOnTheMillionUnknownPDEIsRefusedWithAMemoryEstimate() throws {
        // Class 5: the command line refuses the size from its own estimate before building anything …
        #expect(throws: (any Error).self) { _ = try parseRun(["bratu2d", "--size", "1000", "--linear-solver", "lu"]) }
        // … and with --allow-large the library still refuses the m × m matrix with its size.
        let command = try parseRun(["bratu2d", "--size", "1000", "--linear-solver", "lu", "--allow-large"])
        var output: [String] = []
        let outcome = command.execute(emit: { output.append($0) })
        #expect(!outcome.passed)
        let run = try #require(outcome.runs.first)
        #expect(run.error == .representationTooLarge(bytes: 8 * 1_000_000 * 1_000_000,
                                                      limit: ImplicitFunctionOptions().maxMatrixBytes))
        #expect(run.forwardSeconds == nil, "refused before the forward solve")
        let text = output.joined(separator: "\n")
        #expect(text.contains("7629394 MiB"), "\(text)")
        #expect(text.contains("representation: .operator"))
        #expect(text.contains("result: FAIL"))
    }

    @Test func cappedGMRESOnTheHardCaseReportsNonConvergence() throws {
        let command = try parseRun(["bratu2d", "--size", "20", "--linear-solver", "gmres", "--max-iterations", "2"])
        var output: [String] = []
        let outcome = command.execute(emit: { output.append($0) })
        #expect(!outcome.passed)
        let run = try #require(outcome.runs.first)
        guard case .krylovNotConverged(let stats, _)? = run.error else {
            Issue.record("expected krylovNotConverged, got \(String(describing: run.error))"); return
        }
        #expect(stats.status == .maxIterationsReached)
        #expect(stats.iterations == 2)
        #expect(output.joined(separator: "\n").contains("did not converge"))
    }

    @Test func jsonOutputDecodes() throws {
        let command = try parseRun(["sqrt-newton", "--size", "8", "--json", "--verbose", "--representation", "operator"])
        var output: [String] = []
        let outcome = command.execute(emit: { output.append($0) })
        #expect(outcome.passed)
        struct Output: Decodable { var passed: Bool; var runs: [ExampleRun] }
        let decoded = try JSONDecoder().decode(Output.self, from: Data(output.joined().utf8))
        #expect(decoded.passed)
        #expect(decoded.runs.count == 1)
        #expect(decoded.runs[0].derivatives.first?.krylov?.history?.isEmpty == false, "--verbose records histories")
    }

    @Test func unknownExampleIsAValidationError() {
        #expect(throws: (any Error).self) { _ = try parseRun(["no-such-example"]) }
    }

    @Test func listShowsEveryExample() {
        let text = ListCommand.lines().joined(separator: "\n")
        for e in Examples.all { #expect(text.contains(e.name)) }
    }
}
