import Dispatch
import Foundation
import Testing
@testable import ImplicitDifferentiation
import LinearAlgebra
import TestSupport

/// `F_i = y_i − x_i − 0.1 log Σ_j exp(C_ij y_j)`, written as plain scalar loops over a dense
/// `m × m` matrix `C`: a dense `∂F/∂y` and `O(m²)` transcendental operations per evaluation.
struct LogSumExpLoopConditions: ImplicitConditions {
    let c: [Double]
    let m: Int

    init(m: Int, seed: UInt64 = 7) {
        var rng = SeededRandom(seed: seed)
        self.m = m
        c = (0..<(m * m)).map { _ in rng.uniform(-1, 1) }
    }

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        var out: [T] = []
        out.reserveCapacity(m)
        for i in 0..<m {
            var s = T.zero
            for j in 0..<m { s = s + T.exp(T(c[i * m + j]) * y[j]) }
            out.append(y[i] - x[i] - T(0.1) * T.log(s))
        }
        return out
    }

    /// `x` for which `y` is the solution.
    func input(for y: [Double]) -> [Double] {
        (0..<m).map { i in
            var s = 0.0
            for j in 0..<m { s += Foundation.exp(c[i * m + j] * y[j]) }
            return y[i] - 0.1 * Foundation.log(s)
        }
    }
}

/// `F_i = y_i − x_i + 0.3 y_{i±1}`: the neighbour is `i + 1` when `x_0 > 0`, else `i − 1`
/// (control flow on values: the pattern of `∂F/∂y` depends on the point).
struct SwitchingNeighbourConditions: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        let up = x[0] > T.zero
        return (0..<m).map { i in
            let j = up ? i + 1 : i - 1
            let neighbour = j >= 0 && j < m ? y[j] : T.zero
            return y[i] - x[i] + T(0.3) * neighbour
        }
    }

    static func input(for y: [Double], up: Bool) -> [Double] {
        let m = y.count
        return (0..<m).map { i in
            let j = up ? i + 1 : i - 1
            return y[i] + 0.3 * (j >= 0 && j < m ? y[j] : 0)
        }
    }
}

