import Foundation
import ImplicitDifferentiation
import TestSupport

/// UMFPACK's numeric factorization on a reused symbolic analysis
/// (`SparseLUAnalysis.factor`) against a fresh factorization (analysis and
/// numeric phase, `SparseLUFactorization.init`), interleaved, on the 2-D
/// Poisson matrix of `N × N` unknowns made non-symmetric by an upwind drift
/// on its upper entries, N = 32, 100, 316 (m ≈ 10³, 10⁴, 10⁵). Also the
/// analysis alone against the fresh factorization. `--quick`: N = 32, 100.
func runSparseLUBenchmarks(_ harness: inout BenchmarkHarness) {
    for n in harness.quick ? [32, 100] : [32, 100, 316] {
        let a = driftPoisson(n)
        let analysis = try! SparseLUAnalysis(a.pattern)
        let reps = n >= 316 ? 5 : 15
        let reused = harness.compare(suite: "sparselu", name: "umfpack factor on a reused analysis vs fresh", size: n * n,
                                     baselineName: "analysis + factor", repetitions: reps,
                                     candidate: { _ = try! analysis.factor(a) },
                                     baseline: { _ = try! SparseLUFactorization(a) })
        let alone = harness.compare(suite: "sparselu", name: "umfpack analysis alone vs fresh factor", size: n * n,
                                    baselineName: "analysis + factor", repetitions: reps,
                                    candidate: { _ = try! SparseLUAnalysis(a.pattern) },
                                    baseline: { _ = try! SparseLUFactorization(a) })
        print("  N = \(n): reused/fresh \(String(format: "%.3f", reused.ratio ?? .nan)), "
              + "analysis/fresh \(String(format: "%.3f", alone.ratio ?? .nan)), ordering \(analysis.ordering)")
    }
}

/// The 2-D Poisson matrix with `0.3·(1 + (j mod 5)/5)` added to each entry above the diagonal.
private func driftPoisson(_ n: Int) -> SparseMatrix {
    let a = TestMatrices.poisson2DSparse(n)
    var values = a.values
    for j in 0..<a.columns {
        for k in a.pattern.columnPointers[j]..<a.pattern.columnPointers[j + 1] where a.pattern.rowIndices[k] < j {
            values[k] += 0.3 * (1 + Double(j % 5) / 5)
        }
    }
    return try! SparseMatrix(pattern: a.pattern, values: values)
}
