import Foundation
import ImplicitDifferentiation
import ImplicitExamples

/// The cost of the tape-free evaluation's passes (``AD/compressedJacobians(of:x:y:a:b:verifySeed:)``):
/// one evaluation of the conditions on `DualN<4>`, `<8>` and `<16>` against one plain
/// evaluation on `Double`, measured in the same run, on 1-D Bratu (`m = 10⁵`, specialized,
/// cheap per point) and on the log-sum-exp scalar loops (`m = 200`, `exp`/`log` heavy).
/// The ratios give the cost model's `α + β·N` per pass (CostModel.swift).
func runTapeFreeBenchmarks(_ harness: inout BenchmarkHarness) {
    let m = harness.quick ? 10_000 : 100_000
    let s = (0..<m).map { Double($0 + 1) / Double(m + 1) }
    let theta = s.map { 1 + 0.5 * Double.sin(2 * Double.pi * $0) }
    let bratu = BratuConditions(nx: m, ny: 1, source: s.map { 1 + $0 })
    let u = s.map { 0.1 * Double.sin(Double.pi * $0) }
    passRows(&harness, "bratu1d", bratu, x: theta, y: u)
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
    for (width, run) in [(4, lanes(DualN<4>.self)), (8, lanes(DualN<8>.self)), (16, lanes(DualN<16>.self))] {
        _ = harness.compare(suite: "tapefree", name: "\(name) F on DualN<\(width)>", size: y.count,
                                  baselineName: "plain F", candidate: run, baseline: plain)

    }
}
