import AutoDiff
import Testing

/// Every elementary rule, as a function of two variables `(a, b)`.
enum Rule: String, CaseIterable, Sendable, CustomStringConvertible {
    case add, sub, mul, div, neg, exp, expm1, log, log1p, sin, cos, tan, sqrt
    case powDouble, powInt, powNegativeInt, powSelf, root3, tanh, sinh, cosh
    case asin, acos, atan, asinh, acosh, atanh, abs, max, min, clamp, square

    var description: String { rawValue }

    func apply<T: DifferentiableScalar>(_ a: T, _ b: T) -> T {
        switch self {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .neg: return -a * b
        case .exp: return T.exp(a)
        case .expm1: return T.expMinusOne(a)
        case .log: return T.log(a)
        case .log1p: return T.log(onePlus: a)
        case .sin: return T.sin(a)
        case .cos: return T.cos(a)
        case .tan: return T.tan(a)
        case .sqrt: return T.sqrt(a)
        case .powDouble: return T.pow(a, 2.5)
        case .powInt: return T.pow(a, 3)
        case .powNegativeInt: return T.pow(a, -2)
        case .powSelf: return T.pow(a, b)
        case .root3: return T.root(a, 3)
        case .tanh: return T.tanh(a)
        case .sinh: return T.sinh(a)
        case .cosh: return T.cosh(a)
        case .asin: return T.asin(a)
        case .acos: return T.acos(a)
        case .atan: return T.atan(a)
        case .asinh: return T.asinh(a)
        case .acosh: return T.acosh(a)
        case .atanh: return T.atanh(a)
        case .abs: return T.abs(a) * b
        case .max: return T.max(a, b)
        case .min: return T.min(a, b)
        case .clamp: return T.clamp(a * b, lower: T(-0.5), upper: T(1))
        case .square: return T.square(a - b) + T(3) * a
        }
    }

    /// Grid points inside the rule's domain, away from kinks and ties.
    var grid: [(Double, Double)] {
        let b: [Double] = [0.7, -1.3, 1.9, -0.4, 0.55]
        let a: [Double]
        switch self {
        case .log, .sqrt, .powDouble, .powSelf: a = [0.3, 0.9, 1.7, 3.2, 6.5]
        case .log1p: a = [-0.6, -0.2, 0.35, 1.2, 4]
        case .tan: a = [-1.2, -0.5, 0.3, 0.9, 1.3]
        case .asin, .acos, .atanh: a = [-0.8, -0.45, 0.1, 0.5, 0.85]
        case .acosh: a = [1.2, 1.7, 2.5, 4, 9]
        default: a = [-1.7, -0.6, 0.35, 1.2, 2.3]
        }
        return Array(zip(a, b))
    }
}

/// One rule as a `DifferentiableFunction` of `x = (a, b)`.
struct RuleFunction: DifferentiableFunction {
    let rule: Rule
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { [rule.apply(x[0], x[1])] }
}

/// Fourth-order central difference of `g` at `x` along coordinate `j`.
func fivePoint(_ g: ([Double]) -> Double, _ x: [Double], _ j: Int) -> Double {
    let h = 1e-3 * Swift.max(1, Swift.abs(x[j]))
    func at(_ k: Double) -> Double { var y = x; y[j] += k * h; return g(y) }
    return (-at(2) + 8 * at(1) - 8 * at(-1) + at(-2)) / (12 * h)
}

/// `|a − b| ≤ tol·max(|a|, |b|) + floor`, true when both are equal. The
/// floor covers exact zeros (a partial with respect to an unused variable),
/// where the difference quotient is pure rounding noise.
func close(_ a: Double, _ b: Double, _ tol: Double, floor: Double = 0) -> Bool {
    a == b || Swift.abs(a - b) <= tol * Swift.max(Swift.abs(a), Swift.abs(b)) + floor
}

/// The gradient of a rule by one-direction duals (two passes).
func dualGradient(_ rule: Rule, _ x: [Double]) -> [Double] {
    (0..<2).map { j in
        rule.apply(Dual(x[0], tangent: j == 0 ? 1 : 0), Dual(x[1], tangent: j == 1 ? 1 : 0)).tangent
    }
}

