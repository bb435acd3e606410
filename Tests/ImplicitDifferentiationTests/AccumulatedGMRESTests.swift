import Foundation
import Testing
@testable import ImplicitDifferentiation
import LinearAlgebra
import TestSupport

/// `F_i = y_i − x_i − x_m · log Σ_j exp(C_ij y_j)` (`n = m + 1`): the scale `x_m` of the log-sum-exp
/// moves `A = I − x_m (P∘C)`'s Gershgorin discs: inside `|z − c| < c` for `x_m = 0.1`, across 0 for `x_m = 4`.
struct ScaledLogSumExpConditions: ImplicitConditions {
    let base: LogSumExpLoopConditions

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = base.m
        return (0..<m).map { i in
            var s = T.zero
            for j in 0..<m { s = s + T.exp(T(base.c[i * m + j]) * y[j]) }
            return y[i] - x[i] - x[m] * T.log(s)
        }
    }

    /// `x` (length `m + 1`, scale `x_m = scale`) for which `F(x, y) = 0`.
    func input(for y: [Double], scale: Double) -> [Double] {
        let m = base.m
        let partial = self(x: [Double](repeating: 0, count: m) + [scale], y: y)
        return partial + [scale]   // F_i(0, y) = y_i − scale·log Σ, so x_i = F_i(0, y)
    }
}

@Suite struct AccumulatedGMRESTests {
    // MARK: The bound

    @Test("the discs of a small matrix: lo, hi, ρ and c by hand; the same for −A; nil across 0, for NaN, non-square")
    func discsByHand() throws {
        // Rows: 3 ± 1 → [2, 4]; 2 ± 1 → [1, 3]: lo = 1, hi = 4, ρ = 3/5, c = 5/2.
        let a = Matrix(rows: [[3, 1], [-1, 2]])
        let bound = try #require(GershgorinDiscBound(a))
        #expect(abs(bound.radius - 0.6) <= 1e-15 && bound.center == 2.5 && bound.order == 2)
        #expect(abs(bound.conditionBound - 4) <= 1e-14)
        let negated = try #require(GershgorinDiscBound(Matrix(rows: [[-3, -1], [1, -2]])))
        #expect(negated.radius == bound.radius && negated.center == -2.5)
        #expect(GershgorinDiscBound(Matrix(rows: [[1, 2], [0, 3]])) == nil)      // 1 ± 2 reaches −1
        #expect(GershgorinDiscBound(Matrix(rows: [[1, .nan], [0, 3]])) == nil)
        #expect(GershgorinDiscBound(Matrix(rows: [[.infinity, 0], [0, 3]])) == nil)
        #expect(GershgorinDiscBound(Matrix(rows: 2, columns: 3)) == nil)
        #expect(GershgorinDiscBound(Matrix(rows: [[0, 0], [0, 1]])) == nil)      // a zero disc at 0
    }

