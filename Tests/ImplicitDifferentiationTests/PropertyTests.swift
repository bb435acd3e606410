import Testing
import ImplicitDifferentiation
import TestSupport

// Property-based tests of the implicit layer on random well-conditioned
// linear and nonlinear conditions with known solutions (PropertyCases.swift).
// Seeds are fixed; PROPERTY_CASES and PROPERTY_SEED override the defaults
// for a longer local run. A failure is shrunk and printed as a reproducer.

enum PropertySettings {
    static let cases = environmentInt("PROPERTY_CASES") ?? 500
    static let seed = UInt64(environmentInt("PROPERTY_SEED") ?? 20_261_126)

    static func environmentInt(_ name: String) -> Int? {
        guard let p = getenv(name) else { return nil }
        return Int(String(cString: p))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `property` on the fixed-seed cases and records a shrunk failure.
func checkProperty(_ name: String, seed: UInt64 = PropertySettings.seed, cases: Int = PropertySettings.cases,
                   sourceLocation: SourceLocation = #_sourceLocation,
                   _ property: (ImplicitCase) throws -> String?) {
    let failure = PropertyCheck.run(name, seed: seed, cases: cases,
                                    generate: { ImplicitCase.generate(&$0) },
                                    shrink: { $0.shrunk() },
                                    property: { c in
                                        do { return try property(c) } catch { return "threw \(error)" }
                                    })
    if let failure { Issue.record("\(failure)", sourceLocation: sourceLocation) }
}

/// The adjointness defect `|⟨ȳ, J ẋ⟩ − ⟨Jᵀȳ, ẋ⟩| / (‖ȳ‖ ‖J‖ ‖ẋ‖)` of `f` at the case's point, or a message.
func adjointnessDefect(_ f: ImplicitFunction<Void, Void>, _ c: ImplicitCase) throws -> Double {
    let p = c.problem
    let lin = try f.linearize(at: p.x)
    let jv = try lin.jvp(p.dx1)
    let vj = try lin.vjp(p.ybar)
    let scale = norm(p.ybar) * p.exactJacobian.frobeniusNorm * norm(p.dx1)
    guard scale > 0 else { return abs(inner(p.ybar, jv) - inner(vj, p.dx1)) }
    return abs(inner(p.ybar, jv) - inner(vj, p.dx1)) / scale
}

@Suite("Properties of implicit derivatives (random conditions, fixed seeds)")
struct ImplicitPropertyTests {
    static let tolerance: [DerivativePath: Double] = [.matrix: 1e-11, .operator: 1e-9, .sparse: 1e-9]

    @Test("adjointness ⟨ȳ, J ẋ⟩ = ⟨Jᵀȳ, ẋ⟩", arguments: DerivativePath.allCases)
    func adjointness(path: DerivativePath) {
        let tol = Self.tolerance[path]!
        checkProperty("adjointness on the \(path) path") { c in
            let d = try adjointnessDefect(c.function(path), c)
            return d <= tol ? nil : "adjointness defect \(d) > \(tol)"
        }
    }

    @Test("the JVP is linear in the tangent, at every scale of the tangent", arguments: DerivativePath.allCases)
    func jvpIsLinear(path: DerivativePath) {
        let tol = Self.tolerance[path]!
        checkProperty("JVP linearity on the \(path) path") { c in
            let p = c.problem
            let lin = try c.function(path).linearize(at: p.x)
            // J(a (ẋ₁ + b ẋ₂)) = a (J ẋ₁ + b J ẋ₂), with the scale a from {1, −2.5, 1e−150, 1e150}
            // by the seed: additivity, and homogeneity at any scale of the direction.
            let a = [1, -2.5, 1e-150, 1e150][Int(c.seed % 4)], b = 0.75
            let combined = try lin.jvp(zip(p.dx1, p.dx2).map { a * ($0 + b * $1) })
            let j1 = try lin.jvp(p.dx1), j2 = try lin.jvp(p.dx2)
            let expected = zip(j1, j2).map { a * ($0 + b * $1) }
            let scale = abs(a) * (norm(j1) + abs(b) * norm(j2))
            let err = zip(combined, expected).map { $0 - $1 }
            let e = scale > 0 ? norm(err) / scale : norm(err)
            return e <= tol ? nil : "‖J(a(ẋ₁ + bẋ₂)) − a(Jẋ₁ + bJẋ₂)‖ relative \(e) > \(tol) (a = \(a))"
        }
    }

    @Test("Jacobian = closed form = stacked JVPs = stacked VJPs", arguments: DerivativePath.allCases)
    func jacobianAgreesWithProducts(path: DerivativePath) {
        let tol = 100 * Self.tolerance[path]!
        checkProperty("Jacobian vs products on the \(path) path") { c in
            let p = c.problem
            let lin = try c.function(path).linearize(at: p.x)
            let j = try lin.jacobian()
            let exact = p.exactJacobian
            var byJVP = Matrix(rows: c.m, columns: c.n), byVJP = Matrix(rows: c.m, columns: c.n)
            var e = [Double](repeating: 0, count: c.n)
            for col in 0..<c.n {
                e[col] = 1
                byJVP.setColumn(col, to: try lin.jvp(e))
                e[col] = 0
            }
            var u = [Double](repeating: 0, count: c.m)
            for row in 0..<c.m {
                u[row] = 1
                let r = try lin.vjp(u)
                for col in 0..<c.n { byVJP[row, col] = r[col] }
                u[row] = 0
            }
            for (name, other) in [("closed form", exact), ("stacked JVPs", byJVP), ("stacked VJPs", byVJP)] {
                let err = c.n == 0 ? 0 : Approximate.relativeError(j, other)
                if !(err <= tol) { return "jacobian() vs \(name): relative error \(err) > \(tol)" }
            }
            return nil
        }
    }

    @Test("matrix and operator paths agree")
    func pathsAgree() {
        checkProperty("matrix vs operator path") { c in
            let p = c.problem
            let dense = try c.function(.matrix).linearize(at: p.x)
            let lazy = try c.function(.operator).linearize(at: p.x)
            let tol = 1e-9
            let jv = Approximate.relativeError(try lazy.jvp(p.dx1), try dense.jvp(p.dx1))
            let vj = Approximate.relativeError(try lazy.vjp(p.ybar), try dense.vjp(p.ybar))
            let jErr = c.n == 0 ? 0 : Approximate.relativeError(try lazy.jacobian(), try dense.jacobian())
            for (name, err) in [("JVP", jv), ("VJP", vj), ("Jacobian", jErr)] where !(err <= tol) {
                return "\(name): operator vs matrix relative difference \(err) > \(tol)"
            }
            return nil
        }
    }
}

// MARK: - The properties catch a broken VJP

/// Hand-written products of the linear case `F = M y − W x − c` (`B = −W`,
/// `A = M`), with a test-only switch that flips the sign of `Bᵀu` when
/// `m ≥ 3` — a mutant the adjointness property must reject and shrink to
/// `m = 3, n = 1`.
func handwrittenLinear(_ c: ImplicitCase, mutant: Bool) -> ImplicitFunction<Void, Void> {
    var linear = c
    linear.kind = .linear
    linear.extra = 0
    let p = linear.problem
    let conditions = HandwrittenConditions(
        value: { x, y in
            var f = p.mix * y
            let wx = p.input * x
            for i in f.indices { f[i] -= wx[i] + p.offset[i] }
            return f
        },
        jvp: { _, _, dx, dy in
            var out = [Double](repeating: 0, count: p.mix.rows)
            if let dy { out = p.mix * dy }
            if let dx { let w = p.input * dx; for i in out.indices { out[i] -= w[i] } }
            return out
        },
        vjp: { _, _, u in
            let sign: Double = mutant && u.count >= 3 ? 1 : -1
            return (p.input.transposedTimes(u).map { sign * $0 }, p.mix.transposedTimes(u))
        })
    return ImplicitFunction(solver: { x in p.solve(x) }, conditions: conditions, linearSolver: .lu)
}

@Suite("The property tests reject a broken VJP")
struct MutantTests {
    @Test("the correct hand-written VJP passes adjointness")
    func correctVJPPasses() {
        checkProperty("adjointness, hand-written products", cases: 100) { c in
            var linear = c
            linear.kind = .linear
            linear.extra = 0
            let d = try adjointnessDefect(handwrittenLinear(linear, mutant: false), linear)
            return d <= 1e-11 ? nil : "adjointness defect \(d)"
        }
    }

    @Test("a sign-flipped VJP is rejected and shrunk to m = 3, n = 1")
    func flippedVJPIsCaught() throws {
        let failure = PropertyCheck.run(
            "adjointness, mutant VJP", seed: PropertySettings.seed, cases: PropertySettings.cases,
            generate: { ImplicitCase.generate(&$0, allowScale: false) }, shrink: { $0.shrunk() },
            property: { c -> String? in
                var linear = c
                linear.kind = .linear
                linear.extra = 0
                guard let d = try? adjointnessDefect(handwrittenLinear(linear, mutant: true), linear) else {
                    return nil
                }
                return d <= 1e-11 ? nil : "adjointness defect \(d)"
            })
        let f = try #require(failure, "the adjointness property did not notice the flipped sign")
        #expect(f.minimal.m == 3)
        #expect(f.minimal.n == 1)
        #expect(f.minimal.seed == 0)
        #expect(f.description.contains("ImplicitCase(kind: .linear, m: 3, n: 1, extra: 0, scale: 0, seed: 0)"))
    }
}
