import Foundation
import Testing
@testable import ImplicitDifferentiation
import TestSupport

/// The five-point stencil of ``FivePointConditions`` with `−shift·y` (indefinite for a large
/// shift) and, while `y₀ > 0`, a symmetric coupling `0.3(y₀ − y_last)` between the first and
/// the last unknown: the pattern of `A` changes with the point. A non-zero `drift` adds the
/// upwind term `drift·(1 + y_p²)·(y_p − y_{p−1})` along each grid row (non-symmetric `A`, its
/// values changing with the point).
struct SwitchingFivePointConditions: ImplicitConditions {
    let n: Int
    var shift = 0.0
    var drift = 0.0

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let stencil = FivePointConditions(n: n)
        let last = n * n - 1
        let coupled = y[0] > T.zero
        return (0..<(n * n)).map { p in
            var f = stencil.residual(y, at: p % n, p / n) - T(shift) * y[p] - x[p]
            if drift != 0 && p % n > 0 { f = f + T(drift) * (T(1) + y[p] * y[p]) * (y[p] - y[p - 1]) }
            if coupled && p == 0 { f = f + T(0.3) * (y[0] - y[last]) }
            if coupled && p == last { f = f + T(0.3) * (y[last] - y[0]) }
            return f
        }
    }

    func input(for y: [Double]) -> [Double] {
        callAsFunction(x: [Double](repeating: 0, count: y.count), y: y)
    }
}

@Suite struct SparseAnalysisReuseTests {
    static func solution(_ n: Int, phase: Double, sign: Double = 1) -> [Double] {
        var y = (0..<(n * n)).map { 0.5 * Double.cos(0.21 * Double($0) + phase) }
        y[0] = sign * (0.2 + abs(y[0]))
        return y
    }

    /// `linearize(at:solution:)` of `f`, then its VJP with a fixed cotangent.
    static func vjp(_ f: ImplicitFunction<Void, Void>, _ c: SwitchingFivePointConditions, _ y: [Double]) throws -> [Double] {
        var rng = SeededRandom(seed: 5)
        return try f.linearize(at: c.input(for: y), solution: y).vjp(rng.vector(y.count))
    }

    static func function(_ c: SwitchingFivePointConditions, _ solver: LinearSolver = .automatic) -> ImplicitFunction<Void, Void> {
        ImplicitFunction(solver: { _ in [] }, conditions: c, linearSolver: solver, representation: .sparse)
    }

    @Test("later points of one function reuse the CHOLMOD analysis and give the fresh function's derivatives exactly",
          arguments: [LinearSolver.automatic, .cholesky])
    func reuseAcrossPoints(_ solver: LinearSolver) throws {
        let c = SwitchingFivePointConditions(n: 12)
        let f = Self.function(c, solver)
        for phase in [0.0, 0.4, 1.3] {
            let y = Self.solution(12, phase: phase)
            let lin = try f.linearize(at: c.input(for: y), solution: y)
            #expect(lin.solverSummary.kind.contains("CHOLMOD"), "\(lin.plan)")
            let reused = try Self.vjp(f, c, y)
            let fresh = try Self.vjp(Self.function(c, solver), c, y)   // a new function: its own analysis
            #expect(reused == fresh)
            let dense = ImplicitFunction(solver: { _ in [] }, conditions: c, representation: .matrix)
            #expect(Approximate.relativeError(reused, try Self.vjp(dense, c, y)) <= 1e-12)
        }
        #expect(f.structureCache.sparseAnalyses.analysisCount == 1)
    }

    @Test("a pattern that changes with the point gets its own analysis; the earlier one is kept")
    func patternChange() throws {
        let c = SwitchingFivePointConditions(n: 10)
        let f = Self.function(c)
        let coupled = Self.solution(10, phase: 0.2), uncoupled = Self.solution(10, phase: 0.2, sign: -1)
        var counts: [Int] = []
        // The coupled pattern contains the uncoupled one: after it, the cached colouring serves both.
        for y in [uncoupled, coupled, uncoupled, coupled] {
            let got = try Self.vjp(f, c, y)
            let dense = ImplicitFunction(solver: { _ in [] }, conditions: c, representation: .matrix)
            #expect(Approximate.relativeError(got, try Self.vjp(dense, c, y)) <= 1e-12)
            counts.append(f.structureCache.sparseAnalyses.analysisCount)
        }
        #expect(counts == [1, 2, 2, 2])
    }

