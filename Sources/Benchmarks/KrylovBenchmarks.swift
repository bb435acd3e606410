import Foundation
import Krylov
import LinearAlgebra
import TestSupport

/// Benchmarks of the Krylov layer: CG and GMRES(20) on the matrix-free 2-D
/// Poisson operator at 100², 300² and 1000² unknowns.
///
/// Each solve runs a fixed number of iterations (tolerances 0, so the cap
/// ends it: the per-iteration cost is what is measured). Reported per size:
/// time per iteration ÷ time of one operator application (goal ≤ 1.5 for CG;
/// GMRES(20) orthogonalizes against up to 20 basis vectors, so its ratio is
/// larger by design), and the peak resident memory of the case, with the
/// high-water mark reset before it (Linux `/proc/self/clear_refs`), which must
/// grow linearly in the unknowns.
func runKrylovBenchmarks(_ harness: inout BenchmarkHarness) {
    checkStencil()
    let gridSides = [100, 300, 1000]
    for k in gridSides {
        let n = k * k
        let op = PoissonStencil(side: k)
        let iterations = 100
        let options = try! KrylovOptions(absoluteTolerance: 0, relativeTolerance: 0, maxIterations: iterations)
        let b = (0..<n).map { i in 1 + Double(i % 7) / 7 }
        let repetitions = k >= 1000 ? 3 : 7

        // One operator application, and CG's vector kernels (pᵀq, two axpys, ‖r‖,
        // p ← r + βp) called directly: the floor of a CG iteration.
        var y = [Double](repeating: 0, count: n)
        var p = b, q = b, x = b, r = b
        func apply() { op.apply(b, into: &y) }
        func cgKernels() {
            let d = BLAS.dot(p, q)
            BLAS.axpy(d > 0 ? 1e-9 : -1e-9, p, &x)
            BLAS.axpy(-1e-9, q, &r)
            let nr = BLAS.nrm2(r)
            BLAS.axpby(1, r, 0.5 * min(1, nr), &p)
        }

        let solvers: [(String, any KrylovSolver)] = [
            ("CG", ConjugateGradient(options: options)),
            ("GMRES(20)", try! GMRES(restart: 20, options: options)),
        ]
        for (name, solver) in solvers {
            resetPeakResident()
            let before = residentBytes()
            var statistics: KrylovStatistics?
            // Interleaved with its baseline (the same number of bare applications) so that
            // machine noise hits both alike; the ratio is then per iteration ÷ per apply.
            var bodies: [() -> Void] = [
                { statistics = solver.solve(op, b).statistics },
                { for _ in 0..<iterations { apply() } },
            ]
            if name == "CG" { bodies.append { for _ in 0..<iterations { apply(); cgKernels() } } }
            let medians = interleavedMedians(repetitions: harness.quick ? 3 : repetitions, bodies)
            let (solveSeconds, appliesSeconds) = (medians[0], medians[1])
            var row = BenchmarkHarness.Row(
                suite: "krylov", name: "\(name) iteration / stencil apply", size: n,
                medianSeconds: solveSeconds, baselineName: "\(iterations) stencil applies",
                baselineMedianSeconds: appliesSeconds, ratio: solveSeconds / appliesSeconds)
            let peak = peakResidentBytes()
            let done = statistics!
            precondition(done.iterations == iterations, "\(done)")
            var extra: [String: Double] = [
                "msPerIteration": row.medianSeconds / Double(iterations) * 1e3,
                "msPerApply": row.baselineMedianSeconds! / Double(iterations) * 1e3,
                "applicationsPerIteration": Double(done.operatorApplications) / Double(done.iterations),
                "peakResidentMB": Double(peak) / 1_048_576,
                "caseMB": Double(max(0, peak - before)) / 1_048_576,
                "peakBytesPerUnknown": Double(peak) / Double(n),
            ]
            if name == "CG" {
                // The same solve against the floor: bare applies plus CG's kernels.
                let floor = medians[2]
                extra["ratioToApplyPlusKernels"] = row.medianSeconds / floor
                extra["kernelsPlusApplyOverApply"] = floor / row.baselineMedianSeconds!
            }
            row.extra = extra
            harness.record(row)
            print("  \(name) n = \(n): \(String(format: "%.3g", extra["msPerIteration"]!)) ms/iteration, "
                  + "apply \(String(format: "%.3g", extra["msPerApply"]!)) ms, ratio \(String(format: "%.2f", row.ratio!))"
                  + (extra["ratioToApplyPlusKernels"].map { String(format: " (%.2f against apply + kernels)", $0) } ?? "")
                  + ", peak RSS \(String(format: "%.1f", Double(peak) / 1_048_576)) MB")
        }
    }
}

/// Medians of `bodies` run in turn, round after round (after one warm-up
/// round), so that machine noise hits all of them alike.
private func interleavedMedians(repetitions: Int, _ bodies: [() -> Void]) -> [Double] {
    for body in bodies { body() }
    var times = [[Double]](repeating: [], count: bodies.count)
    for _ in 0..<max(1, repetitions) {
        for (i, body) in bodies.enumerated() {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times[i].append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
    }
    return times.map { $0.sorted()[$0.count / 2] }
}

/// Stops unless the stencil equals the dense 2-D Poisson matrix on a small grid.
private func checkStencil() {
    for k in [1, 2, 5] {
        let x = (0..<(k * k)).map { Double($0 * $0 % 11) - 3 }
        let dense = TestMatrices.poisson2D(k) * x
        precondition(PoissonStencil(side: k).applied(to: x) == dense, "PoissonStencil differs from poisson2D(\(k))")
    }
}

/// Resets the kernel's peak-RSS mark (VmHWM) so that the next reading covers
/// only what follows (Linux ≥ 4.0; a no-op elsewhere).
private func resetPeakResident() {
    if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
        handle.write(Data("5".utf8))
        try? handle.close()
    }
}

/// The 5-point Laplacian on a `side × side` grid with Dirichlet boundary,
/// applied matrix-free: `(A x)ᵢ = 4xᵢ − Σ neighbours`. Symmetric positive
/// definite; the transpose is the operator itself.
struct PoissonStencil: LinearOperator, Sendable {
    let side: Int
    var rows: Int { side * side }
    var columns: Int { side * side }
    var structure: OperatorStructure { [.symmetric, .positiveDefinite] }
    var supportsTranspose: Bool { true }

    func apply(_ x: [Double], into y: inout [Double]) {
        let k = side
        precondition(x.count == k * k && y.count == k * k, "PoissonStencil: wrong vector length")
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                guard let xp = xb.baseAddress, let yp = yb.baseAddress else { return }
                // Row by row: the horizontal part, then the rows above and below, each a
                // branch-free loop over one grid row (vectorizable, L1-resident).
                for gy in 0..<k {
                    let row = gy * k
                    if k == 1 {
                        yp[row] = 4 * xp[row]
                    } else {
                        yp[row] = 4 * xp[row] - xp[row + 1]
                        for i in (row + 1)..<(row + k - 1) { yp[i] = 4 * xp[i] - xp[i - 1] - xp[i + 1] }
                        yp[row + k - 1] = 4 * xp[row + k - 1] - xp[row + k - 2]
                    }
                    if gy > 0 { for i in row..<(row + k) { yp[i] -= xp[i - k] } }
                    if gy < k - 1 { for i in row..<(row + k) { yp[i] -= xp[i + k] } }
                }
            }
        }
    }

    func applyTransposed(_ x: [Double], into y: inout [Double]) { apply(x, into: &y) }
}
