// This file exists twice, byte for byte: Sources/Benchmarks/DownstreamProbe.swift
// (inside this package) and Examples/Downstream/Sources/DownstreamBench/DownstreamProbe.swift
// (a separate package that depends on this one by path). scripts/bench-downstream
// checks that the copies are identical, runs both, and compares: generic
// conditions only run at full speed from another package if the library's
// generic hot paths are @inlinable.

import Foundation
import ImplicitDifferentiation

/// A user's conditions, generic over the AD scalar:
///
///     F_i(x, y) = 3y_i − 0.5(y_{i−1} + y_{i+1}) + tanh(y_i) + 0.1·exp(−y_i) − x_i
struct DownstreamConditions: ImplicitConditions, DifferentiableBivariateFunction {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        let three = T(3), half = T(0.5), tenth = T(0.1)
        var out = [T]()
        out.reserveCapacity(m)
        for i in 0..<m {
            let left = i > 0 ? y[i - 1] : T.zero
            let right = i < m - 1 ? y[i + 1] : T.zero
            out.append(three * y[i] - half * (left + right) + T.tanh(y[i]) + tenth * T.exp(-y[i]) - x[i])
        }
        return out
    }

    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] { self(x: x, y: y) }
}

/// Median seconds of `body` over `repetitions` runs after one warm-up.
func downstreamMedian(_ repetitions: Int, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    for _ in 0..<repetitions {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }
    return times.sorted()[times.count / 2]
}

/// Value, JVP and VJP of the conditions through the AutoDiff drivers, and
/// `linearize + JVP/VJP` through `ImplicitFunction`, at `m` unknowns.
func measureDownstream(m: Int, repetitions: Int) -> [String: Double] {
    let y = (0..<m).map { 0.5 * sin(0.37 * Double($0 + 1)) }
    let c = DownstreamConditions()
    let x = c(x: [Double](repeating: 0, count: m), y: y)   // F(x, y) = 0 at this y
    let v = (0..<m).map { cos(0.91 * Double($0 + 1)) }
    let root = ImplicitFunction(solver: { _ in y }, conditions: c,
                                linearSolver: .gmres(), representation: .operator)
    var sink = 0.0
    var t: [String: Double] = [:]
    t["value"] = downstreamMedian(repetitions) { sink += c(x: x, y: y)[0] }
    t["jvp"] = downstreamMedian(repetitions) { sink += AD.jvp(of: c, x: x, y: y, dx: v, dy: v).tangent[0] }
    t["vjp"] = downstreamMedian(repetitions) { sink += AD.vjp(of: c, x: x, y: y, cotangent: v).y[0] }
    t["implicitJVP"] = downstreamMedian(repetitions) { sink += try! root.linearize(at: x).jvp(v)[0] }
    t["implicitVJP"] = downstreamMedian(repetitions) { sink += try! root.linearize(at: x).vjp(v)[0] }
    if sink.isNaN { print(sink) }
    return t
}
