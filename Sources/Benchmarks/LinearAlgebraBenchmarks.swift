/// Benchmarks of the LinearAlgebra layer (filled by its issue).
func runLinearAlgebraBenchmarks(_ harness: inout BenchmarkHarness) {
    print("  (no benchmarks yet)")
}