@Suite("Elementary rules")
struct ElementaryRuleTests {
    @Test("each rule matches a central difference to 1e-8", arguments: Rule.allCases)
    func ruleMatchesFiniteDifference(_ rule: Rule) {
        for (a, b) in rule.grid {
            let x = [a, b]
            let g = dualGradient(rule, x)
            for j in 0..<2 {
                let fd = fivePoint({ rule.apply($0[0], $0[1]) }, x, j)
                let noise = 1e-11 * Swift.max(1, Swift.abs(rule.apply(a, b)))
                #expect(close(g[j], fd, 1e-8, floor: noise), "\(rule) at \(x), ∂\(j): AD \(g[j]) vs FD \(fd)")
            }
        }
    }

    @Test("Dual, nested Dual, DualN and the tape agree to 1e-13", arguments: Rule.allCases)
    func modesAgree(_ rule: Rule) {
        for (a, b) in rule.grid {
            let x = [a, b]
            let dual = dualGradient(rule, x)
            // Nested: the outer and inner tangents both carry the first derivative.
            let nested = (0..<2).map { j -> (Double, Double) in
                let s: Double = j == 0 ? 1 : 0
                let y = rule.apply(Dual<Dual<Double>>(Dual(a, tangent: s), tangent: Dual(s, tangent: 0)),
                                   Dual<Dual<Double>>(Dual(b, tangent: 1 - s), tangent: Dual(1 - s, tangent: 0)))
                return (y.value.tangent, y.tangent.value)
            }
            let n2 = rule.apply(DualN<2>(a, seed: 0), DualN<2>(b, seed: 1))
            let (value, tape) = AD.gradient(of: RuleFunction(rule: rule), at: x)
            let lin = AD.linearize(RuleFunction(rule: rule), at: x)
            #expect(value == rule.apply(a, b))
            for j in 0..<2 {
                let e = [0.0, 0.0].enumerated().map { $0.offset == j ? 1.0 : 0.0 }
                #expect(close(nested[j].0, dual[j], 1e-13) && close(nested[j].1, dual[j], 1e-13), "\(rule) nested")
                #expect(close(n2.partials[j], dual[j], 1e-13), "\(rule) DualN")
                #expect(close(tape[j], dual[j], 1e-13), "\(rule) tape VJP \(tape[j]) vs \(dual[j])")
                #expect(close(lin.jvp(e)[0], dual[j], 1e-13), "\(rule) tape JVP")
            }
        }
    }

    @Test("nested duals give second derivatives (vs differences of the first)", arguments: Rule.allCases)
    func secondDerivatives(_ rule: Rule) {
        for (a, b) in rule.grid {
            let x = [a, b]
            for i in 0..<2 {
                for j in 0..<2 {
                    let si: Double = i == 0 ? 1 : 0, sj: Double = j == 0 ? 1 : 0
                    let y = rule.apply(Dual<Dual<Double>>(Dual(a, tangent: si), tangent: Dual(sj, tangent: 0)),
                                       Dual<Dual<Double>>(Dual(b, tangent: 1 - si), tangent: Dual(1 - sj, tangent: 0)))
                    let fd = fivePoint({ dualGradient(rule, $0)[i] }, x, j)
                    let h = y.tangent.tangent
                    #expect(close(h, fd, 1e-7, floor: 1e-9 * Swift.max(1, Swift.abs(dualGradient(rule, x)[i]))), "\(rule) at \(x), H[\(i),\(j)]: \(h) vs \(fd)")
                }
            }
        }
    }

    @Test("comparisons use the value only; constants carry no derivative")
    func comparisonsAndConstants() {
        let x = Dual(2.0, tangent: 5.0), y = Dual(2.0, tangent: -1.0)
        #expect(x == y && !(x < y))
        #expect(Dual.max(Dual(1, tangent: 3), Dual(0.5, tangent: 9)).tangent == 3)
        #expect(Swift.max(Dual(1, tangent: 3), Dual(0.5, tangent: 9)).tangent == 3)
        let c: Dual<Double> = 3            // integer literal: a constant
        #expect((c * x).tangent == 15 && Dual<Double>(0.25).tangent == 0)
        #expect(Swift.abs(Dual(-2.0, tangent: 1.0)).tangent == -1)
        #expect(Dual(-2.0, tangent: 1.0).magnitude.value == 2)
    }
}
