/// Benchmarks of the AutoDiff layer (filled by its issue).
func runAutoDiffBenchmarks(_ harness: inout BenchmarkHarness) {
    print("  (no benchmarks yet)")
}
