/// Benchmarks of the Krylov layer (filled by its issue).
func runKrylovBenchmarks(_ harness: inout BenchmarkHarness) {
    print("  (no benchmarks yet)")
}