@Suite struct CostModelTests {
    static func function<C: ImplicitConditions>(_ c: C, _ y: [Double], _ solver: LinearSolver = .automatic,
                                                 _ representation: Representation = .automatic)
        -> ImplicitFunction<Void, Void>
    {
        ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: solver, representation: representation)
    }

    /// JVP, VJP and Jacobian of `lin` against `.matrix` + LU at the same point, ≤ 1e-10 relative, and adjointness.
    static func expectMatchesDenseLU(_ lin: ImplicitLinearization<Void>, _ reference: ImplicitLinearization<Void>,
                                     seed: UInt64 = 3) throws {
        var rng = SeededRandom(seed: seed)
        let n = lin.x.count, m = lin.solution.count
        let dx = (0..<n).map { _ in rng.uniform(-1, 1) }
        let ybar = (0..<m).map { _ in rng.uniform(-1, 1) }
        let jvp = try lin.jvp(dx), vjp = try lin.vjp(ybar)
        #expect(Approximate.relativeError(jvp, try reference.jvp(dx)) <= 1e-10, "\(lin.plan)")
        #expect(Approximate.relativeError(vjp, try reference.vjp(ybar)) <= 1e-10, "\(lin.plan)")
        let left = zip(ybar, jvp).reduce(0) { $0 + $1.0 * $1.1 }, right = zip(vjp, dx).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(left - right) <= 1e-10 * max(abs(left), 1e-300) + 1e-14, "adjointness \(left) vs \(right)")
    }

    @Test("the automatic plan reads the structure: diagonal, band LU, sparse Cholesky / IC(0)-CG, sparse LU",
          arguments: [("diagonal", ["diagonal"]), ("tridiagonal", ["band LU"]),
                      ("five-point", ["sparse Cholesky", "IC(0)-CG"]), ("convection", ["sparse LU", "ILU(0)-GMRES"])])
    func automaticSeesStructure(_ name: String, _ winners: [String]) throws {
        let (c, x, y) = SparseRepresentationTests.problem(name)
        func make<C: ImplicitConditions>(_ c: C) -> (ImplicitFunction<Void, Void>, ImplicitFunction<Void, Void>) {
            (Self.function(c, y), Self.function(c, y, .lu, .matrix))
        }
        let (auto, dense) = make(c)
        let lin = try auto.linearize(at: x)
        #expect(lin.plan.reason.hasPrefix("cost model for"), "\(lin.plan)")
        let winner = try #require(lin.plan.candidates.min { $0.evaluations < $1.evaluations })
        #expect(winners.contains(winner.kind.rawValue), "\(lin.plan)")
        #expect(lin.plan.representation == .sparse, "\(lin.plan)")
        #expect(lin.plan.candidates.contains { $0.kind == .denseLU }
                && lin.plan.candidates.contains { $0.kind == .lazyGMRES }, "\(lin.plan)")
        try Self.expectMatchesDenseLU(lin, try dense.linearize(at: x))
        // Later calls reuse the cached pattern: tape-free, the same choice, priced the same each time,
        // and the plan is what the linearization runs.
        let warm = try auto.linearize(at: x)
        #expect(warm.plan.representation == lin.plan.representation && warm.plan.solver == lin.plan.solver,
                "\(warm.plan) after \(lin.plan)")
        #expect(warm.plan.note?.contains("tape-free") == true, "\(warm.plan)")
        #expect(lin.plan.note?.contains("tape-free") != true, "\(lin.plan)")
        #expect(try auto.plan(for: x) == warm.plan)
        try Self.expectMatchesDenseLU(warm, try dense.linearize(at: x))
    }

    @Test("the value checks are skipped only when the pattern's winner reads no values and beats every value-priced candidate at its best")
    func valuesCannotChangeTheWinner() {
        func c(_ kind: CandidateCost.Kind, _ e: Double, fits: Bool = true) -> CandidateCost {
            CandidateCost(kind: kind, evaluations: e, bytes: 0, fitsMemory: fits)
        }
        let byPattern = [c(.bandLU, 10), c(.sparseCholesky, 30), c(.preconditionedCG, 40), c(.denseLU, 500), c(.lazyGMRES, 900)]
        func best(cholesky: Double = 30, cg: Double = 12, lu: Double = 60, gmres: Double = 80,
                  cgFits: Bool = true) -> (Bool) -> [CandidateCost] {
            { symmetric in
                symmetric ? [c(.bandLU, 10), c(.sparseCholesky, cholesky), c(.preconditionedCG, cg, fits: cgFits)]
                    : [c(.bandLU, 10), c(.sparseLU, lu), c(.preconditionedGMRES, gmres)]
            }
        }
        #expect(CostModel.valuesCannotChange(byPattern, best: best()))
        #expect(!CostModel.valuesCannotChange(byPattern, best: best(cg: 9)), "CG at its best could win")
        #expect(!CostModel.valuesCannotChange(byPattern, best: best(lu: 9.5)), "sparse LU at its best could win")
        #expect(!CostModel.valuesCannotChange(byPattern, best: best(cg: 10)), "a tie is checked")
        #expect(!CostModel.valuesCannotChange(byPattern, best: best(gmres: .nan)), "a NaN cost is checked")
        #expect(CostModel.valuesCannotChange(byPattern, best: best(cg: 1, cgFits: false)), "a candidate that does not fit")
        let valueWinner = [c(.bandLU, 50), c(.sparseCholesky, 30), c(.denseLU, 500)]
        #expect(!CostModel.valuesCannotChange(valueWinner, best: best()), "the pattern's winner reads values")
    }

    @Test("a 2-D stencil passes the band rule, yet the model weighs band LU against sparse Cholesky and runs its pick")
    func twoDimensionalStencilWeighsBandAgainstSparse() throws {
        let n = 40   // bandwidth 40 on 1600 unknowns: 4(2kl + ku + 1) = 484 ≤ 1600, so the band rule accepts it
        let c = FivePointConditions(n: n, convection: 0)
        let y = (0..<(n * n)).map { 0.5 * Double.cos(0.21 * Double($0)) }
        let x = c.input(for: y)
        let auto = Self.function(c, y)
        let lin = try auto.linearize(at: x)
        let kinds = lin.plan.candidates.map(\.kind)
        #expect(kinds.contains(.bandLU) && kinds.contains(.sparseCholesky), "\(lin.plan)")
        let winner = try #require(lin.plan.candidates.filter(\.fitsMemory).min { $0.evaluations < $1.evaluations })
        #expect(winner.kind == .sparseCholesky, "\(lin.plan)")
        #expect(lin.solverSummary.kind.contains("cholesky"), "ran \(lin.solverSummary.kind); \(lin.plan)")
        try Self.expectMatchesDenseLU(lin, try Self.function(c, y, .lu, .matrix).linearize(at: x))
    }

    @Test("dense scalar-loop conditions at m = 200: one VJP by GMRES on A and B accumulated from the tape, the Jacobian by a factorization")
    func denseScalarLoops() throws {
        let m = 200
        let c = LogSumExpLoopConditions(m: m)
        var rng = SeededRandom(seed: 11)
        let y = (0..<m).map { _ in rng.uniform(-0.5, 0.5) }
        let x = c.input(for: y)
        let auto = Self.function(c, y)
        let one = try auto.linearize(at: x, solution: y, byproduct: (), expecting: .one)
        // The model times one F and one tape sweep; a sanitizer's instrumentation (scripts/sanitize sets
        // SANITIZER) slows the memory-bound sweep more than the exp-bound F and can tip this one choice,
        // so it is asserted in uninstrumented builds only; every answer below is checked in all builds.
        if ProcessInfo.processInfo.environment["SANITIZER"] == nil {
            #expect(one.plan.representation == .matrix && one.plan.solver == .gmres(restart: CostModel.restart,
                                                                                      options: .automaticPlan)
                        && one.plan.reason.contains("accumulated from the tape"), "\(one.plan)")
        }
        #expect(one.plan.reason.contains("for 1 product"), "\(one.plan)")
        let jacobian = try auto.linearize(at: x, solution: y, byproduct: (), expecting: .jacobian)
        #expect(jacobian.plan.representation == .matrix && jacobian.plan.solver == .lu, "\(jacobian.plan)")
        let many = try auto.linearize(at: x, solution: y, byproduct: ())
        #expect(many.plan.solver.isDirect, "\(many.plan)")
        let reference = try Self.function(c, y, .lu, .matrix).linearize(at: x)
        try Self.expectMatchesDenseLU(one, reference)
        try Self.expectMatchesDenseLU(jacobian, reference)
        #expect(Approximate.relativeError(try auto.jacobian(at: x), try reference.jacobian()) <= 1e-10)
        let ybar = (0..<m).map { _ in rng.uniform(-1, 1) }
        #expect(Approximate.relativeError(try auto.vjp(at: x, cotangent: ybar), try reference.vjp(ybar)) <= 1e-10)
    }

    @Test("hand-written products keep the size rule")
    func handwrittenProductsKeepTheThreshold() throws {
        let value: @Sendable ([Double], [Double]) -> [Double] = { x, y in
            (0..<y.count).map { i in y[i] * y[i] - x[i] }
        }
        let jvp: @Sendable ([Double], [Double], [Double]?, [Double]?) -> [Double] = { _, y, dx, dy in
            (0..<y.count).map { i -> Double in
                let a: Double = dy.map { 2 * y[i] * $0[i] } ?? 0
                let b: Double = dx.map { $0[i] } ?? 0
                return a - b
            }
        }
        let vjp: @Sendable ([Double], [Double], [Double]) -> (x: [Double], y: [Double]) = { _, y, u in
            (x: u.map { -$0 }, y: (0..<y.count).map { i in 2 * y[i] * u[i] })
        }
        let conditions = HandwrittenConditions(value: value, jvp: jvp, vjp: vjp)
        for m in [40, 300] {
            let y = (0..<m).map { 1 + Double($0) / Double(m) }
            let root = ImplicitFunction(solver: { _ in y }, conditions: conditions)
            let plan = try root.plan(for: y.map { $0 * $0 })
            let expected: Representation = m <= 250 ? .matrix : .operator
            #expect(plan.candidates.isEmpty)
            #expect(plan.representation == expected, "\(plan)")
            #expect(plan.reason.contains("threshold 250"), "\(plan)")
        }
    }

    @Test("a pattern changed by control flow between two points is detected again, and the answer is right")
    func changedPatternIsRedetected() throws {
        let m = 40
        let y = (0..<m).map { 0.5 + 0.01 * Double($0) }
        let up = SwitchingNeighbourConditions.input(for: y, up: true)
        var yDown = y
        yDown[0] = -0.5   // row 0 has no lower neighbour, so x_0 = y_0 ≤ 0 switches every row to i − 1
        let down = SwitchingNeighbourConditions.input(for: yDown, up: false)
        #expect(up[0] > 0 && down[0] <= 0)
        let first = ImplicitFunction(solver: { _ in y }, conditions: SwitchingNeighbourConditions())
        let lin1 = try first.linearize(at: up, solution: y, byproduct: ())
        #expect(lin1.plan.representation == .sparse, "\(lin1.plan)")
        #expect(lin1.plan.note?.contains("bandwidths (0, 1)") == true, "\(lin1.plan)")
        let lin2 = try first.linearize(at: down, solution: yDown, byproduct: ())
        #expect(lin2.plan.reason.contains("detected again"), "\(lin2.plan)")
        // The pattern's shape is read again with it: the band LU is on the new band.
        #expect(lin2.plan.note?.contains("bandwidths (1, 0)") == true, "\(lin2.plan)")
        let reference = try Self.function(SwitchingNeighbourConditions(), yDown, .lu, .matrix)
            .linearize(at: down, solution: yDown, byproduct: ())
        try Self.expectMatchesDenseLU(lin2, reference)
        // Back at the first kind of point: detected again, right again.
        let lin3 = try first.linearize(at: up, solution: y, byproduct: ())
        #expect(lin3.plan.reason.contains("detected again"), "\(lin3.plan)")
        try Self.expectMatchesDenseLU(lin3, try Self.function(SwitchingNeighbourConditions(), y, .lu, .matrix)
            .linearize(at: up, solution: y, byproduct: ()))
    }

    @Test("one structure cache shared by concurrent calls gives the same derivatives as sequential dense ones")
    func concurrentCallsShareTheCache() throws {
        let (c, _, y0) = SparseRepresentationTests.problem("five-point")
        let scales = (0..<16).map { 1 + 0.02 * Double($0) }
        // Points (x_s, y_s) with y_s = s·y0; every task linearizes at its own point with the shared function.
        let conditions = c as! FivePointConditions
        let points = scales.map { s in (x: conditions.input(for: y0.map { $0 * s }), y: y0.map { $0 * s }) }
        let root = Self.function(conditions, y0)
        let results = Locked<[Int: [Double]]>([:])
        let errors = Locked<[String]>([])
        let ybar = (0..<y0.count).map { Double.sin(Double($0)) }
        DispatchQueue.concurrentPerform(iterations: points.count) { i in
            do {
                let lin = try root.linearize(at: points[i].x, solution: points[i].y, byproduct: ())
                let v = try lin.vjp(ybar)
                results.withLock { $0[i] = v }
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        #expect(errors.withLock { $0 }.isEmpty)
        for (i, p) in points.enumerated() {
            let reference = try Self.function(conditions, p.y, .lu, .matrix).linearize(at: p.x, solution: p.y, byproduct: ())
            let got = try #require(results.withLock { $0[i] })
            #expect(Approximate.relativeError(got, try reference.vjp(ybar)) <= 1e-10)
        }
    }
}
