import Foundation
import Testing
@testable import ImplicitDifferentiation
import LinearAlgebra
import TestSupport

/// `F_i = y_i − x_i − 0.1 log Σ_j exp(½y_j + sin y_j + C_ij y_j)`: the `½y_j + sin y_j` nodes are
/// computed once and read by every row (shared nodes of the accumulation).
struct SharedTermLoopConditions: ImplicitConditions {
    let c: [Double]
    let m: Int

    init(m: Int, seed: UInt64 = 5) {
        var rng = SeededRandom(seed: seed)
        self.m = m
        c = (0..<(m * m)).map { _ in rng.uniform(-0.5, 0.5) }
    }

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let shared = y.map { $0 / T(2) + T.sin($0) }
        return (0..<m).map { i in
            var s = T.zero
            for j in 0..<m { s = s + T.exp(shared[j] * T(0.1) + T(c[i * m + j]) * y[j]) }
            return y[i] - x[i] - T(0.1) * T.log(s)
        }
    }
}

/// `LogSumExpLoopConditions` on `x_0 … x_{m−1}` plus, when the extra input `x_m > 0`,
/// `0.01 Σ_l C_il r_l` with `r_l = Σ_j C_lj y_j` written as loops: every node of the `r_l` sums
/// feeds every output, so the accumulation declines there, and accepts at points with `x_m ≤ 0`
/// (control flow on values).
struct SwitchingSharingConditions: ImplicitConditions {
    let base: LogSumExpLoopConditions

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        var f = base(x: x, y: y)
        let m = base.m
        guard x[m] > T(0) else { return f }
        let r: [T] = (0..<m).map { l in
            var s = T.zero
            for j in 0..<m { s = s + T(base.c[l * m + j]) * y[j] }
            return s
        }
        for i in 0..<m {
            var s = T.zero
            for l in 0..<m { s = s + T(base.c[i * m + l]) * r[l] }
            f[i] = f[i] + T(0.01) * s
        }
        return f
    }

    /// `x` (length `m + 1`, switch `x_m = s`) for which `F(x, y) = 0`.
    func input(for y: [Double], switch s: Double) -> [Double] {
        let x = base.input(for: y) + [s]
        let f = self(x: x, y: y)
        return (0...base.m).map { $0 < base.m ? x[$0] + f[$0] : s }   // F_i is −x_i plus terms without x
    }
}

@Suite struct JacobianAccumulationPlanTests {
    static let accumulated: Set<CandidateCost.Kind> = [.accumulatedLU, .accumulatedCholesky]

    @Test("the model prices the accumulation: it wins on dense scalar loops, is absent when not timed, over memory when large")
    func modelPricesAccumulation() {
        // An F of 242 µs, a sweep of one F, an accumulation of two, m = 200, one product.
        var model = CostModel(m: 200, products: 1, operations: 120_600, evaluationSeconds: 242e-6,
                              sweepSeconds: 242e-6, sparse: nil, declaredSPD: false, probes: true,
                              memoryLimit: 1 << 30)
        #expect(!model.candidates().contains { Self.accumulated.contains($0.kind) })
        #expect(CostModel.cheapest(model.candidates()).kind == .lazyGMRES)
        model.accumulationSeconds = 2 * 242e-6
        model.inputCount = 200
        let list = model.candidates()
        let winner = CostModel.cheapest(list)
        #expect(winner.kind == .accumulatedLU, "\(list)")
        // record ρ + 2 F + LU flops (⅔·200³ + 2·200²)·τ
        let expected = CostModel.recording + 2 + (2.0 / 3 * 8e6 + 8e4) * CostModel.secondsPerFlop / 242e-6
        #expect(abs(winner.evaluations - expected) <= 1e-9 * expected, "\(winner)")
        #expect(winner.bytes == 16 * 200 * 200 + 8 * 200 * 200)
        model = CostModel(m: 200, products: 1, operations: 120_600, evaluationSeconds: 242e-6,
                          sweepSeconds: 242e-6, sparse: nil, declaredSPD: false, probes: true,
                          memoryLimit: 500_000, accumulationSeconds: 2 * 242e-6, inputCount: 200)
        let small = model.candidates()
        #expect(small.contains { $0.kind == .accumulatedLU && !$0.fitsMemory })
        #expect(CostModel.cheapest(small).kind == .lazyGMRES)
    }

