import ImplicitDifferentiation
import ImplicitExamples
import Testing

/// What the conditions below were asked to do, by scalar type: calls of the returning form, calls
/// of the in-place form, and in-place calls whose `output` arrived at the address the previous
/// in-place call left it at, holding its values (the buffer kept between calls).
final class EvaluationLog: Sendable {
    struct Counts { var returning: [String: Int] = [:], inPlace: [String: Int] = [:], keptBuffer = 0 }
    let counts = Locked(Counts())
    let lastAddress = Locked<Int?>(nil)
    /// Whether the in-place form writes `k + wrongBy` values instead of `k` (0: right).
    let wrongBy = Locked(0)

    var snapshot: Counts { counts.withLock { $0 } }
}

/// 1-D Bratu written through ``BratuConditions``'s in-place form, logging every evaluation; its
/// in-place form writes the wrong number of values while ``EvaluationLog/wrongBy`` is not zero.
struct LoggedInPlaceBratu: ImplicitConditions {
    let base: BratuConditions
    let log: EvaluationLog

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        log.counts.withLock { $0.returning["\(T.self)", default: 0] += 1 }
        return base(x: x, y: y)
    }

    func evaluate<T: DifferentiableScalar>(x: [T], y: [T], into output: inout [T]) {
        let arrived = output.withUnsafeBufferPointer { $0.baseAddress.map { Int(bitPattern: $0) } }
        // A new buffer from the workspace is zero-filled; a kept one holds the previous call's values.
        let kept = arrived != nil && log.lastAddress.withLock { $0 } == arrived
            && output.withUnsafeBytes { $0.contains { $0 != 0 } }
        log.counts.withLock {
            $0.inPlace["\(T.self)", default: 0] += 1
            if kept { $0.keptBuffer += 1 }
        }
        base.evaluate(x: x, y: y, into: &output)
        let wrongBy = log.wrongBy.withLock { $0 }
        if wrongBy < 0 { output.removeLast(-wrongBy) }
        if wrongBy > 0 { output.append(contentsOf: [T](repeating: T(0), count: wrongBy)) }
        log.lastAddress.withLock { $0 = output.withUnsafeBufferPointer { $0.baseAddress.map { Int(bitPattern: $0) } } }
    }
}

/// The same conditions with only the returning form: the in-place form is the protocol's default.
struct ReturningBratu: ImplicitConditions {
    let base: BratuConditions
    let log: EvaluationLog

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        log.counts.withLock { $0.returning["\(T.self)", default: 0] += 1 }
        return base(x: x, y: y)
    }
}

/// 1-D Bratu with its source `f` as the byproduct, written in place; logs the in-place calls.
struct BratuWithSourceByproduct: ImplicitConditionsWithByproduct {
    let log: EvaluationLog

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T], byproduct f: [Double]) -> [T] {
        log.counts.withLock { $0.returning["\(T.self)", default: 0] += 1 }
        return BratuConditions(nx: f.count, ny: 1, source: f)(x: x, y: y)
    }

    func evaluate<T: DifferentiableScalar>(x: [T], y: [T], byproduct f: [Double], into output: inout [T]) {
        log.counts.withLock { $0.inPlace["\(T.self)", default: 0] += 1 }
        BratuConditions(nx: f.count, ny: 1, source: f).evaluate(x: x, y: y, into: &output)
    }
}

@Suite struct InPlaceConditionsTests {
    static let m = 1000

    /// 1-D Bratu (`D = 1`) at its Newton solution.
    static func problem() -> (BratuConditions, theta: [Double], u: [Double]) {
        let s = (0..<m).map { Double($0 + 1) / Double(m + 1) }
        let theta = s.map { 1 + 0.5 * Double.sin(2 * Double.pi * $0) }
        let source = s.map { 1 + 2 * Double.sin(Double.pi * $0) }
        let c = BratuConditions(nx: m, ny: 1, source: source)
        return (c, theta, c.solve(theta))
    }

