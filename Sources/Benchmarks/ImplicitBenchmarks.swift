/// Benchmarks of the Implicit layer (filled by its issue).
func runImplicitBenchmarks(_ harness: inout BenchmarkHarness) {
    print("  (no benchmarks yet)")
}