    @Test("dense scalar loops kept for many products: A and B accumulated from the tape, LU, derivatives as dense LU's")
    func denseLoopsAccumulate() throws {
        let m = 60
        let c = LogSumExpLoopConditions(m: m)
        var rng = SeededRandom(seed: 21)
        let y = (0..<m).map { _ in rng.uniform(-0.5, 0.5) }
        let x = c.input(for: y)
        let auto = CostModelTests.function(c, y)
        let lin = try auto.linearize(at: x, solution: y, byproduct: ())
        #expect(lin.plan.representation == .matrix && lin.plan.solver == .lu, "\(lin.plan)")
        #expect(lin.plan.reason.contains("accumulated from the tape"), "\(lin.plan)")
        #expect(lin.plan.candidates.contains { $0.kind == .accumulatedLU }, "\(lin.plan)")
        #expect(lin.plan.note == nil, "\(lin.plan)")
        // The linearization runs what the plan says: plan(for:) equals it.
        #expect(try auto.plan(for: x, solution: y, byproduct: ()).reason == lin.plan.reason)
        let reference = try CostModelTests.function(c, y, .lu, .matrix).linearize(at: x)
        try CostModelTests.expectMatchesDenseLU(lin, reference)
        #expect(Approximate.relativeError(try lin.jacobian(), try reference.jacobian()) <= 1e-12)
        // Against central finite differences of the whole procedure: y(x) is the solution of F(x, y) = 0.
        let dx = (0..<m).map { _ in rng.uniform(-1, 1) }
        let jvp = try lin.jvp(dx)
        let h = 1e-6
        let plus = Self.solve(c, x: zip(x, dx).map { $0 + h * $1 }, start: y)
        let minus = Self.solve(c, x: zip(x, dx).map { $0 - h * $1 }, start: y)
        let fd = zip(plus, minus).map { ($0 - $1) / (2 * h) }
        #expect(Approximate.relativeError(jvp, fd) <= 1e-7)
    }

    @Test("with the structure cached, F's value comes from the recording: the residual check still refuses a wrong y")
    func residualFromTheRecording() throws {
        let m = 40
        let c = LogSumExpLoopConditions(m: m)
        let y = (0..<m).map { 0.1 * Double.cos(Double($0)) }
        let x = c.input(for: y)
        let auto = CostModelTests.function(c, y)
        let first = try auto.linearize(at: x, solution: y, byproduct: ())   // detects and times; caches
        #expect(first.plan.reason.contains("accumulated from the tape"), "\(first.plan)")
        let second = try auto.linearize(at: x, solution: y, byproduct: ())
        #expect(second.residual == c(x: x, y: y), "the recording's F differs from F on Double")
        let wrong = y.map { $0 + 1e-3 }
        do {
            _ = try auto.linearize(at: x, solution: wrong, byproduct: ())
            Issue.record("a wrong solution passed the residual check")
        } catch {
            guard case .residualTooLarge = error else { Issue.record("\(error)"); return }
        }
    }

