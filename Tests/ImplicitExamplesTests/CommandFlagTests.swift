import Testing
import ImplicitDifferentiation
import ImplicitExamples
import ImplicitDiffCommands

/// `--linear-solver` and `--representation` parse straight to the library's
/// `LinearSolver` and `Representation`.
@Suite struct CommandFlagTests {
    func parseRun(_ arguments: [String]) throws -> RunCommand {
        try #require(try ImplicitDiff.parseAsRoot(["run"] + arguments) as? RunCommand)
    }

    @Test func everySolverSpellingParsesToTheLibrarysSolver() throws {
        let expected: [(String, LinearSolver)] = [
            ("auto", .automatic), ("automatic", .automatic), ("lu", .lu), ("band-lu", .bandLU),
            ("cholesky", .cholesky), ("qr", .qr), ("svd", .svd), ("gmres", .gmres()),
            ("bicgstab", .bicgstab()), ("cg", .cg()), ("lsmr", .lsmr()),
        ]
        for (flag, solver) in expected {
            #expect(try parseRun(["ridge", "--linear-solver", flag]).linearSolver == solver, "\(flag)")
        }
        #expect(try parseRun(["ridge"]).linearSolver == .automatic)
    }

    @Test func customAndUnknownSolversAreRejected() {
        #expect(throws: (any Error).self) { try parseRun(["ridge", "--linear-solver", "custom"]) }
        #expect(throws: (any Error).self) { try parseRun(["ridge", "--linear-solver", "band_lu"]) }
    }

    @Test func representationSpellingsParseToTheLibrarysRepresentation() throws {
        #expect(try parseRun(["ridge"]).representation == .automatic)
        #expect(try parseRun(["ridge", "--representation", "auto"]).representation == .automatic)
        #expect(try parseRun(["ridge", "--representation", "matrix"]).representation == .matrix)
        #expect(try parseRun(["ridge", "--representation", "operator"]).representation == .operator)
        #expect(try parseRun(["ridge", "--representation", "sparse"]).representation == .sparse)
        #expect(throws: (any Error).self) { try parseRun(["ridge", "--representation", "dense"]) }
    }

    @Test func theSettingsGiveTheKrylovMethodTheCommandsOptions() throws {
        let command = try parseRun(["ridge", "--linear-solver", "gmres", "--restart", "7", "--tolerance", "1e-9"])
        let solver = try command.settings.withOptions(command.settings.linearSolver)
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-9)
        #expect(solver == .gmres(restart: 7, options: options))
        #expect(try command.settings.withOptions(.bandLU) == .bandLU)
    }

    @Test func unitSquareIsAFlagOffByDefault() throws {
        #expect(try parseRun(["bratu2d"]).settings.unitSquare == false)
        #expect(try parseRun(["bratu2d", "--unit-square"]).settings.unitSquare == true)
    }
}
