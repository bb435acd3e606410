import Testing
import ImplicitExamples

/// Every runnable example at its test size, every derivative against its
/// reference (1e-8 relative for closed forms, 1e-6 for finite differences).
@Suite struct ExamplesTests {
    static let runnable = Examples.all.filter { $0.unavailableReason == nil }.map(\.name)

    @Test(arguments: runnable)
    func exampleMatchesItsReference(name: String) throws {
        let example = try #require(Examples.named(name))
        let run = example.run(size: example.testSize)
        #expect(run.failure == nil, "\(name): \(run.failure ?? "")")
        #expect(!run.derivatives.isEmpty)
        for d in run.derivatives {
            #expect(d.skipped == nil, "\(name) \(d.mode): skipped at the test size")
            let error = try #require(d.relativeError)
            #expect(error <= d.reference.tolerance, "\(name) \(d.mode) \(d.quantity): error \(error)")
        }
        #expect(run.passed)
    }

    @Test(arguments: runnable)
    func operatorPathMatchesToo(name: String) throws {
        let example = try #require(Examples.named(name))
        let settings = RunSettings(linearSolver: name == "sinkhorn" ? .lsmr() : .automatic, representation: .operator,
                                   mode: .vjp)
        let run = example.run(size: example.testSize, settings: settings)
        #expect(run.failure == nil, "\(name): \(run.failure ?? "")")
        #expect(run.representation == "operator")
        #expect(run.passed, "\(name): worst error \(run.worstError ?? .nan)")
    }

    @Test func listedExamplesCoverTheUseCases() {
        let groups = Set(Examples.all.map(\.group))
        #expect(groups.isSuperset(of: ["sqrt", "box", "ridge", "lasso", "sinkhorn", "bratu1d", "bratu2d",
                                       "sparsemax", "nested"]))
        #expect(Examples.select("sqrt").count == 3)
        for e in Examples.all { #expect(e.benchmarkSizes.count == 3) }
    }
}
