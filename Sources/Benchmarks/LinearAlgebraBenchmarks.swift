import CLAPACK
import Foundation
import ImplicitDifferentiation
import TestSupport

/// Benchmarks of the LinearAlgebra layer: each Swift wrapper against the same
/// LAPACK/BLAS calls made directly through the C API, interleaved in one run.
///
/// - LU factor + solve (`n = 250, 1000, 2000`): `LUFactorization(a).solve(b)`
///   against `dgetrf` + `dgetrs` on a fresh copy of the same matrix (both
///   sides copy, since `dgetrf` overwrites; the wrapper also measures the
///   1-norm and checks finiteness during its copy). A second row reads
///   `reciprocalCondition` too (`dgecon`, computed on first access) against C
///   doing the same work (`dlange` + `dgetrf` + `dgecon` + `dgetrs`).
/// - gemv (`n = 1000, 4000`): `BLAS.gemv` against `cblas_dgemv`.
func runLinearAlgebraBenchmarks(_ harness: inout BenchmarkHarness) {
    for n in [250, 1000, 2000] {
        benchmarkLU(n, &harness)
    }
    for n in [1000, 4000] {
        benchmarkGemv(n, &harness)
    }
}

/// Keeps results alive so that no measured call can be optimized away.
nonisolated(unsafe) private var benchmarkSink = 0.0

private func benchmarkLU(_ n: Int, _ harness: inout BenchmarkHarness) {
    let a = TestMatrices.wellConditioned(n, seed: UInt64(n))
    var rng = SeededRandom(seed: UInt64(n) + 1)
    let b = rng.vector(n)
    let flops = 2.0 / 3.0 * Double(n * n * n) + 2.0 * Double(n * n)
    let reps = n >= 2000 ? 7 : n >= 1000 ? 21 : 101

    let swiftLU = {
        let lu = try! LUFactorization(a)
        let x = try! lu.solve(b)
        benchmarkSink += x[0]
    }
    let swiftLUWithCondition = {
        let lu = try! LUFactorization(a)
        let x = try! lu.solve(b)
        benchmarkSink += x[0] + lu.reciprocalCondition
    }
    let row = harness.compare(suite: "linalg", name: "lu factor+solve (Swift vs C getrf+getrs)", size: n,
                              baselineName: "C LAPACKE_dgetrf+dgetrs", repetitions: reps,
                              candidate: swiftLU,
                              baseline: { benchmarkSink += directLU(a, b, estimateCondition: false) })
    print("  lu n=\(n): Swift \(gflops(flops, row.medianSeconds)) GFLOP/s, "
          + "C \(gflops(flops, row.baselineMedianSeconds!)) GFLOP/s, ratio \(ratio(row))")

    let same = harness.compare(suite: "linalg", name: "lu factor+solve+gecon (Swift vs C same)", size: n,
                               baselineName: "C dlange+dgetrf+dgecon+dgetrs", repetitions: reps,
                               candidate: swiftLUWithCondition,
                               baseline: { benchmarkSink += directLU(a, b, estimateCondition: true) })
    print("  lu n=\(n) against C doing the same work (dlange, dgecon): ratio \(ratio(same))")
}

/// `dgetrf` + `dgetrs` (and optionally `dlange` + `dgecon`) straight through
/// LAPACKE on a malloc'ed copy of `a`; returns `x[0]` (plus `rcond`).
private func directLU(_ a: Matrix, _ b: [Double], estimateCondition: Bool) -> Double {
    let n = a.rows
    let f = UnsafeMutablePointer<Double>.allocate(capacity: n * n)
    let x = UnsafeMutablePointer<Double>.allocate(capacity: n)
    let ipiv = UnsafeMutablePointer<clapack_int>.allocate(capacity: n)
    defer { f.deallocate(); x.deallocate(); ipiv.deallocate() }
    a.elements.withUnsafeBufferPointer { f.update(from: $0.baseAddress!, count: n * n) }
    b.withUnsafeBufferPointer { x.update(from: $0.baseAddress!, count: n) }
    let layout = Int32(LAPACK_COL_MAJOR), ni = clapack_int(n)
    let one = CChar(UInt8(ascii: "1")), notrans = CChar(UInt8(ascii: "N"))
    var rcond = 0.0
    if estimateCondition {
        let work = UnsafeMutablePointer<Double>.allocate(capacity: 4 * n)
        let iwork = UnsafeMutablePointer<clapack_int>.allocate(capacity: n)
        defer { work.deallocate(); iwork.deallocate() }
        let anorm = LAPACKE_dlange_work(layout, one, ni, ni, f, ni, work)
        precondition(LAPACKE_dgetrf_work(layout, ni, ni, f, ni, ipiv) == 0)
        precondition(LAPACKE_dgecon_work(layout, one, ni, f, ni, anorm, &rcond, work, iwork) == 0)
    } else {
        precondition(LAPACKE_dgetrf_work(layout, ni, ni, f, ni, ipiv) == 0)
    }
    precondition(LAPACKE_dgetrs_work(layout, notrans, ni, 1, f, ni, ipiv, x, ni) == 0)
    return x[0] + rcond
}

private func benchmarkGemv(_ n: Int, _ harness: inout BenchmarkHarness) {
    var rng = SeededRandom(seed: UInt64(n) + 2)
    let a = rng.matrix(n, n), x = rng.vector(n)
    var ySwift = [Double](repeating: 0, count: n)
    var yC = [Double](repeating: 0, count: n)
    let reps = n >= 4000 ? 61 : 301
    let row = harness.compare(suite: "linalg", name: "gemv y = A x (Swift vs C)", size: n,
                              baselineName: "C cblas_dgemv", repetitions: reps,
                              candidate: {
                                  BLAS.gemv(1, a, x, 0, &ySwift)
                                  benchmarkSink += ySwift[0]
                              },
                              baseline: {
                                  a.elements.withUnsafeBufferPointer { ap in
                                      x.withUnsafeBufferPointer { xp in
                                          yC.withUnsafeMutableBufferPointer { yp in
                                              cblas_dgemv(CblasColMajor, CblasNoTrans, blasint(n), blasint(n), 1,
                                                          ap.baseAddress, blasint(n), xp.baseAddress, 1, 0,
                                                          yp.baseAddress, 1)
                                          }
                                      }
                                  }
                                  benchmarkSink += yC[0]
                              })
    print("  gemv n=\(n): Swift \(gflops(Double(8 * n * n), row.medianSeconds)) GB/s, ratio \(ratio(row))")
    precondition(ySwift == yC, "gemv: the wrapper and the C call disagree")
}

private func gflops(_ count: Double, _ seconds: Double) -> String {
    String(format: "%.2f", count / seconds / 1e9)
}

private func ratio(_ row: BenchmarkHarness.Row) -> String {
    String(format: "%.3f", row.ratio ?? .nan)
}
