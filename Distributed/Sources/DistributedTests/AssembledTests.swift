import AutoDiff
import DistributedExamples
import DistributedImplicit
import Foundation
import LinearAlgebra
import PETScKit

/// Bratu conditions with one dense row: the first owned row of every rank
/// also reads every owned point through `κ y_p − κ y_p` (value and
/// derivative zero, but every entry is in the tape's pattern, which does not
/// look for cancellation between different nodes).
struct BratuWithDenseRow: LocalGridConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: GridPatch<T>) -> [T] {
        var rows = BratuGridConditions()(x: x, y: y)
        for j in y.ownedBox.ys { for i in y.ownedBox.xs { rows[0] = rows[0] + (x[0] * y[i, j] - y[i, j] * x[0]) } }
        return rows
    }
}

/// Bratu conditions whose local Jacobian has an infinite entry on the last
/// rank only: `√(y − y)` at 0 has value 0 and derivative ∞·0 = NaN.
struct InfiniteDerivativeOnLastRank: LocalGridConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: GridPatch<T>) -> [T] {
        var rows = BratuGridConditions()(x: x, y: y)
        guard y.ownedBox.contains(y.nx - 1, y.ny - 1) else { return rows }
        let i = y.ownedBox.xs.lowerBound, j = y.ownedBox.ys.lowerBound
        rows[0] = rows[0] + T.sqrt(y[i, j] - y[i, j])
        return rows
    }
}

/// `y(x)` of the Bratu problem with other conditions `C` that have the same solution.
func sameSolution<C: LocalGridConditions>(_ conditions: C, n: Int) throws -> DistributedImplicitFunction<C> {
    let problem = try BratuProblem(n: n)
    let u = try problem.solve(bratuX)
    return DistributedImplicitFunction(grid: problem.grid, conditions: conditions) { _ in u }
}

