import Foundation
import ImplicitDifferentiation
import ImplicitExamples

/// The cost of the tape-free evaluation's passes (``AD/compressedJacobians(of:x:y:a:b:verifySeed:)``):
/// one evaluation of the conditions on `DualN<4>` … `<8>` and `<16>` against one plain
/// evaluation on `Double`, measured in the same run, on 1-D Bratu (`m = 10⁵`, specialized,
/// cheap per point) and on the log-sum-exp scalar loops (`m = 200`, `exp`/`log` heavy).
/// The ratios give the cost model's `α + β·N` per pass (CostModel.swift).
/// `TAPEFREE_M=<m>` sets the 1-D Bratu size (default 10⁵, 10⁴ with `--quick`).
func runTapeFreeBenchmarks(_ harness: inout BenchmarkHarness) {
    let m = ProcessInfo.processInfo.environment["TAPEFREE_M"].flatMap { Int($0) } ?? (harness.quick ? 10_000 : 100_000)
    let s = (0..<m).map { Double($0 + 1) / Double(m + 1) }
    let theta = s.map { 1 + 0.5 * Double.sin(2 * Double.pi * $0) }
    let bratu = BratuConditions(nx: m, ny: 1, source: s.map { 1 + $0 })
    let u = bratu.solve(theta)
    passRows(&harness, "bratu1d", bratu, x: theta, y: u)
    phaseRows(&harness, bratu, x: theta, y: u)
    let l = LogSumExpConditions(m: 200)
    let x = LogSumExpConditions.input(200)
    passRows(&harness, "logsumexp", l, x: x, y: x.map { 0.5 * $0 })
}

private func passRows<C: ImplicitConditions>(_ harness: inout BenchmarkHarness, _ name: String, _ c: C,
                                             x: [Double], y: [Double]) {
    func lanes<let N: Int>(_: DualN<N>.Type) -> () -> Void {
        let sx = x.enumerated().map { DualN<N>($1, seed: $0 % N) }, sy = y.enumerated().map { DualN<N>($1, seed: $0 % N) }
        return { _ = c(x: sx, y: sy) }
    }
    let plain: () -> Void = { _ = c(x: x, y: y) }
    for (width, run) in [(4, lanes(DualN<4>.self)), (5, lanes(DualN<5>.self)), (6, lanes(DualN<6>.self)),
                         (7, lanes(DualN<7>.self)), (8, lanes(DualN<8>.self)), (16, lanes(DualN<16>.self))] {
        _ = harness.compare(suite: "tapefree", name: "\(name) F on DualN<\(width)>", size: y.count,
                                  baselineName: "plain F", candidate: run, baseline: plain)

    }
}

/// The phases of a warm (tape-free) linearization of 1-D Bratu against one plain `F`: the
/// compressed dual evaluation alone, the linearization, and the linearization with one VJP.
private func phaseRows(_ harness: inout BenchmarkHarness, _ c: BratuConditions, x: [Double], y: [Double]) {
    let m = y.count
    let plain: () -> Void = { _ = c(x: x, y: y) }
    struct Bound: DifferentiableBivariateFunction {
        let c: BratuConditions
        func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] { c(x: x, y: y) }
    }
    let p = AD.linearize(Bound(c: c), x: x, y: y).jacobianPatterns()
    let a = (p.y, ColumnColoring(p.y)), b = (p.x, ColumnColoring(p.x))
    _ = harness.compare(suite: "tapefree", name: "bratu1d A, B, value, check on dual lanes", size: m,
                        baselineName: "plain F", candidate: { _ = try! AD.compressedJacobians(of: Bound(c: c), x: x, y: y,
                                                                                              a: a, b: b) },
                        baseline: plain)
    let ybar = (0..<m).map { Double.sin(0.1 * Double($0)) }
    for representation in [Representation.sparse, .automatic] {
        let f = ImplicitFunction(solver: { _ in y }, conditions: c, representation: representation)
        _ = try! f.linearize(at: x, solution: y)
        _ = harness.compare(suite: "tapefree", name: "bratu1d warm linearize (\(representation))", size: m,
                            baselineName: "plain F", candidate: { _ = try! f.linearize(at: x, solution: y) },
                            baseline: plain)
        let lin = try! f.linearize(at: x, solution: y)
        _ = harness.compare(suite: "tapefree", name: "bratu1d VJP of a warm linearization (\(representation))", size: m,
                            baselineName: "plain F", candidate: { _ = try! lin.vjp(ybar) }, baseline: plain)
    }
}
