import Foundation
import Testing
import ImplicitDifferentiation
import LinearAlgebra
import TestSupport

/// `F_i = y_i + 0.2 y_{i+1} − x_{σ(i)}` with `σ(i) = i` when `y_0 > 0`, else `i + 1 (mod m)`:
/// `A` is the same at every point, `B`'s pattern (a diagonal or a cyclic shift) switches with `y_0`.
struct SwitchingInputConditions: ImplicitConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count, up = y[0] > T.zero
        return (0..<m).map { i in
            (i + 1 < m ? y[i] + T(0.2) * y[i + 1] : y[i]) - x[up ? i : (i + 1) % m]
        }
    }

    static func input(for y: [Double]) -> [Double] {
        let m = y.count
        var x = [Double](repeating: 0, count: m)
        for i in 0..<m { x[y[0] > 0 ? i : (i + 1) % m] = i + 1 < m ? y[i] + 0.2 * y[i + 1] : y[i] }
        return x
    }
}

/// `F_i = y_i + 0.1 (y_{i−1} + y_{i+1}) − (1/n) Σ_j w_ij x_j` with `n = 40` inputs feeding
/// every row: a tridiagonal `A` and a dense `B` (too many colours for the dual lanes).
struct DenseInputConditions: ImplicitConditions {
    static let n = 40

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        return (0..<m).map { i in
            var s = y[i] + T(0.1) * ((i > 0 ? y[i - 1] : T.zero) + (i + 1 < m ? y[i + 1] : T.zero))
            for j in 0..<x.count { s = s - T(Double.sin(Double(i + 2 * j)) / Double(x.count)) * x[j] }
            return s
        }
    }

    /// `x`, and `y` solving the tridiagonal system `A y = B x` (Thomas algorithm).
    static func point(m: Int) -> (x: [Double], y: [Double]) {
        let x = (0..<n).map { 0.5 * Double.cos(Double($0)) }
        var rhs = (0..<m).map { i in (0..<n).reduce(0.0) { $0 + Double.sin(Double(i + 2 * $1)) / Double(n) * x[$1] } }
        var diagonal = [Double](repeating: 1, count: m)
        for i in 1..<m {
            let l = 0.1 / diagonal[i - 1]
            diagonal[i] -= l * 0.1
            rhs[i] -= l * rhs[i - 1]
        }
        var y = [Double](repeating: 0, count: m)
        for i in stride(from: m - 1, through: 0, by: -1) {
            y[i] = (rhs[i] - (i + 1 < m ? 0.1 * y[i + 1] : 0)) / diagonal[i]
        }
        return (x, y)
    }
}

/// `F_i = √y_i·√y_i + y_i − x_i` (`rootInY`: at `y_i = 0` the value is exact, `A`'s entry
/// `0·∞ = NaN`), or `F_i = y_i − (x_i·s)·s` with `s = 10²⁰⁰` below `x_i = 10⁻²⁵⁰` (else 1): at
/// `x_i = 10⁻³⁰⁰` the value is `10¹⁰⁰`, `B`'s entry `10⁴⁰⁰ = ∞`, `A` finite.
struct NonFiniteEntryConditions: ImplicitConditions {
    let inY: Bool

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        (0..<y.count).map { i -> T in
            if inY {
                let r = T.sqrt(y[i])
                return r * r + y[i] - x[i]
            }
            let s = x[i] < T(1e-250) ? T(1e200) : T(1)
            return y[i] - (x[i] * s) * s
        }
    }

    /// A solution `(x, y)`, with the non-finite entry at row 7 when `bad`.
    func point(bad: Bool) -> (x: [Double], y: [Double]) {
        if inY {
            var y = (0..<30).map { 0.5 + 0.01 * Double($0) }
            if bad { y[7] = 0 }
            return (y.map { Double.sqrt($0) * Double.sqrt($0) + $0 }, y)
        }
        var x = (0..<30).map { 0.5 + 0.01 * Double($0) }
        if bad { x[7] = 1e-300 }
        return (x, x.map { v in let s = v < 1e-250 ? 1e200 : 1.0; return (v * s) * s })
    }
}

