import Foundation
import ImplicitDifferentiation

// Implicit differentiation against differentiating through the unrolled
// iterations (duals for the JVP, the tape for the VJP), as the number of
// forward iterations k grows. m = 1000 unknowns; every formula closed-form.
//
// Fixed point (damped square root), x_i = 1 + 3·(i mod 7)/6 ∈ [1, 4], y⁰ = 1:
//     y ← y − α(y∘y − x),  α = 0.2   (linear rate |1 − 2α√x| ≤ 0.6)
//     conditions F = y∘y − x,   J = diag(1/(2√x))
//
// Optimization (ridge by gradient descent), y⁰ = 0:
//     min ½ yᵀK y − xᵀy,  K = I + 0.5·tridiag(−1, 2, −1)   (spectrum in (1, 3))
//     y ← y − η(K y − x),  η = 0.5   (rate ≤ 0.5)
//     conditions F = K y − x (SPD: CG),   J = K⁻¹ (reference by the Thomas algorithm)
//
// The implicit side uses the lazy path (GMRES / CG, ‖r‖ ≤ 1e-10‖b‖), as
// `.automatic` does at this size with the default threshold; the tolerance is
// tightened from the default √ε so that the error column shows the method's
// error, not the Krylov tolerance.
// The implicit rows time `linearize + 1 product` at the k-iteration output
// (the forward solve is run once, outside the timing, since the unrolled
// derivative gets its forward pass for free; the forward time is an extra).
// The residual check is disabled: at k = 10 the forward solver has not
// converged, and the point of the table is the error each method then makes.

private let unrollM = 1000

private func sqrtInput(_ m: Int) -> [Double] { (0..<m).map { 1 + 3 * Double($0 % 7) / 6 } }

/// k damped square-root steps, generic so duals and the tape can run through them.
private struct DampedSqrtIterations: DifferentiableFunction {
    let k: Int
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        var y = [T](repeating: T(1), count: x.count)
        let alpha = T(0.2)
        for _ in 0..<k {
            for i in 0..<y.count { y[i] = y[i] - alpha * (y[i] * y[i] - x[i]) }
        }
        return y
    }
}

private struct SqrtConditions: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        zip(x, y).map { x, y in y * y - x }
    }
}

/// `K y − x` with `K = I + 0.5·tridiag(−1, 2, −1)`.
private func ridgeResidual<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
    let m = y.count, half = T(0.5), two = T(2)
    return (0..<m).map { i in
        let left = i > 0 ? y[i - 1] : T.zero, right = i < m - 1 ? y[i + 1] : T.zero
        return y[i] + half * (two * y[i] - left - right) - x[i]
    }
}

/// k gradient-descent steps on the ridge objective.
private struct RidgeGradientDescent: DifferentiableFunction {
    let k: Int
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        var y = [T](repeating: T.zero, count: x.count)
        let eta = T(0.5)
        for _ in 0..<k {
            let g = ridgeResidual(x, y)
            for i in 0..<y.count { y[i] = y[i] - eta * g[i] }
        }
        return y
    }
}

private struct RidgeConditions: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { ridgeResidual(x, y) }
}

/// `K⁻¹ v` by the Thomas algorithm (K tridiagonal: diagonal 2, off-diagonals −0.5).
private func ridgeSolve(_ v: [Double]) -> [Double] {
    let m = v.count
    var c = [Double](repeating: 0, count: m), d = c, out = c
    for i in 0..<m {
        let denom = 2 - (i > 0 ? -0.5 * c[i - 1] : 0)
        c[i] = -0.5 / denom
        d[i] = (v[i] - (i > 0 ? -0.5 * d[i - 1] : 0)) / denom
    }
    for i in stride(from: m - 1, through: 0, by: -1) { out[i] = d[i] - (i < m - 1 ? c[i] * out[i + 1] : 0) }
    return out
}

private func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) }.max()! / max(b.map(abs).max()!, 1e-300)
}