    @Test("symmetric but indefinite A: the LU fallback is recorded at every point, with the analysis made once")
    func indefiniteFallsBackEveryTime() throws {
        let c = SwitchingFivePointConditions(n: 8, shift: 5)
        let f = Self.function(c)
        for phase in [0.0, 0.7] {
            let y = Self.solution(8, phase: phase)
            let lin = try f.linearize(at: c.input(for: y), solution: y)
            #expect((lin.plan.note ?? "").contains("not positive definite"), "\(lin.plan)")
            #expect(lin.solverSummary.kind.contains("UMFPACK"))
        }
        #expect(f.structureCache.sparseAnalyses.analysisCount == 1)
        #expect(f.structureCache.sparseAnalyses.luAnalysisCount == 1)
        let explicit = Self.function(c, .cholesky)
        guard case .notPositiveDefinite? = implicitError({ _ = try Self.vjp(explicit, c, Self.solution(8, phase: 0)) }) else {
            Issue.record("expected notPositiveDefinite"); return
        }
    }

    @Test("later points of one function reuse the UMFPACK analysis and give the fresh function's derivatives exactly",
          arguments: [LinearSolver.automatic, .lu])
    func luReuseAcrossPoints(_ solver: LinearSolver) throws {
        let c = SwitchingFivePointConditions(n: 12, drift: 0.8)
        let f = Self.function(c, solver)
        for phase in [0.0, 0.4, 1.3] {
            let y = Self.solution(12, phase: phase)
            let lin = try f.linearize(at: c.input(for: y), solution: y)
            #expect(lin.solverSummary.kind.contains("UMFPACK"), "\(lin.plan)")
            var rng = SeededRandom(seed: 8)
            let dx = rng.vector(y.count)
            let reused = try Self.vjp(f, c, y), reusedJVP = try lin.jvp(dx)
            let freshFunction = Self.function(c, solver)   // a new function: its own analysis
            let fresh = try Self.vjp(freshFunction, c, y)
            #expect(reused == fresh)
            #expect(reusedJVP == (try freshFunction.linearize(at: c.input(for: y), solution: y).jvp(dx)))
            let dense = ImplicitFunction(solver: { _ in [] }, conditions: c, representation: .matrix)
            #expect(Approximate.relativeError(reused, try Self.vjp(dense, c, y)) <= 1e-12)
        }
        #expect(f.structureCache.sparseAnalyses.luAnalysisCount == 1)
        #expect(f.structureCache.sparseAnalyses.analysisCount == 0)
    }

    @Test("a non-symmetric pattern that changes with the point gets its own UMFPACK analysis; the earlier one is kept")
    func luPatternChange() throws {
        let c = SwitchingFivePointConditions(n: 10, drift: 0.8)
        let f = Self.function(c, .lu)
        let coupled = Self.solution(10, phase: 0.2), uncoupled = Self.solution(10, phase: 0.2, sign: -1)
        var counts: [Int] = []
        // The coupled pattern contains the uncoupled one: after it, the cached colouring serves
        // both, so the third point factors the coupled pattern (its explicit zeros included),
        // which a fresh function, detecting the uncoupled one, does not: equal to rounding only.
        for (i, y) in [uncoupled, coupled, uncoupled, coupled].enumerated() {
            let lin = try f.linearize(at: c.input(for: y), solution: y)
            #expect(lin.solverSummary.kind.contains("UMFPACK"), "\(lin.plan)")
            let got = try Self.vjp(f, c, y)
            if i != 2 { #expect(got == (try Self.vjp(Self.function(c, .lu), c, y))) }
            let dense = ImplicitFunction(solver: { _ in [] }, conditions: c, representation: .matrix)
            #expect(Approximate.relativeError(got, try Self.vjp(dense, c, y)) <= 1e-12)
            counts.append(f.structureCache.sparseAnalyses.luAnalysisCount)
        }
        #expect(counts == [1, 2, 2, 2])
    }

    @Test("a factor over the memory limit is refused before allocation on a reused analysis too")
    func memoryLimitOnReuse() throws {
        let c = SwitchingFivePointConditions(n: 12)
        var f = Self.function(c, .cholesky)
        let y = Self.solution(12, phase: 0)
        _ = try Self.vjp(f, c, y)
        f.options.maxMatrixBytes = 1024   // the copy shares the structure cache and its analysis
        guard case .allocationTooLarge(let what, let bytes, let limit)? = implicitError({ _ = try Self.vjp(f, c, y) }) else {
            Issue.record("expected allocationTooLarge"); return
        }
        #expect(what.contains("sparse factor") && bytes > limit && limit == 1024)
        #expect(f.structureCache.sparseAnalyses.analysisCount == 1)
    }

    @Test("an LU factorization over the memory limit is refused before the numeric phase on a reused analysis")
    func luMemoryLimitOnReuse() throws {
        let c = SwitchingFivePointConditions(n: 12, drift: 0.8)
        var f = Self.function(c, .lu)
        let y = Self.solution(12, phase: 0)
        let before = try Self.vjp(f, c, y)
        let limit0 = f.options.maxMatrixBytes
        f.options.maxMatrixBytes = 1024   // the copy shares the structure cache and its analysis
        guard case .allocationTooLarge(let what, let bytes, let limit)? = implicitError({ _ = try Self.vjp(f, c, y) }) else {
            Issue.record("expected allocationTooLarge"); return
        }
        #expect(what.contains("sparse factor") && bytes > limit && limit == 1024)
        f.options.maxMatrixBytes = limit0
        #expect(try Self.vjp(f, c, y) == before)   // the stored analysis is intact
        #expect(f.structureCache.sparseAnalyses.luAnalysisCount == 1)
    }
}

@Suite struct JacobiConditionBoundTests {
    /// The tridiagonal Toeplitz matrix `tridiag(−1, d, −1)` of order `n`.
    static func tridiagonal(_ n: Int, _ d: Double) throws -> SparseMatrix {
        try SparseMatrix(Matrix(rows: n, columns: n) { i, j in i == j ? d : abs(i - j) == 1 ? -1 : 0 })
    }

