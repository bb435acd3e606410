import Foundation

// Usage: benchmarks [all|linalg|krylov|autodiff|implicit|composition|crossover|unrolling|peers|lazypath|smallm|downstream|examples|probe|sparsepath|structure|bratu2dparts|tapefree]... [--quick] [--json PATH]
// Build in release mode: `swift run -c release benchmarks`.
var arguments = Array(CommandLine.arguments.dropFirst())
let quick = arguments.contains("--quick")
var jsonPath = "benchmark-results.json"
if let i = arguments.firstIndex(of: "--json"), i + 1 < arguments.count { jsonPath = arguments[i + 1] }
let suites = arguments.filter { !$0.hasPrefix("--") && $0 != jsonPath }
let selected = suites.isEmpty ? ["all"] : suites

if runSmallSizeProfileIfRequested() { exit(0) }
if runLSEProfileIfRequested() { exit(0) }
var harness = BenchmarkHarness(quick: quick)
print("OPENBLAS_NUM_THREADS = \(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset")")
let all: [(String, (inout BenchmarkHarness) -> Void)] = [
    ("linalg", runLinearAlgebraBenchmarks),
    ("krylov", runKrylovBenchmarks),
    ("autodiff", runAutoDiffBenchmarks),
    ("implicit", runImplicitBenchmarks),
    ("composition", runCompositionBenchmarks),
    ("crossover", runCrossoverBenchmarks),
    ("unrolling", runUnrollingBenchmarks),
    ("peers", runPeerBenchmarks),
    ("lazypath", runLazyPathBenchmarks),
    ("smallm", runSmallSizeBenchmarks),
    ("downstream", runDownstreamBenchmarks),
    ("examples", runExamplesBenchmarks),
    ("probe", runProbeBenchmarks),
    ("sparsepath", runSparsePathBenchmarks),
    ("structure", runStructureBenchmarks),
    ("bratu2dparts", runBratu2DPartsBenchmarks),
    ("tapefree", runTapeFreeBenchmarks),
    ("sparselu", runSparseLUBenchmarks),
]
for (name, run) in all where selected.contains("all") || selected.contains(name) {
    print("== \(name)")
    run(&harness)
}
harness.printTable()
do {
    try harness.writeJSON(to: jsonPath)
    print("JSON written to \(jsonPath)")
} catch {
    print("could not write \(jsonPath): \(error)")
}