    @Test("[B | A] over the memory limit: the accumulation is not tried, and is no candidate")
    func memoryLimitRulesOutTheTrial() throws {
        let m = 40
        let c = LogSumExpLoopConditions(m: m)
        let y = (0..<m).map { 0.1 * Double.sin(Double($0)) }
        let x = c.input(for: y)
        var small = CostModelTests.function(c, y)
        small.options.maxMatrixBytes = 8 * m * (2 * m) - 8   // one entry short of [B | A]
        let lin = try small.linearize(at: x, solution: y, byproduct: ())
        #expect(!lin.plan.candidates.isEmpty && !lin.plan.candidates.contains { Self.accumulated.contains($0.kind) },
                "\(lin.plan)")
        var enough = CostModelTests.function(c, y)
        enough.options.maxMatrixBytes = 1 << 26
        let other = try enough.linearize(at: x, solution: y, byproduct: ())
        #expect(other.plan.candidates.contains { $0.kind == .accumulatedLU }, "\(other.plan)")
    }

    /// `F_i = y_i − x_i + 0.1·exp(y_i) / Σ_j exp(y_j)`, each row summing on its own (as loops):
    /// `A = I + 0.1(diag(p) − p pᵀ)`, symmetric positive definite.
    struct SoftmaxRows: ImplicitConditions {
        let m: Int
        func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
            (0..<m).map { i in
                var s = T.zero
                for j in 0..<m { s = s + T.exp(y[j]) }
                return y[i] - x[i] + T(0.1) * T.exp(y[i]) / s
            }
        }
    }

    @Test("declared SPD: the accumulated A is factored by Cholesky, derivatives as dense LU's and the closed form")
    func declaredSPDTakesCholesky() throws {
        let m = 30
        let c = SoftmaxRows(m: m)
        let y = (0..<m).map { 0.5 * Double.sin(Double($0) + 0.3) }
        let x = c(x: [Double](repeating: 0, count: m), y: y)   // F(x, y) = F(0, y) − x = 0
        let spd = ImplicitFunction<Void, Void>(solver: { _ in y }, conditions: c, structure: .positiveDefinite)
        let lin = try spd.linearize(at: x, solution: y, byproduct: ())
        #expect(lin.plan.solver == .cholesky && lin.plan.reason.contains("dense Cholesky, A and B accumulated"),
                "\(lin.plan)")
        let reference = try CostModelTests.function(c, y, .lu, .matrix).linearize(at: x)
        try CostModelTests.expectMatchesDenseLU(lin, reference)
        // ∂y/∂x = A⁻¹ (B = −I) with A = I + 0.1(diag(p) − p pᵀ).
        let e = y.map { Foundation.exp($0) }, total = e.reduce(0, +), p = e.map { $0 / total }
        var a = Matrix(rows: m, columns: m)
        for i in 0..<m { for j in 0..<m { a[i, j] = (i == j ? 1 + 0.1 * p[i] : 0) - 0.1 * p[i] * p[j] } }
        let exact = try LUFactorization(a).solve(Matrix.identity(m))
        #expect(Approximate.relativeError(try lin.jacobian(), exact) <= 1e-12)
    }

    @Test("nodes read by every row (a precomputed ½y + sin y) are shared and still give A exactly")
    func sharedNodesAccumulate() throws {
        let m = 40
        let c = SharedTermLoopConditions(m: m)
        let y = (0..<m).map { 0.3 * Double.sin(Double($0)) }
        let x = (0..<m).map { i in c(x: [Double](repeating: 0, count: m), y: y)[i] }   // F(x, y) = 0
        let auto = CostModelTests.function(c, y)
        let lin = try auto.linearize(at: x, solution: y, byproduct: ())
        #expect(lin.plan.reason.contains("accumulated from the tape"), "\(lin.plan)")
        let reference = try CostModelTests.function(c, y, .lu, .matrix).linearize(at: x)
        try CostModelTests.expectMatchesDenseLU(lin, reference)
        #expect(Approximate.relativeError(try lin.jacobian(), try reference.jacobian()) <= 1e-12)
    }

    @Test("a long chain read by every output: the accumulation declines when timed, and is not a candidate")
    func declinedIsNoCandidate() throws {
        let m = 40
        let c = SwitchingSharingConditions(base: LogSumExpLoopConditions(m: m))
        let y = (0..<m).map { 0.2 * Double.cos(Double($0)) }
        let x = c.input(for: y, switch: 1)
        #expect(c(x: x, y: y).allSatisfy { abs($0) <= 1e-13 })
        let lin = try CostModelTests.function(c, y).linearize(at: x, solution: y, byproduct: ())
        #expect(!lin.plan.candidates.isEmpty && !lin.plan.candidates.contains { Self.accumulated.contains($0.kind) },
                "\(lin.plan)")
        let reference = try CostModelTests.function(c, y, .lu, .matrix).linearize(at: x)
        try CostModelTests.expectMatchesDenseLU(lin, reference)
    }

    @Test("timed where it accepts, declined at a later point: dual passes instead, said in the note, right answer")
    func declinedAtALaterPointFallsBack() throws {
        let m = 40
        let c = SwitchingSharingConditions(base: LogSumExpLoopConditions(m: m))
        let y = (0..<m).map { 0.2 * Double.cos(Double($0)) }
        let xAccept = c.input(for: y, switch: -1), xDecline = c.input(for: y, switch: 1)
        let auto = ImplicitFunction<Void, Void>(solver: { _ in y }, conditions: c)
        let first = try auto.linearize(at: xAccept, solution: y, byproduct: ())
        #expect(first.plan.reason.contains("accumulated from the tape"), "\(first.plan)")
        let second = try auto.linearize(at: xDecline, solution: y, byproduct: ())
        #expect(second.plan.representation == .matrix, "\(second.plan)")
        #expect(second.plan.note?.contains("declined") == true, "\(second.plan)")
        #expect(second.report.note?.contains("declined") == true)
        let reference = try CostModelTests.function(c, y, .lu, .matrix).linearize(at: xDecline)
        try CostModelTests.expectMatchesDenseLU(second, reference)
    }

    @Test("an infinite entry of the accumulated A is refused with a typed error")
    func nonFiniteEntry() throws {
        struct Sqrt: ImplicitConditions {
            let m: Int
            func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
                (0..<m).map { i in
                    var s = T.sqrt(y[0])   // ∂/∂y_0 = ∞ at y_0 = 0, in every row
                    for j in 0..<m { s = s + T.exp(T(0.01) * y[j]) }
                    return y[i] - x[i] - T(0.1) * s
                }
            }
        }
        let m = 30
        let y = [0] + [Double](repeating: 0.1, count: m - 1)
        let c = Sqrt(m: m)
        let x = c(x: [Double](repeating: 0, count: m), y: y)   // F(x, y) = F(0, y) − x = 0
        let auto = ImplicitFunction<Void, Void>(solver: { _ in y }, conditions: c)
        do {
            _ = try auto.linearize(at: x, solution: y, byproduct: ())
            Issue.record("an infinite ∂F/∂y was accepted")
        } catch {
            guard case .nonFiniteInput(let what) = error else { Issue.record("\(error)"); return }
            #expect(what.contains("∂F/∂y"), "\(what)")
        }
    }

    /// `y(x)` of `LogSumExpLoopConditions` by its fixed-point iteration `y ← x + 0.1 log Σ_j exp(C_ij y_j)`
    /// (a contraction with factor `0.1·max|C_ij| ≤ 0.1`), independent of the implicit layer.
    static func solve(_ c: LogSumExpLoopConditions, x: [Double], start: [Double]) -> [Double] {
        var y = start
        for _ in 0..<60 {
            y = (0..<c.m).map { i in
                var s = 0.0
                for j in 0..<c.m { s += Foundation.exp(c.c[i * c.m + j] * y[j]) }
                return x[i] + 0.1 * Foundation.log(s)
            }
        }
        return y
    }
}