func runUnrollingBenchmarks(_ harness: inout BenchmarkHarness) {
    let m = unrollM
    let v = probeVector(m)
    let noCheck = ImplicitFunctionOptions(residualTolerance: .disabled)
    // UNROLLING_PROFILE=N: only the fixed-point implicit JVP, N times (for `perf record`).
    if let n = Int(ProcessInfo.processInfo.environment["UNROLLING_PROFILE"] ?? "") {
        let x = sqrtInput(m), yk = AD.value(of: DampedSqrtIterations(k: 100), at: x)
        let implicit = ImplicitFunction(solver: { _ in yk }, conditions: SqrtConditions(),
                                        linearSolver: .gmres(restart: 30, options: benchKrylovOptions),
                                        representation: .operator, options: noCheck)
        for _ in 0..<n { _ = try! implicit.linearize(at: x).jvp(v) }
        return
    }
    for k in harness.quick ? [10, 100] : [10, 100, 1000] {
        let reps = k >= 1000 ? 5 : 9
        // Fixed point.
        do {
            let x = sqrtInput(m)
            let unrolled = DampedSqrtIterations(k: k)
            let yk = AD.value(of: unrolled, at: x)
            let exact = zip(x, v).map { $1 / (2 * $0.squareRoot()) }
            let implicit = ImplicitFunction(solver: { _ in yk }, conditions: SqrtConditions(),
                                            linearSolver: .gmres(restart: 30, options: benchKrylovOptions),
                                            representation: .operator, options: noCheck)
            let tForward = harness.median(repetitions: reps) { _ = AD.value(of: unrolled, at: x) }
            let eU = relativeError(AD.jvp(of: unrolled, at: x, tangent: v).tangent, exact)
            let eI = relativeError(try! implicit.jvp(at: x, tangent: v), exact)
            var r = harness.compare(suite: "unrolling", name: "fixed point JVP: implicit / unrolled duals",
                                    size: k, baselineName: "unrolled (duals)", repetitions: reps,
                                    candidate: { _ = try! implicit.linearize(at: x).jvp(v) },
                                    baseline: { _ = AD.jvp(of: unrolled, at: x, tangent: v) })
            r.extra = ["implicitError": eI, "unrolledError": eU, "forwardSeconds": tForward]
            harness.replaceLast(with: r)
            let eUv = relativeError(AD.vjp(of: unrolled, at: x, cotangent: v).gradient, exact)
            let eIv = relativeError(try! implicit.vjp(at: x, cotangent: v), exact)
            r = harness.compare(suite: "unrolling", name: "fixed point VJP: implicit / unrolled tape",
                                size: k, baselineName: "unrolled (tape)", repetitions: reps,
                                candidate: { _ = try! implicit.linearize(at: x).vjp(v) },
                                baseline: { _ = AD.vjp(of: unrolled, at: x, cotangent: v) })
            r.extra = ["implicitError": eIv, "unrolledError": eUv, "forwardSeconds": tForward]
            harness.replaceLast(with: r)
        }
        // Optimization.
        do {
            let x = sqrtInput(m)
            let unrolled = RidgeGradientDescent(k: k)
            let yk = AD.value(of: unrolled, at: x)
            let exact = ridgeSolve(v)
            let implicit = ImplicitFunction(solver: { _ in yk }, conditions: RidgeConditions(),
                                            linearSolver: .cg(options: benchKrylovOptions), representation: .operator,
                                            structure: [.symmetric, .positiveDefinite], options: noCheck)
            let tForward = harness.median(repetitions: reps) { _ = AD.value(of: unrolled, at: x) }
            let eU = relativeError(AD.jvp(of: unrolled, at: x, tangent: v).tangent, exact)
            let eI = relativeError(try! implicit.jvp(at: x, tangent: v), exact)
            var r = harness.compare(suite: "unrolling", name: "ridge GD JVP: implicit / unrolled duals",
                                    size: k, baselineName: "unrolled (duals)", repetitions: reps,
                                    candidate: { _ = try! implicit.linearize(at: x).jvp(v) },
                                    baseline: { _ = AD.jvp(of: unrolled, at: x, tangent: v) })
            r.extra = ["implicitError": eI, "unrolledError": eU, "forwardSeconds": tForward]
            harness.replaceLast(with: r)
            let eUv = relativeError(AD.vjp(of: unrolled, at: x, cotangent: v).gradient, exact)
            let eIv = relativeError(try! implicit.vjp(at: x, cotangent: v), exact)
            r = harness.compare(suite: "unrolling", name: "ridge GD VJP: implicit / unrolled tape",
                                size: k, baselineName: "unrolled (tape)", repetitions: reps,
                                candidate: { _ = try! implicit.linearize(at: x).vjp(v) },
                                baseline: { _ = AD.vjp(of: unrolled, at: x, cotangent: v) })
            r.extra = ["implicitError": eIv, "unrolledError": eUv, "forwardSeconds": tForward]
            harness.replaceLast(with: r)
        }
    }
}