    @Test("‖(I − A/c)ᵏ b‖₂ ≤ √m ρᵏ ‖b‖₂ for A and Aᵀ on random diagonally dominated matrices", arguments: [1, 2, 3])
    func polynomialBoundHolds(_ seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let m = 40
        let a = Matrix(rows: m, columns: m) { i, j in
            i == j ? rng.uniform(2, 3) : rng.uniform(-1, 1) / Double(m)
        }
        let bound = try #require(GershgorinDiscBound(a))
        #expect(bound.radius < 1)
        let b = (0..<m).map { _ in rng.uniform(-1, 1) }
        let norm = { (v: [Double]) in v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        for transposed in [false, true] {
            var v = b
            for k in 1...12 {
                var w = [Double](repeating: 0, count: m)
                for i in 0..<m {
                    var s = 0.0
                    for j in 0..<m { s += (transposed ? a[j, i] : a[i, j]) * v[j] }
                    w[i] = v[i] - s / bound.center
                }
                v = w
                let limit = Double(m).squareRoot() * pow(bound.radius, Double(k)) * norm(b)
                #expect(norm(v) <= limit * (1 + 1e-12), "k = \(k), transposed \(transposed)")
            }
        }
    }

    @Test("iterations: ⌈(ln ε − ½ ln m)/ln ρ⌉ inside one cycle, whole cycles past the restart, nil when a cycle proves nothing")
    func iterationCounts() throws {
        let quarter = try #require(GershgorinDiscBound(radius: 0.25, order: 200))
        // ln(1e-12) = −27.63, ½ ln 200 = 2.649, ln ¼ = −1.386: 21.84 → 22.
        #expect(quarter.iterations(tolerance: 1e-12, restart: 30) == 22)
        #expect(pow(0.25, 22) * 200.0.squareRoot() <= 1e-12 && pow(0.25, 21) * 200.0.squareRoot() > 1e-12)
        // ρ = 0.5: 44.0 steps > 30: cycles of 30 reduce by √200·0.5³⁰ = 1.3e-8: two cycles.
        let half = try #require(GershgorinDiscBound(radius: 0.5, order: 200))
        #expect(half.iterations(tolerance: 1e-12, restart: 30) == 60)
        // ρ = 0.9, m = 10⁴: √m·0.9³⁰ = 4.2 ≥ 1: no bound.
        let slow = try #require(GershgorinDiscBound(radius: 0.9, order: 10_000))
        #expect(slow.iterations(tolerance: 1e-12, restart: 30) == nil)
        // m below the step count: GMRES is exact after m steps.
        let small = try #require(GershgorinDiscBound(radius: 0.5, order: 8))
        #expect(small.iterations(tolerance: 1e-12, restart: 30) == 8)
        let zero = try #require(GershgorinDiscBound(radius: 0, order: 50))
        #expect(zero.iterations(tolerance: 1e-12, restart: 30) == 1)
        #expect(GershgorinDiscBound(radius: 1, order: 5) == nil && GershgorinDiscBound(radius: .nan, order: 5) == nil)
    }

    // MARK: The cost model

    @Test("the model prices GMRES on the accumulated A: it wins one product, LU wins many, absent without a bound")
    func modelPricesGMRES() throws {
        var model = CostModel(m: 200, products: 1, operations: 120_600, evaluationSeconds: 242e-6,
                              sweepSeconds: 242e-6, sparse: nil, declaredSPD: false, probes: true,
                              memoryLimit: 1 << 30, accumulationSeconds: 2 * 242e-6, inputCount: 200)
        #expect(!model.candidates().contains { $0.kind == .accumulatedGMRES })
        model.discBound = GershgorinDiscBound(radius: 0.25, order: 200)
        let list = model.candidates()
        let winner = CostModel.cheapest(list)
        #expect(winner.kind == .accumulatedGMRES, "\(list)")
        // record ρ + 2 F + (m² + 22·(2m² + 4·22·m))·τ
        let flops = 4e4 + 22 * (8e4 + 4 * 22 * 200)
        let expected = CostModel.recording + 2 + flops * CostModel.secondsPerFlop / 242e-6
        #expect(abs(winner.evaluations - expected) <= 1e-9 * expected, "\(winner)")
        #expect(winner.bytes == 8 * 200 * 200 + 8 * 200 * 200 + 8 * 34 * 200)
        let lu = try #require(list.first { $0.kind == .accumulatedLU })
        #expect(winner.evaluations < lu.evaluations)
        model = CostModel(m: 200, products: 32, operations: 120_600, evaluationSeconds: 242e-6,
                          sweepSeconds: 242e-6, sparse: nil, declaredSPD: false, probes: true, memoryLimit: 1 << 30,
                          accumulationSeconds: 2 * 242e-6, inputCount: 200,
                          discBound: GershgorinDiscBound(radius: 0.25, order: 200))
        let many = model.candidates()
        #expect(many.contains { $0.kind == .accumulatedGMRES })
        #expect(CostModel.cheapest(many).kind == .accumulatedLU, "\(many)")
        model.discBound = GershgorinDiscBound(radius: 0.95, order: 200)   // √200·0.95³⁰ > 1: no count
        #expect(!model.candidates().contains { $0.kind == .accumulatedGMRES })
    }

    // MARK: End to end

    /// A linearization for one product, as `jvp(at:)` and `vjp(at:)` make it.
    static func oneProduct(_ f: ImplicitFunction<Void, Void>, _ x: [Double], _ y: [Double]) throws
        -> ImplicitLinearization<Void>
    {
        try f.linearize(at: x, solution: y, byproduct: (), expecting: .one)
    }

    @Test("one product on dense scalar loops: GMRES on the accumulated A without the probe, as accurate as dense LU")
    func oneProductRunsGMRES() throws {
        let m = 60
        let c = LogSumExpLoopConditions(m: m)
        var rng = SeededRandom(seed: 31)
        let y = (0..<m).map { _ in rng.uniform(-0.5, 0.5) }
        let x = c.input(for: y)
        let auto = CostModelTests.function(c, y)
        let reference = try CostModelTests.function(c, y, .lu, .matrix).linearize(at: x)
        for call in 0..<2 {   // the first call times the accumulation and the bound, the second reads them cached
            let lin = try Self.oneProduct(auto, x, y)
            #expect(lin.plan.representation == .matrix, "\(lin.plan)")
            guard case .gmres = lin.plan.solver else { Issue.record("call \(call): \(lin.plan)"); continue }
            #expect(lin.plan.reason.contains("Gershgorin"), "\(lin.plan)")
            #expect(lin.plan.candidates.contains { $0.kind == .accumulatedGMRES }, "\(lin.plan)")
            #expect(lin.plan.note?.contains("singularity probe skipped: the Gershgorin discs") == true, "\(lin.plan)")
            try CostModelTests.expectMatchesDenseLU(lin, reference)
            // Each solve within the proved count.
            let a = try #require(lin.matrix)
            let bound = try #require(GershgorinDiscBound(a))
            let its = try #require(bound.iterations(tolerance: KrylovOptions.automaticPlan.relativeTolerance,
                                                    restart: CostModel.restart))
            let report = lin.report
            #expect(report.krylovIterations >= 1 && report.krylovIterations <= 2 * its, "\(report.krylovIterations) > 2·\(its)")
        }
        // The public one-product calls give the same numbers.
        let dx = (0..<m).map { _ in rng.uniform(-1, 1) }, ybar = (0..<m).map { _ in rng.uniform(-1, 1) }
        #expect(Approximate.relativeError(try auto.jvp(at: x, tangent: dx), try reference.jvp(dx)) <= 1e-10)
        #expect(Approximate.relativeError(try auto.vjp(at: x, cotangent: ybar), try reference.vjp(ybar)) <= 1e-10)
        // Against central finite differences of the whole procedure.
        let h = 1e-6
        let plus = JacobianAccumulationPlanTests.solve(c, x: zip(x, dx).map { $0 + h * $1 }, start: y)
        let minus = JacobianAccumulationPlanTests.solve(c, x: zip(x, dx).map { $0 - h * $1 }, start: y)
        let fd = zip(plus, minus).map { ($0 - $1) / (2 * h) }
        #expect(Approximate.relativeError(try auto.jvp(at: x, tangent: dx), fd) <= 1e-7)
    }

    @Test("many products and the full Jacobian keep LU on the accumulated A; plan(for:) lists the GMRES candidate")
    func manyProductsKeepLU() throws {
        let m = 60
        let c = LogSumExpLoopConditions(m: m)
        let y = (0..<m).map { 0.3 * Double.cos(Double($0)) }
        let x = c.input(for: y)
        let auto = CostModelTests.function(c, y)
        let lin = try auto.linearize(at: x, solution: y, byproduct: ())
        #expect(lin.plan.solver == .lu && lin.plan.reason.contains("accumulated from the tape"), "\(lin.plan)")
        #expect(lin.plan.candidates.contains { $0.kind == .accumulatedGMRES }, "\(lin.plan)")
        let plan = try auto.plan(for: x, solution: y, byproduct: ())
        #expect(plan.reason == lin.plan.reason && plan.candidates.contains { $0.kind == .accumulatedGMRES })
        let jacobian = try auto.linearize(at: x, solution: y, byproduct: (), expecting: .jacobian)
        #expect(jacobian.plan.solver == .lu, "\(jacobian.plan)")
    }

    @Test("discs good where timed, across 0 at a later point: dense LU instead, said in the plan's note, right answer")
    func boundFailingLaterFallsBackToLU() throws {
        let m = 80   // at m = 40, LU (⅔m³ flops) and GMRES price within 0.1% of each other
        let c = ScaledLogSumExpConditions(base: LogSumExpLoopConditions(m: m))
        let y = (0..<m).map { 0.2 * Double.sin(Double($0) + 1) }
        let xGood = c.input(for: y, scale: 0.1), xBad = c.input(for: y, scale: 4)
        #expect(c(x: xBad, y: y).allSatisfy { abs($0) <= 1e-12 })
        let auto = CostModelTests.function(c, y)
        let first = try Self.oneProduct(auto, xGood, y)
        guard case .gmres = first.plan.solver else { Issue.record("\(first.plan)"); return }
        let second = try Self.oneProduct(auto, xBad, y)
        let secondA = try #require(second.matrix)
        #expect(GershgorinDiscBound(secondA) == nil)
        #expect(second.plan.solver == .lu && second.plan.representation == .matrix, "\(second.plan)")
        #expect(second.plan.note?.contains("Gershgorin discs of ∂F/∂y bound no GMRES") == true, "\(second.plan)")
        #expect(second.report.note?.contains("dense LU") == true)
        let reference = try CostModelTests.function(c, y, .lu, .matrix).linearize(at: xBad)
        try CostModelTests.expectMatchesDenseLU(second, reference)
    }

    /// The peers' lse row (`ImplicitExamples.LogSumExpConditions`), written out here:
    /// `F_i = y_i − ½ log Σ_j exp(x_j − C_ij − ½ y_j)`, `C_ij = 1 + sin(0.618 (i+1)(j+1))`, `A = I + ¼P`.
    struct SoftMinRows: ImplicitConditions {
        let m: Int
        func cost(_ i: Int, _ j: Int) -> Double { 1 + Foundation.sin(0.618 * Double((i + 1) * (j + 1))) }
        func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
            (0..<m).map { i in
                var s = T.zero
                for j in 0..<m { s = s + T.exp(x[j] - T(cost(i, j)) - y[j] / T(2)) }
                return y[i] - T.log(s) / T(2)
            }
        }
        /// `y(x)` by the fixed-point iteration (a contraction with factor ¼ in the max norm).
        func solve(_ x: [Double]) -> [Double] {
            var y = [Double](repeating: 0, count: m)
            for _ in 0..<80 {
                y = (0..<m).map { i in
                    0.5 * Foundation.log((0..<m).reduce(0) { $0 + Foundation.exp(x[$1] - cost(i, $1) - 0.5 * y[$1]) })
                }
            }
            return y
        }
    }

    @Test("the peers' lse row at m = 100: one VJP and one JVP by GMRES, within 1e-10 of dense LU, ρ ≤ ¼")
    func peersRowAccuracy() throws {
        let m = 100
        let conditions = SoftMinRows(m: m)
        let x = (0..<m).map { 0.5 * Foundation.sin(0.37 * Double($0 + 1)) }, y = conditions.solve(x)
        let auto = CostModelTests.function(conditions, y)
        let lin = try Self.oneProduct(auto, x, y)
        guard case .gmres = lin.plan.solver else { Issue.record("\(lin.plan)"); return }
        let reference = try CostModelTests.function(conditions, y, .lu, .matrix).linearize(at: x)
        try CostModelTests.expectMatchesDenseLU(lin, reference, seed: 9)
        let a = try #require(lin.matrix)
        let bound = try #require(GershgorinDiscBound(a))
        #expect(bound.radius <= 0.25 + 1e-12, "A = I + ¼P: ρ ≤ ¼, got \(bound.radius)")
    }
}
