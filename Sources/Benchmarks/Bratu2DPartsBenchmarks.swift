import Foundation
import ImplicitDifferentiation
import ImplicitExamples
import LinearAlgebra

/// Where the time of the `bratu2d` peer row goes (issue 14): the 2-D Bratu
/// conditions of `scripts/bench-peers` (grid units, `D = 1`) given `u`, one VJP
/// under `.automatic` (sparse Cholesky by CHOLMOD) on a warm structure cache,
/// and each part of that path timed alone (median, ratio to one plain `F`):
/// recording, compressed sweeps, verification, symmetry check, CHOLMOD's
/// analysis, its numeric factorization from scratch and on a reused analysis,
/// its condition estimate, one solve, the tape's reverse sweep for `Bᵀu` and the
/// product with the compressed `B` that the tape-free path makes instead, the value
/// facts' one pass (symmetry, dominance, diagonal) and the dominance pass alone; and, for
/// the same single product, CG preconditioned by IC(0) at the automatic
/// plan's tolerance (`KrylovOptions.automaticPlan`); `A` stored by diagonals (the offsets read once,
/// the form written per call, fresh or through the kept slots of the pattern into a kept buffer, the value
/// facts read from it, Jacobi-CG and the fused product on it).
/// `BRATU2D_PARTS_GRIDS`
/// (default `100,300`) picks the grid sides. Profiling hook:
/// `BRATU2D_PARTS_PROFILE=<N>` with `BRATU2D_PARTS_ITERATIONS=<count>` (default 2000)
/// runs only the warm `.automatic` `vjp(at:)` on the `N × N` grid, for `perf record`.
func runBratu2DPartsBenchmarks(_ harness: inout BenchmarkHarness) {
    let environment = ProcessInfo.processInfo.environment
    if let n = environment["BRATU2D_PARTS_PROFILE"].flatMap({ Int($0) }) {
        let (theta, source) = bratu2DInputs(n)
        let conditions = BratuConditions(nx: n, ny: n, source: source)
        let u = conditions.solve(theta)
        var f = ImplicitFunction(solver: { _ in u }, conditions: conditions)
        f.options.krylovOptions = benchKrylovOptions
        let iterations = environment["BRATU2D_PARTS_ITERATIONS"].flatMap { Int($0) } ?? 2000
        var sink = 0.0
        for _ in 0..<iterations { sink += try! f.vjp(at: theta, cotangent: u)[0] }
        print("  profile N = \(n): \(iterations) warm .automatic VJPs (checksum \(sink))")
        return
    }
    let grids = environment["BRATU2D_PARTS_GRIDS"].map {
        $0.split(separator: ",").compactMap { Int($0) }
    } ?? (harness.quick ? [30] : [100, 300])
    for n in grids {
        let (theta, source) = bratu2DInputs(n)
        let conditions = BratuConditions(nx: n, ny: n, source: source)
        let u = conditions.solve(theta)
        let reps = n >= 300 ? 5 : 21
        var automatic = ImplicitFunction(solver: { _ in u }, conditions: conditions)
        automatic.options.krylovOptions = benchKrylovOptions
        var cg = ImplicitFunction(solver: { _ in u }, conditions: conditions,
                                  linearSolver: .cg(options: .automaticPlan), representation: .sparse)
        cg.preconditioner = PreconditionerFactory { system in
            guard let a = (system.linearOperator as? SparseMatrixOperator)?.matrix else { return nil }
            return try? IncompleteCholeskyPreconditioner(a)
        }
        let functions = [("automatic", automatic), ("sparse + IC(0)-CG (1e-12)", cg)]
        let tF = harness.median(repetitions: reps) { _ = conditions(x: theta, y: u) }
        var wholes: [(String, Double)] = []
        for (label, f) in functions {
            let lin = try! f.linearize(at: theta, solution: u)
            _ = try! lin.vjp(u)
            print("  N = \(n) \(label): \(lin.solverSummary.kind), Krylov iterations \(lin.report.krylovIterations)")
            let t = harness.median(repetitions: reps) { _ = try! f.linearize(at: theta, solution: u).vjp(u) }
            harness.record(.init(suite: "bratu2dparts", name: "linearize + VJP (\(label))", size: n * n,
                                 medianSeconds: t, baselineName: "plain F", baselineMedianSeconds: tF, ratio: t / tF))
            wholes.append((label, t))
        }
        // One product as `vjp(at:)` makes it (the plan for one product), against CHOLMOD asked for
        // explicitly, interleaved; both functions warm (structure cache and analysis reused).
        var cholesky = ImplicitFunction(solver: { _ in u }, conditions: conditions, linearSolver: .cholesky,
                                        representation: .sparse)
        cholesky.options.krylovOptions = benchKrylovOptions
        let choleskyRoot = cholesky, automaticRoot = automatic
        let one = harness.compare(suite: "bratu2dparts", name: "vjp(at:) .automatic", size: n * n,
                                  baselineName: "vjp(at:) .sparse + .cholesky", repetitions: reps,
                                  candidate: { _ = try! automaticRoot.vjp(at: theta, cotangent: u) },
                                  baseline: { _ = try! choleskyRoot.vjp(at: theta, cotangent: u) })
        var noProbe = automatic
        noProbe.options.probesKrylovSingularity = false
        let noProbeRoot = noProbe
        let probe = harness.compare(suite: "bratu2dparts", name: "vjp(at:) .automatic", size: n * n,
                                    baselineName: "vjp(at:) .automatic without the singularity probe", repetitions: reps,
                                    candidate: { _ = try! automaticRoot.vjp(at: theta, cotangent: u) },
                                    baseline: { _ = try! noProbeRoot.vjp(at: theta, cotangent: u) })
        print("  N = \(n) one VJP: .automatic \(String(format: "%.3g", probe.medianSeconds * 1e3)) ms, without the "
              + "singularity probe \(String(format: "%.3g", (probe.baselineMedianSeconds ?? 0) * 1e3)) ms")
        let gradients = (try! automaticRoot.vjp(at: theta, cotangent: u), try! choleskyRoot.vjp(at: theta, cotangent: u))
        let gap = zip(gradients.0, gradients.1).map { abs($0 - $1) }.max() ?? 0
        let scale = gradients.1.map { abs($0) }.max() ?? 1
        print("  N = \(n) one VJP: .automatic \(String(format: "%.3g", one.medianSeconds * 1e3)) ms, "
              + "CHOLMOD \(String(format: "%.3g", (one.baselineMedianSeconds ?? 0) * 1e3)) ms; "
              + "max |difference| / max |gradient| = \(String(format: "%.1e", gap / scale))")
        let bivariate = BivariateConditions(conditions: conditions)
        let tRecord = harness.median(repetitions: reps) { _ = AD.linearize(bivariate, x: theta, y: u) }
        let tape = AD.linearize(bivariate, x: theta, y: u)
        let compression = JacobianCompression(tape.jacobianPatterns().y)
        let tSweeps = harness.median(repetitions: reps) { _ = try! compression.evaluate(tape, withRespectToY: true) }
        let a = try! compression.evaluate(tape, withRespectToY: true)
        let tVerify = harness.median(repetitions: reps) { try! tape.verify(a, withRespectToY: true) }
        // The tape-free evaluation `.automatic` makes on a warm cache: F, A, B and a verification lane on DualN passes.
        let xPattern = tape.jacobianPatterns().x
        let blockA = (pattern: a.pattern, coloring: compression.columnColoring)
        let blockB = (pattern: xPattern, coloring: ColumnColoring(xPattern))
        let lanes = compression.columnColoring.colorCount + blockB.coloring.colorCount + 1
        let dualWorkspace = CompressedDualWorkspace()   // kept across calls, as the structure cache keeps it
        let tTapeFree = harness.median(repetitions: reps) {
            _ = try! AD.compressedJacobians(of: bivariate, x: theta, y: u, a: blockA, b: blockB, workspace: dualWorkspace)
        }
        let tSymmetric = harness.median(repetitions: reps) { _ = a.isSymmetric(tolerance: 1e-12) }
        let tAnalyse = harness.median(repetitions: reps) { _ = try! SparseCholeskyAnalysis(a.pattern) }
        let analysis = try! SparseCholeskyAnalysis(a.pattern)
        let tFresh = harness.median(repetitions: reps) { _ = try! SparseCholeskyFactorization(a) }
        let tReused = harness.median(repetitions: reps) { _ = try! analysis.factor(a) }
        let factor = try! analysis.factor(a)
        let tRcond = harness.median(repetitions: reps) { _ = factor.reciprocalCondition }
        let tSolve = harness.median(repetitions: reps) { _ = try! factor.solve(u) }
        var xbar = [Double](repeating: 0, count: theta.count)
        let tSweepB = harness.median(repetitions: reps) { tape.vjp(u, intoX: &xbar) }
        // `Bᵀu` as the tape-free path makes it: the CSC product with the compressed B.
        let compressedB = try! AD.compressedJacobians(of: bivariate, x: theta, y: u, a: blockA, b: blockB,
                                                      workspace: dualWorkspace).x!
        let tCompressedB = harness.median(repetitions: 5 * reps) { compressedB.multiplyTransposed(u, into: &xbar) }
        // The value facts the cost model reads (symmetry, dominance and diagonal in one pass) and the
        // dominance pass alone.
        let tFacts = harness.median(repetitions: reps) { _ = SparseValueFactsProbe.facts(a) }
        let tDominance = harness.median(repetitions: reps) { _ = SparseValueFactsProbe.dominanceOnly(a) }
        let tDiagonal = harness.median(repetitions: 5 * reps) { _ = a.diagonalElements }
        let tIC = harness.median(repetitions: reps) { _ = try! IncompleteCholeskyPreconditioner(a) }
        let ic = try! IncompleteCholeskyPreconditioner(a)
        let op = SparseMatrixOperator(a, structure: [.symmetric, .positiveDefinite])
        let solver = ConjugateGradient(options: .automaticPlan)
        let tCG = harness.median(repetitions: reps) { _ = solver.solve(op, u, initialGuess: nil, preconditioner: ic) }
        let cgIterations = solver.solve(op, u, initialGuess: nil, preconditioner: ic).statistics.iterations
        // Jacobi-CG (the candidate without set-up), in the VJP's direction (Aᵀ) and the JVP's (A).
        let jacobi = try! JacobiPreconditioner(diagonal: a.diagonalElements)
        let tJacobiCG = harness.median(repetitions: reps) { _ = solver.solveTransposed(op, u, preconditioner: jacobi) }
        let tJacobiCGPlain = harness.median(repetitions: reps) {
            _ = solver.solve(op, u, initialGuess: nil, preconditioner: jacobi)
        }
        let jacobiIterations = solver.solveTransposed(op, u, preconditioner: jacobi).statistics.iterations
        let gatherOp = SparseMatrixOperator(exactlySymmetric: a, structure: [.symmetric, .positiveDefinite])
        let tJacobiCGGather = harness.median(repetitions: reps) {
            _ = solver.solve(gatherOp, u, initialGuess: nil, preconditioner: jacobi)
        }
        // The same solves on A stored by diagonals (the five offsets of the stencil), and its construction.
        let diagonalOffsets = DiagonalOffsetMatrix.offsets(of: a.pattern)!
        let tOffsets = harness.median(repetitions: 5 * reps) { _ = DiagonalOffsetMatrix.offsets(of: a.pattern) }
        let tDiagonalForm = harness.median(repetitions: 5 * reps) { _ = DiagonalOffsetMatrix(a, offsets: diagonalOffsets) }
        let diagonalForm = DiagonalOffsetMatrix(a, offsets: diagonalOffsets)!
        // As `.automatic` writes it on a warm call: A's values scattered to the slots of its pattern, in a kept buffer.
        let slots = DiagonalOffsetSlots(a.pattern, offsets: diagonalOffsets)!
        var keptValues = diagonalForm.values
        let tDiagonalFormKept = harness.median(repetitions: 5 * reps) {
            keptValues = slots.form(a, reusing: &keptValues)!.values
        }
        let tFactsByDiagonals = harness.median(repetitions: reps) { _ = SparseValueFactsProbe.facts(a, diagonals: diagonalForm) }
        let diagonalOp = SparseMatrixOperator(a, diagonals: diagonalForm, structure: [.symmetric, .positiveDefinite])
        let tJacobiCGDiagonals = harness.median(repetitions: reps) {
            _ = solver.solveTransposed(diagonalOp, u, preconditioner: jacobi)
        }
        let tJacobiCGDiagonalsA = harness.median(repetitions: reps) {
            _ = solver.solve(diagonalOp, u, initialGuess: nil, preconditioner: jacobi)
        }
        let diagonalIterations = solver.solveTransposed(diagonalOp, u, preconditioner: jacobi).statistics.iterations
        let tJVP = harness.median(repetitions: reps) { _ = try! automaticRoot.jvp(at: theta, tangent: u) }
        // One IC(0)-CG iteration's kernels alone: the product, the two triangular sweeps, the vector work
        // (three dot products, two axpy, one axpby at m).
        var q = [Double](repeating: 0, count: a.rows), z = q, w = u
        let tProduct = harness.median(repetitions: 5 * reps) { a.multiply(u, into: &q) }
        let tTransposedProduct = harness.median(repetitions: 5 * reps) { a.multiplyTransposed(u, into: &q) }
        let tFusedProduct = harness.median(repetitions: 5 * reps) { _ = a.multiplyTransposedReturningDot(u, into: &q) }
        let tDiagonalProduct = harness.median(repetitions: 5 * reps) {
            _ = diagonalForm.multiplyReturningDot(u, into: &q, transposed: true)
        }
        // Jacobi-CG's new direction formed in the same pass (p ← D⁻¹r + βp, then Aᵀp with pᵀAᵀp).
        let inverseDiagonal = a.diagonalElements.map { 1 / $0 }
        var direction = u
        let tDirectionProduct = harness.median(repetitions: 5 * reps) {
            _ = diagonalForm.multiplyAfterJacobiDirection(beta: 0.5, residual: u, inverseDiagonal: inverseDiagonal,
                                                          direction: &direction, into: &q, transposed: true)
        }
        let tTriangular = harness.median(repetitions: 5 * reps) { ic.apply(u, into: &z) }
        let tVectors = harness.median(repetitions: 5 * reps) {
            let s = BLAS.dot(u, q) + BLAS.dot(q, q) + BLAS.dot(u, z)
            BLAS.axpy(1e-3 * s, u, &w)
            BLAS.axpy(-1e-3, q, &w)
            BLAS.axpby(1, z, 0.5, &w)
        }
        // The cost model's iteration estimate for IC(0)-CG (JacobiConditionBound.swift), recomputed here
        // from the compressed A to set it beside the measured count.
        var diagonal = [Double](repeating: 0, count: a.rows), rowSums = diagonal
        for j in 0..<a.columns {
            for k in a.pattern.columnPointers[j]..<a.pattern.columnPointers[j + 1] where a.pattern.rowIndices[k] == j {
                diagonal[j] = a.values[k]
            }
        }
        for j in 0..<a.columns {
            for k in a.pattern.columnPointers[j]..<a.pattern.columnPointers[j + 1] where a.pattern.rowIndices[k] != j {
                let i = a.pattern.rowIndices[k]
                rowSums[i] += abs(a.values[k]) / (diagonal[i] * diagonal[j]).squareRoot()
            }
        }
        let r = rowSums.max() ?? 0, kappa = (1 + r) / (1 - r)
        let estimate = (0.5 * kappa.squareRoot() * log(2e12)).rounded(.up)
        print("  N = \(n): Jacobi-scaled Gershgorin r = \(String(format: "%.3f", r)), cond ≤ \(String(format: "%.2f", kappa)), "
              + "estimated CG iterations \(Int(estimate)) (size rule 10 + √m = \(10 + n)), measured IC(0)-CG \(cgIterations)")
        let parts = [("tape-free evaluation (\(lanes) lanes)", tTapeFree),
                     ("recording", tRecord), ("colour sweeps", tSweeps), ("verification", tVerify),
                     ("symmetry check", tSymmetric), ("CHOLMOD analysis (\(analysis.ordering))", tAnalyse),
                     ("CHOLMOD analysis + factor", tFresh), ("CHOLMOD factor on a reused analysis", tReused),
                     ("rcond", tRcond), ("solve", tSolve), ("tape reverse sweep Bᵀu (not on the tape-free path)", tSweepB),
                     ("Bᵀu by the compressed B (the tape-free path's)", tCompressedB),
                     ("value facts (symmetry + dominance + diagonal, one pass)", tFacts),
                     ("dominance pass alone", tDominance), ("diag(A) read", tDiagonal),
                     ("IC(0) construction", tIC), ("IC(0)-CG solve (\(cgIterations) its)", tCG),
                     ("Jacobi-CG solve Aᵀ (\(jacobiIterations) its)", tJacobiCG), ("Jacobi-CG solve A", tJacobiCGPlain),
                     ("Jacobi-CG solve A by the gather (A exactly symmetric)", tJacobiCGGather),
                     ("diagonal offsets of the pattern (once per detection)", tOffsets),
                     ("diagonal form of A (\(diagonalForm.offsets.count) offsets)", tDiagonalForm),
                     ("diagonal form of A, kept slots and buffer", tDiagonalFormKept),
                     ("value facts read by diagonals", tFactsByDiagonals),
                     ("Jacobi-CG solve Aᵀ by diagonals (\(diagonalIterations) its)", tJacobiCGDiagonals),
                     ("Jacobi-CG solve A by diagonals", tJacobiCGDiagonalsA),
                     ("one jvp(at:) .automatic", tJVP),
                     ("A p", tProduct), ("Aᵀ p", tTransposedProduct), ("Aᵀ p with pᵀAᵀp", tFusedProduct),
                     ("Aᵀ p with pᵀAᵀp by diagonals", tDiagonalProduct),
                     ("Jacobi direction, then Aᵀ p with pᵀAᵀp by diagonals (one pass)", tDirectionProduct),
                     ("IC(0) apply (two sweeps)", tTriangular),
                     ("CG vector work per iteration", tVectors)]
        for (name, t) in parts {
            harness.record(.init(suite: "bratu2dparts", name: name, size: n * n, medianSeconds: t,
                                 baselineName: "plain F", baselineMedianSeconds: tF, ratio: t / tF))
        }
        print("  N = \(n): plain F \(String(format: "%.3g", tF * 1e3)) ms; "
              + wholes.map { "\($0.0) \(String(format: "%.3g", $0.1 * 1e3)) ms" }.joined(separator: ", "))
        print("  N = \(n) parts (ms): " + parts.map { "\($0.0) \(String(format: "%.3g", $0.1 * 1e3))" }
            .joined(separator: ", "))
    }
}