    /// Solves `A v = b` for the tridiagonal `A = L + diag(θ eᵘ)` (`L = tridiag(−1, 2, −1)`) by the
    /// Thomas algorithm, independently of the library.
    static func solveA(theta: [Double], u: [Double], _ b: [Double]) -> [Double] {
        let m = b.count
        var diagonal = (0..<m).map { 2 + theta[$0] * Double.exp(u[$0]) }, rhs = b
        for i in 1..<m {
            let l = -1 / diagonal[i - 1]
            diagonal[i] -= l * -1
            rhs[i] -= l * rhs[i - 1]
        }
        var v = [Double](repeating: 0, count: m)
        for i in stride(from: m - 1, through: 0, by: -1) { v[i] = (rhs[i] + (i + 1 < m ? v[i + 1] : 0)) / diagonal[i] }
        return v
    }

    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        let d = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        return d / max(b.map { $0 * $0 }.reduce(0, +).squareRoot(), .leastNormalMagnitude)
    }

    static let dx = (0..<m).map { Double.cos(0.3 * Double($0)) }
    static let ybar = (0..<m).map { Double.sin(0.1 * Double($0)) }

    @Test("in-place F on the tape-free path: the returning form's derivatives bit for bit, the closed form, central differences; its output kept",
          arguments: [Representation.sparse, .automatic])
    func inPlaceMatchesReturningAndReferences(_ representation: Representation) throws {
        let (c, theta, u) = Self.problem()
        let inPlaceLog = EvaluationLog(), returningLog = EvaluationLog()
        let inPlace = ImplicitFunction(solver: { _ in u }, conditions: LoggedInPlaceBratu(base: c, log: inPlaceLog),
                                       representation: representation)
        let returning = ImplicitFunction(solver: { _ in u }, conditions: ReturningBratu(base: c, log: returningLog),
                                         representation: representation)
        _ = try inPlace.linearize(at: theta)   // cold: records, caches the structure
        _ = try returning.linearize(at: theta)
        let before = inPlaceLog.snapshot
        var results: [(jvp: [Double], vjp: [Double])] = []
        for _ in 0..<3 {
            let lin = try inPlace.linearize(at: theta)
            #expect(lin.plan.note?.contains("tape-free") == true, "\(lin.plan)")
            results.append((try lin.jvp(Self.dx), try lin.vjp(Self.ybar)))
        }
        let after = inPlaceLog.snapshot
        let dualInPlace = after.inPlace.filter { $0.key.hasPrefix("DualN") }.values.reduce(0, +)
            - before.inPlace.filter { $0.key.hasPrefix("DualN") }.values.reduce(0, +)
        #expect(dualInPlace == 3, "in-place calls on duals: \(after.inPlace)")
        // The first tape-free call gets a buffer from the workspace; the next two get back the one it left.
        #expect(after.keptBuffer - before.keptBuffer >= 2, "kept \(after.keptBuffer - before.keptBuffer)")
        #expect(after.returning.filter { $0.key.hasPrefix("DualN") }.values.reduce(0, +)
                == before.returning.filter { $0.key.hasPrefix("DualN") }.values.reduce(0, +),
                "the returning form was called on duals: \(after.returning)")

        let reference = try returning.linearize(at: theta)
        #expect(reference.plan.note?.contains("tape-free") == true, "\(reference.plan)")
        let rj = try reference.jvp(Self.dx), rv = try reference.vjp(Self.ybar)
        for r in results {
            #expect(r.jvp == rj && r.vjp == rv, "in-place and returning forms differ")
        }
        // Closed forms: dy = −A⁻¹ (eᵘ∘ẋ), x̄ = −eᵘ∘A⁻ᵀȳ (A symmetric).
        let e = u.map { Double.exp($0) }
        let jvpExact = Self.solveA(theta: theta, u: u, zip(e, Self.dx).map { -$0 * $1 })
        let vjpExact = zip(e, Self.solveA(theta: theta, u: u, Self.ybar)).map { -$0 * $1 }
        #expect(Self.relativeError(results[2].jvp, jvpExact) <= 1e-10)
        #expect(Self.relativeError(results[2].vjp, vjpExact) <= 1e-10)
        let h = 1e-6
        let plus = c.solve(zip(theta, Self.dx).map { $0 + h * $1 }), minus = c.solve(zip(theta, Self.dx).map { $0 - h * $1 })
        let central = zip(plus, minus).map { ($0 - $1) / (2 * h) }
        #expect(Self.relativeError(results[2].jvp, central) <= 1e-6)
    }

    @Test("an in-place form writing the wrong number of values is dimensionMismatch; the next good call is right", arguments: [-1, 1, -1000])
    func wrongCountIsTypedError(_ wrongBy: Int) throws {
        let (c, theta, u) = Self.problem()
        let log = EvaluationLog()
        let f = ImplicitFunction(solver: { _ in u }, conditions: LoggedInPlaceBratu(base: c, log: log),
                                 representation: .sparse)
        let good = ImplicitFunction(solver: { _ in u }, conditions: c, representation: .sparse)
        _ = try good.linearize(at: theta)
        let reference = try good.linearize(at: theta)   // tape-free, as the calls compared with it
        _ = try f.linearize(at: theta)
        _ = try f.linearize(at: theta)   // tape-free, the output kept
        log.wrongBy.withLock { $0 = wrongBy }
        do {
            _ = try f.linearize(at: theta)
            Issue.record("a wrong-length in-place output was accepted")
        } catch {
            guard case .dimensionMismatch(let what) = error else {
                Issue.record("expected dimensionMismatch, got \(error)")
                return
            }
            #expect(what.contains("in-place"), "\(what)")
        }
        #expect(throws: ImplicitDifferentiationError.self) { _ = try f.vjp(at: theta, cotangent: Self.ybar) }
        log.wrongBy.withLock { $0 = 0 }
        for _ in 0..<2 {
            let lin = try f.linearize(at: theta)
            #expect(lin.plan.note?.contains("tape-free") == true, "\(lin.plan)")
            #expect(try lin.vjp(Self.ybar) == (try reference.vjp(Self.ybar)))
            #expect(try lin.jvp(Self.dx) == (try reference.jvp(Self.dx)))
        }
    }

    @Test("the byproduct form's in-place evaluation is called on the dual lanes and gives the plain form's answer")
    func byproductInPlace() throws {
        let (c, theta, u) = Self.problem()
        let log = EvaluationLog()
        let withZ = ImplicitFunction<Void, [Double]>(solver: { _, _ in (u, c.source) },
                                                     conditions: BratuWithSourceByproduct(log: log),
                                                     representation: .sparse)
        let plain = ImplicitFunction(solver: { _ in u }, conditions: c, representation: .sparse)
        for _ in 0..<2 {
            _ = try withZ.linearize(at: theta, solution: u, byproduct: c.source)
            _ = try plain.linearize(at: theta)
        }
        let lin = try withZ.linearize(at: theta, solution: u, byproduct: c.source)
        let reference = try plain.linearize(at: theta)
        #expect(lin.plan.note?.contains("tape-free") == true, "\(lin.plan)")
        #expect(log.snapshot.inPlace.filter { $0.key.hasPrefix("DualN") }.values.reduce(0, +) == 2,
                "\(log.snapshot.inPlace)")
        #expect(log.snapshot.returning.filter { $0.key.hasPrefix("DualN") }.isEmpty, "\(log.snapshot.returning)")
        #expect(try lin.vjp(Self.ybar) == (try reference.vjp(Self.ybar)))
        #expect(try lin.jvp(Self.dx) == (try reference.jvp(Self.dx)))
    }

    @Test("conditions without an in-place form are evaluated by the default, which calls the returning form on duals")
    func defaultCallsReturningForm() throws {
        let (c, theta, u) = Self.problem()
        let log = EvaluationLog()
        let f = ImplicitFunction(solver: { _ in u }, conditions: ReturningBratu(base: c, log: log),
                                 representation: .sparse)
        _ = try f.linearize(at: theta)
        let before = log.snapshot
        for _ in 0..<3 {
            let lin = try f.linearize(at: theta)
            #expect(lin.plan.note?.contains("tape-free") == true, "\(lin.plan)")
            let e = u.map { Double.exp($0) }
            let vjpExact = zip(e, Self.solveA(theta: theta, u: u, Self.ybar)).map { -$0 * $1 }
            #expect(Self.relativeError(try lin.vjp(Self.ybar), vjpExact) <= 1e-10)
        }
        let after = log.snapshot
        let duals = after.returning.filter { $0.key.hasPrefix("DualN") }.values.reduce(0, +)
            - before.returning.filter { $0.key.hasPrefix("DualN") }.values.reduce(0, +)
        #expect(duals == 3, "returning-form calls on duals: \(after.returning)")
    }
}