    @Test("the bound holds the exact condition number of a diagonally dominant tridiagonal matrix and is nil otherwise",
          arguments: [2.5, 4.0, 10.0])
    func boundHoldsTheCondition(_ d: Double) throws {
        let n = 50
        let a = try Self.tridiagonal(n, d)
        let bound = try #require(a.jacobiScaledConditionBound)
        let c = 2 * Double.cos(Double.pi / Double(n + 1))   // eigenvalues d − 2cos(kπ/(n+1))
        let exact = (d + c) / (d - c)
        #expect(bound >= exact && bound <= 1.0001 * (d + 2) / (d - 2))
        #expect(try Self.tridiagonal(n, 2).jacobiScaledConditionBound == nil)     // r = 1: the 1-D Laplacian
        #expect(try Self.tridiagonal(n, -4).jacobiScaledConditionBound == nil)    // negative diagonal
        #expect(CostModel.conjugateGradientIterations(condition: bound, tolerance: 1e-12)
                == (0.5 * bound.squareRoot() * Foundation.log(2e12)).rounded(.up))
    }

    /// `−Δ + shift` on an `n × n` grid (``SwitchingFivePointConditions`` with a negative shift),
    /// `y₀ < 0` so that the pattern is the plain stencil's.
    static func stencil(_ n: Int, reaction: Double) -> (SwitchingFivePointConditions, x: [Double], y: [Double]) {
        let c = SwitchingFivePointConditions(n: n, shift: -reaction)
        let y = SparseAnalysisReuseTests.solution(n, phase: 0.3, sign: -1)
        return (c, c.input(for: y), y)
    }

    @Test("one product on 2-D stencils: Jacobi-CG when well conditioned, IC(0)-CG when not, sparse Cholesky when uncertified")
    func stencilPlansByCondition() throws {
        let n = 60
        // Reaction 4: the Jacobi-scaled Gershgorin bound is small (κ ≤ 3), Jacobi-CG needs no set-up and
        // is priced under IC(0)-CG. Reaction 0 is certified with a bound of about 10⁴: Jacobi-CG is
        // priced at that bound's iterations and loses to IC(0)-CG (which is priced under CHOLMOD by
        // about 1%). Reaction −0.004: rows where 0.3y² < 0.004 are not diagonally dominant (no
        // certificate, no bound, the probe's solve counted), yet A stays SPD (λ_min(−Δ) ≈ 0.0053).
        let cases: [(Double, CandidateCost.Kind)] = [(4, .jacobiCG), (0, .preconditionedCG), (-0.004, .sparseCholesky)]
        for (reaction, expected) in cases {
            let (c, x, y) = Self.stencil(n, reaction: reaction)
            let auto = ImplicitFunction(solver: { _ in y }, conditions: c)
            let lin = try auto.linearize(at: x, arguments: (), expecting: .one)
            let winner = try #require(lin.plan.candidates.filter(\.fitsMemory).min { $0.evaluations < $1.evaluations })
            #expect(winner.kind == expected, "\(lin.plan)")
            #expect(lin.plan.candidates.contains { $0.kind == .jacobiCG } == (reaction >= 0), "\(lin.plan)")
            var rng = SeededRandom(seed: 9)
            let ybar = rng.vector(y.count)
            let reference = try ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: .cholesky,
                                                 representation: .sparse).linearize(at: x).vjp(ybar)
            #expect(Approximate.relativeError(try lin.vjp(ybar), reference) <= 1e-10)
            if expected == .jacobiCG {
                // plan(for:) shows what linearize runs (a full Jacobian's n = m solves: a factorization wins there).
                let planned = try auto.plan(for: x, arguments: ())
                #expect(planned == (try auto.linearize(at: x, arguments: ())).plan)
                #expect(planned.candidates.contains { $0.kind == .jacobiCG }, "\(planned)")
            }
            if expected != .sparseCholesky {
                #expect(lin.plan.solver == .cg(options: .automaticPlan), "\(lin.plan)")
                #expect(lin.report.krylovIterations > 0, "\(lin.report)")
                if expected == .jacobiCG { #expect(lin.report.krylovIterations <= 40, "\(lin.report)") }
            }
        }
    }
}