func assembledTests() -> [TestCase] { [
    TestCase(name: "assembled: JVP, VJP and Jacobian equal the single-process library's on a 5 × 5 grid (CG + GAMG)") {
        try compareWithSingleProcess(n: 5, twoD: true, representation: .assembled, kind: "cg + gamg")
    },
    TestCase(name: "assembled: JVP, VJP and Jacobian equal the single-process library's on a 12 × 12 grid (CG + GAMG)") {
        try compareWithSingleProcess(n: 12, twoD: true, representation: .assembled, kind: "cg + gamg")
    },
    TestCase(name: "assembled: JVP, VJP and Jacobian equal the single-process library's on a 12 × 12 grid, GMRES + PETSc's default PC") {
        let pc = PETSc.size == 1 ? "ilu" : "bjacobi"
        try compareWithSingleProcess(n: 12, twoD: true, declareSymmetric: false, representation: .assembled,
                                     kind: "gmres + \(pc)")
    },
    TestCase(name: "assembled: JVP, VJP and Jacobian equal the single-process library's on a 1-D grid of 31 points") {
        try compareWithSingleProcess(n: 31, twoD: false, representation: .assembled, kind: "cg + gamg")
    },
    // 12 × 12, as the other GMRES case: the VJP of the oscillating ȳ cancels
    // (Bᵀ w is about 1e-4 of w's size, B's columns smooth), so its error is
    // rtol·κ(A)/1e-4 — at 20 × 20 and rtol 1e-13 that is 2e-9 relative with
    // GMRES + block Jacobi/ILU (true residual 3e-13 ‖b‖, checked by monitor).
    TestCase(name: "assembled: the options database chooses the KSP (-ksp_type gmres -pc_type bjacobi -sub_pc_type ilu) on a 12 × 12 grid") {
        let options = ["-t_opt_ksp_type": "gmres", "-t_opt_pc_type": "bjacobi", "-t_opt_sub_pc_type": "ilu"]
        for (k, v) in options { try PETSc.setOption(k, v) }
        defer { for k in options.keys { try? PETSc.clearOption(k) } }
        try compareWithSingleProcess(n: 12, twoD: true, representation: .assembled, kind: "gmres + bjacobi",
                                     optionsPrefix: "t_opt_")
    },
    TestCase(name: "assembled and shell derivatives agree to 1e-10 on a 24 × 24 grid, and the assembled A has the 5-point stencil's entries") {
        let problem = try BratuProblem(n: 24)
        let grid = problem.grid
        var f = problem.implicitFunction()
        f.options.relativeTolerance = 1e-13
        f.options.representation = .assembled
        let a = try f.linearize(at: bratuX)
        f.options.representation = .shell
        let s = try f.linearize(at: bratuX)
        let n = grid.nx
        try expect(a.assembled?.globalNonZeros == 5 * n * n - 4 * n, "entries \(String(describing: a.assembled?.globalNonZeros))")
        let v = try grid.globalVector(natural: (0..<grid.count).map { sin(0.37 * Double($0)) })
        let av = try grid.makeGlobalVector(), sv = try grid.makeGlobalVector()
        try a.assembled!.matrix.multiply(v, into: av)
        try s.conditions.applyA(v, into: sv)
        let pa = try grid.naturalEntries(av), ps = try grid.naturalEntries(sv)
        try expect(relativeError(pa, ps) <= 1e-14, "A v: assembled vs tape \(relativeError(pa, ps))")
        let tangent = [0.3, -0.7, 1.1]
        let ja = try grid.naturalEntries(try a.jvp(tangent: tangent))
        let js = try grid.naturalEntries(try s.jvp(tangent: tangent))
        try expect(relativeError(ja, js) <= 1e-10, "JVP assembled vs shell \(relativeError(ja, js))")
        let ybar = try grid.globalVector(natural: (0..<grid.count).map { cos(Double($0)) })
        let va = try a.vjp(cotangent: ybar), vs = try s.vjp(cotangent: ybar)
        try expect(relativeError(va, vs) <= 1e-10, "VJP assembled vs shell \(relativeError(va, vs))")
        let ca = try a.jacobian(), cs = try s.jacobian()
        for k in 0..<3 {
            let e = relativeError(try grid.naturalEntries(ca[k]), try grid.naturalEntries(cs[k]))
            try expect(e <= 1e-10, "Jacobian column \(k): assembled vs shell \(e)")
        }
    },
    TestCase(name: "automatic assembles A for stencil conditions and keeps it a shell when a row is dense") {
        let problem = try BratuProblem(n: 12)
        let stencil = try problem.implicitFunction().linearize(at: bratuX)
        try expect(stencil.representation == .assembled && stencil.krylov.kind == "cg + gamg", stencil.plan)
        // The dense row reads every owned point: more than 64 entries on every rank of a split of 24 × 24
        // over up to 8 ranks.
        var dense = try sameSolution(BratuWithDenseRow(), n: 24)
        try expect(Collective.maxima([-Double(dense.grid.ownedBox.count)])[0] < -64,
                   "an owned box of \(dense.grid.ownedBox.count) points: the dense row is not above the bound")
        dense.options.symmetricPositiveDefinite = true
        let lin = try dense.linearize(at: bratuX)
        try expect(lin.representation == .shell && lin.krylov.kind == "cg + jacobi", lin.plan)
    },
    TestCase(name: "assembled: a diverged KSP in the derivative is linearSolveFailed(DIVERGED_ITS) on every rank") {
        try PETSc.setOption("-t_adiv_ksp_max_it", "1")
        try PETSc.setOption("-t_adiv_pc_type", "none")
        defer { try? PETSc.clearOption("-t_adiv_ksp_max_it"); try? PETSc.clearOption("-t_adiv_pc_type") }
        let problem = try BratuProblem(n: 12)
        var f = problem.implicitFunction()
        f.options.representation = .assembled
        f.options.optionsPrefix = "t_adiv_"
        let lin = try f.linearize(at: bratuX)
        try expect(lin.representation == .assembled, lin.plan)
        try expectFailure("linearSolveFailed(DIVERGED_ITS)", {
            if case let .linearSolveFailed(.kspNotConverged(reason, _, _)) = $0 { reason == "DIVERGED_ITS" } else { false }
        }) { _ = try lin.vjp(cotangent: try problem.objectiveGradient(lin.solution)) }
        try expectFailure("linearSolveFailed(DIVERGED_ITS)", {
            if case let .linearSolveFailed(.kspNotConverged(reason, _, _)) = $0 { reason == "DIVERGED_ITS" } else { false }
        }) { _ = try lin.jvp(tangent: [1, 0, 0]) }
        try expectFailure("linearSolveFailed(DIVERGED_ITS)", {
            if case .linearSolveFailed = $0 { true } else { false }
        }) { _ = try lin.jacobian() }
    },
    TestCase(name: "assembled: an infinite local Jacobian entry on the last rank only is localJacobianFailed on every rank") {
        var f = try sameSolution(InfiniteDerivativeOnLastRank(), n: 8)
        f.options.representation = .assembled
        try expectFailure("localJacobianFailed", { if case .localJacobianFailed = $0 { true } else { false } }) {
            _ = try f.linearize(at: bratuX)
        }
    },
    TestCase(name: "KrylovSolve as a PreparedLinearSolve solves this rank's slices both ways, and a capped solve is notConverged") {
        let n = 40
        let A = try convectionDiffusion(n: n, c: 0.3)
        let At = try convectionDiffusion(n: n, c: -0.3)
        let xStar = try sineVector(like: A)
        let b = try xStar.duplicate(), c = try xStar.duplicate()
        try A.multiply(xStar, into: b)
        try At.multiply(xStar, into: c)
        func check<S: PreparedLinearSolve>(_ s: S) throws {
            let rows = A.ownedRows
            try expect(s.rows == rows.count && s.columns == rows.count && !s.isLeastSquares, "\(s.rows) × \(s.columns)")
            let want = try xStar.localEntries()
            let x = try s.solve(try b.localEntries()), w = try s.solveTransposed(try c.localEntries())
            try expect(relativeError(x, want) <= 1e-10 && relativeError(w, want) <= 1e-10,
                       "slices: \(relativeError(x, want)), \(relativeError(w, want))")
            var two = Matrix(rows: rows.count, columns: 2)
            two.setColumn(0, to: try b.localEntries())
            two.setColumn(1, to: (try b.localEntries()).map { 2 * $0 })
            let xs = try s.solve(two)
            try expect(relativeError(xs.column(1), want.map { 2 * $0 }) <= 1e-10, "second column")
            try expect(s.summary.lastStatistics?.status == .converged, "\(s.summary)")
            do {
                _ = try s.solve([Double](repeating: 1, count: rows.count + 1))
                throw Expectation(description: "a slice of the wrong length was accepted")
            } catch LinearAlgebraError.dimensionMismatch {}
        }
        try check(try KrylovSolve(operator_: A, optionsPrefix: "t_pls_", relativeTolerance: 1e-13))
        try PETSc.setOption("-t_plscap_ksp_max_it", "2")
        defer { try? PETSc.clearOption("-t_plscap_ksp_max_it") }
        let capped = try KrylovSolve(operator_: A, optionsPrefix: "t_plscap_", defaultPreconditioner: "none")
        do {
            _ = try capped.solve(try b.localEntries())
            throw Expectation(description: "the capped solve returned")
        } catch let LinearAlgebraError.notConverged(statistics) {
            try expect(statistics.status == .maxIterationsReached && statistics.iterations == 2,
                       "\(statistics)")
        }
    },
] }