@Suite struct TapeFreeLinearizationTests {
    /// JVP, VJP and Jacobian of `lin` against `reference` to `1e-12` relative, and adjointness.
    static func expectMatches(_ lin: ImplicitLinearization<Void>, _ reference: ImplicitLinearization<Void>,
                              seed: UInt64 = 11) throws {
        var rng = SeededRandom(seed: seed)
        let dx = rng.vector(lin.x.count), ybar = rng.vector(lin.solution.count)
        let jvp = try lin.jvp(dx), vjp = try lin.vjp(ybar)
        #expect(Approximate.relativeError(jvp, try reference.jvp(dx)) <= 1e-12, "\(lin.plan)")
        #expect(Approximate.relativeError(vjp, try reference.vjp(ybar)) <= 1e-12, "\(lin.plan)")
        #expect(Approximate.relativeError(try lin.jacobian(), try reference.jacobian()) <= 1e-12, "\(lin.plan)")
        let left = zip(ybar, jvp).reduce(0) { $0 + $1.0 * $1.1 }, right = zip(vjp, dx).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(left - right) <= 1e-12 * max(abs(left), abs(right)) + 1e-15, "adjointness \(left) vs \(right)")
    }

    static func function<C: ImplicitConditions>(_ c: C, _ y: [Double], _ solver: LinearSolver = .automatic,
                                                _ representation: Representation) -> ImplicitFunction<Void, Void> {
        ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: solver, representation: representation)
    }

    @Test("with the structure cached, linearize is tape-free and JVP, VJP, Jacobian equal the matrix path",
          arguments: ["diagonal", "tridiagonal", "five-point", "convection"], [Representation.automatic, .sparse])
    func tapeFreeEqualsMatrix(_ name: String, _ representation: Representation) throws {
        let (c, x, y) = SparseRepresentationTests.problem(name)
        let f = SparseRepresentationTests.function(c, y, .automatic, representation)
        let reference = try SparseRepresentationTests.function(c, y, .lu, .matrix).linearize(at: x)
        let cold = try f.linearize(at: x)
        #expect(cold.plan.note?.contains("tape-free") != true, "\(cold.plan)")
        let warm = try f.linearize(at: x)
        #expect(warm.plan.representation == .sparse, "\(warm.plan)")
        #expect(warm.plan.note?.contains("tape-free") == true && warm.plan.note?.contains("∂F/∂x by 1 colours") == true,
                "\(warm.plan)")
        try Self.expectMatches(warm, reference)
        // The one-shot products take the same path.
        var rng = SeededRandom(seed: 5)
        let dx = rng.vector(x.count), ybar = rng.vector(y.count)
        #expect(Approximate.relativeError(try f.jvp(at: x, tangent: dx), try reference.jvp(dx)) <= 1e-12)
        #expect(Approximate.relativeError(try f.vjp(at: x, cotangent: ybar), try reference.vjp(ybar)) <= 1e-12)
        #expect(Approximate.relativeError(try f.jacobian(at: x), try reference.jacobian()) <= 1e-12)
    }

    @Test("concurrent tape-free calls on one function (one workspace) give the sequential calls' answers",
          arguments: [Representation.automatic, .sparse])
    func concurrentTapeFreeCalls(_ representation: Representation) throws {
        let (c, x, y) = SparseRepresentationTests.problem("five-point")
        let f = SparseRepresentationTests.function(c, y, .automatic, representation)
        _ = try f.linearize(at: x)
        let cotangents = (0..<8).map { k in (0..<y.count).map { Double.sin(Double($0 * (k + 1)) + 0.1) } }
        var sequential: [[Double]] = []
        for ybar in cotangents {
            let lin = try f.linearize(at: x)
            #expect(lin.plan.note?.contains("tape-free") == true, "\(lin.plan)")
            sequential.append(try lin.vjp(ybar))
        }
        let results = Locked<[Int: [Double]]>([:]), errors = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 3 * cotangents.count) { j in
            let k = j % cotangents.count
            do {
                let lin = try f.linearize(at: x)
                let v = try lin.vjp(cotangents[k])
                if lin.plan.note?.contains("tape-free") != true { errors.withLock { $0.append("not tape-free") } }
                results.withLock { r in
                    if let earlier = r[k], earlier != v { errors.withLock { $0.append("call \(j) differs") } }
                    r[k] = v
                }
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        #expect(errors.withLock { $0 }.isEmpty, "\(errors.withLock { $0 })")
        for (k, v) in sequential.enumerated() {
            let got = try #require(results.withLock { $0[k] })
            #expect(Approximate.relativeError(got, v) <= 1e-14)
        }
    }

    @Test("a dense B stays on the lazy products while A is tape-free, and the answer is the matrix path's")
    func denseInput() throws {
        let (x, y) = DenseInputConditions.point(m: 60)
        let c = DenseInputConditions()
        #expect(c(x: x, y: y).map(abs).max()! < 1e-14)
        let f = Self.function(c, y, .automatic, .sparse)
        _ = try f.linearize(at: x)
        let warm = try f.linearize(at: x)
        #expect(warm.plan.note?.contains("tape-free") == true && warm.plan.note?.contains("∂F/∂x by") == false,
                "\(warm.plan)")
        try Self.expectMatches(warm, try Self.function(c, y, .lu, .matrix).linearize(at: x))
    }

    @Test("B's pattern switching with the point fails the check: detected again, and the answer is right",
          arguments: [Representation.automatic, .sparse])
    func switchedInputPattern(_ representation: Representation) throws {
        let m = 40
        let yUp = (0..<m).map { 0.3 + 0.01 * Double($0) }
        var yDown = yUp
        yDown[0] = -0.3
        let c = SwitchingInputConditions()
        let xUp = SwitchingInputConditions.input(for: yUp), xDown = SwitchingInputConditions.input(for: yDown)
        let f = Self.function(c, yUp, .automatic, representation)
        _ = try f.linearize(at: xUp, solution: yUp, byproduct: ())
        let warm = try f.linearize(at: xUp, solution: yUp, byproduct: ())
        #expect(warm.plan.note?.contains("tape-free") == true, "\(warm.plan)")
        let switched = try f.linearize(at: xDown, solution: yDown, byproduct: ())
        #expect(switched.plan.note?.contains("detected again") == true, "\(switched.plan)")
        try Self.expectMatches(switched, try Self.function(c, yDown, .lu, .matrix)
            .linearize(at: xDown, solution: yDown, byproduct: ()))
        // The new pattern is cached: the next call at such a point is tape-free again, and right.
        let again = try f.linearize(at: xDown, solution: yDown, byproduct: ())
        #expect(again.plan.note?.contains("tape-free") == true, "\(again.plan)")
        try Self.expectMatches(again, try Self.function(c, yDown, .lu, .matrix)
            .linearize(at: xDown, solution: yDown, byproduct: ()))
    }

    @Test("a non-finite entry of A or B is nonFiniteInput naming its block; the cache stays usable",
          arguments: [true, false])
    func nonFiniteEntry(_ inY: Bool) throws {
        let c = NonFiniteEntryConditions(inY: inY)
        let good = c.point(bad: false), bad = c.point(bad: true)
        let f = Self.function(c, good.y, .automatic, .automatic)
        _ = try f.linearize(at: good.x, solution: good.y, byproduct: ())
        guard case .nonFiniteInput(let what)? = implicitError({
            _ = try f.linearize(at: bad.x, solution: bad.y, byproduct: ())
        }) else {
            Issue.record("expected nonFiniteInput")
            return
        }
        #expect(what.contains(inY ? "∂F/∂y[7, 7]" : "∂F/∂x[7, 7]"), "\(what)")
        let after = try f.linearize(at: good.x, solution: good.y, byproduct: ())
        #expect(after.plan.note?.contains("tape-free") == true && after.plan.note?.contains("again") == false,
                "\(after.plan)")
        try Self.expectMatches(after, try Self.function(c, good.y, .lu, .matrix)
            .linearize(at: good.x, solution: good.y, byproduct: ()))
    }

    @Test("the residual bound from A y summed in the lane sweep is the separate product's, to rounding")
    func residualScaleFromTheLanes() throws {
        let (c, x, y) = SparseRepresentationTests.problem("tridiagonal")
        #expect(c is BratuLikeConditions)
        // A y in closed form (aᵢᵢ = 2 − λh²e^{yᵢ}, aᵢ,ᵢ±₁ = −1) and each row's Σ|aᵢⱼ yⱼ| for the rounding.
        let m = y.count, h2 = 1.0 / Double((m + 1) * (m + 1))
        var ay = [Double](repeating: 0, count: m), terms = ay
        for i in 0..<m {
            let diagonal = (2 - BratuLikeConditions.lambda * h2 * Foundation.exp(y[i])) * y[i]
            let left = i > 0 ? -y[i - 1] : 0, right = i < m - 1 ? -y[i + 1] : 0
            ay[i] = left + diagonal + right
            terms[i] = Swift.abs(left) + Swift.abs(diagonal) + Swift.abs(right)
        }
        let norm = { (v: [Double]) in v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let reference = 1e-6 * norm(ay), slack = 1e-6 * 8 * Double.ulpOfOne * norm(terms)
        #expect(slack < 1e-3 * reference)
        let f = SparseRepresentationTests.function(c, y, .automatic, .sparse)
        let recorded = try f.linearize(at: x)   // cold cache: A y by a product with the recorded A
        let tapeFree = try f.linearize(at: x)
        #expect(recorded.plan.note?.contains("tape-free") != true)
        #expect(tapeFree.plan.note?.contains("tape-free") == true)
        // At the solution the residual is admitted by the first term alone: the bound is tol · ‖A y‖.
        let separate = try #require(recorded.report.residualBound), summed = try #require(tapeFree.report.residualBound)
        #expect(Swift.abs(separate - reference) <= slack, "\(separate) against \(reference)")
        #expect(Swift.abs(summed - reference) <= slack, "\(summed) against \(reference)")
        #expect(Swift.abs(summed - separate) <= slack)
    }

    @Test("the residual check still fires on a wrong y when the value comes from the dual lanes")
    func residualChecked() throws {
        let (c, x, y) = SparseRepresentationTests.problem("tridiagonal")
        let f = SparseRepresentationTests.function(c, y, .automatic, .automatic)
        _ = try f.linearize(at: x)
        #expect(try f.linearize(at: x).plan.note?.contains("tape-free") == true)
        var wrong = y
        wrong[10] += 1e-3
        guard case .residualTooLarge? = implicitError({ _ = try f.linearize(at: x, solution: wrong, byproduct: ()) })
        else {
            Issue.record("expected residualTooLarge")
            return
        }
    }
}
