import ImplicitDifferentiation
import TestSupport

// Random well-conditioned conditions with known solutions and closed-form
// Jacobians, for the property tests. A case is a small description (kind,
// sizes, scale, seed) from which everything is rebuilt, so a shrunk failure
// prints a reproducer that can be pasted into a test.

/// One generated problem.
struct ImplicitCase: CustomStringConvertible, Sendable {
    enum Kind: String, Sendable { case linear, nonlinear }
    /// Linear `M y − W x − c`, or nonlinear `M (g(y) − g(h(x)))` (see ``CubicConditions``).
    var kind: Kind
    /// Unknowns `m ≥ 1` and inputs `n ≥ 0`.
    var m: Int, n: Int
    /// Extra equations `R F` stacked under `F` (a consistent least-squares problem).
    var extra: Int
    /// `x` (and so `y`) scaled by `10^scale` (linear kind only).
    var scale: Int
    /// The seed of every random entry.
    var seed: UInt64

    var description: String {
        "ImplicitCase(kind: .\(kind), m: \(m), n: \(n), extra: \(extra), scale: \(scale), seed: \(seed))"
    }

    /// A random case: `m ∈ 1…8`, `n ∈ 0…6` (`n ≥ 1` in most cases), a
    /// third of them with extra equations, a few at scales `1e±150`.
    static func generate(_ rng: inout SeededRandom, allowScale: Bool = true) -> ImplicitCase {
        let kind: Kind = rng.int(0...1) == 0 ? .linear : .nonlinear
        let scales = [0, 0, 0, 0, 0, 0, 150, -150]
        return ImplicitCase(kind: kind, m: rng.int(1...8), n: rng.int(0...9) == 0 ? 0 : rng.int(1...6),
                            extra: rng.int(0...2) == 0 ? rng.int(1...3) : 0,
                            scale: allowScale && kind == .linear ? scales[rng.int(0...7)] : 0,
                            seed: UInt64(rng.int(0...1_000_000)))
    }

    /// Smaller variants: fewer unknowns, inputs and extra equations, scale 0,
    /// the linear kind, smaller seeds.
    func shrunk() -> [ImplicitCase] {
        var out: [ImplicitCase] = []
        if kind == .nonlinear { var c = self; c.kind = .linear; c.scale = 0; out.append(c) }
        for v in PropertyCheck.shrink(m, toward: 1) { var c = self; c.m = v; out.append(c) }
        for v in PropertyCheck.shrink(n, toward: 0) { var c = self; c.n = v; out.append(c) }
        for v in PropertyCheck.shrink(extra, toward: 0) { var c = self; c.extra = v; out.append(c) }
        if scale != 0 { var c = self; c.scale = 0; out.append(c) }
        for v in PropertyCheck.shrink(Int(seed), toward: 0) { var c = self; c.seed = UInt64(v); out.append(c) }
        return out
    }

    var k: Int { m + extra }

    /// The problem's matrices and point, rebuilt from the description.
    var problem: Problem { Problem(self) }

    struct Problem: Sendable {
        /// Mixing matrix `M` (m × m, well conditioned, non-symmetric), input
        /// matrix `W` (m × n), offset `c`, stacking matrix `R` (extra × m).
        let mix: Matrix, input: Matrix, offset: [Double], stack: Matrix
        /// The point `x` and random directions `ẋ₁, ẋ₂` (length n), `ȳ` (length m).
        let x: [Double], dx1: [Double], dx2: [Double], ybar: [Double]
        let kind: Kind, scale: Double

        init(_ c: ImplicitCase) {
            var rng = SeededRandom(seed: c.seed)
            var mix = TestMatrices.wellConditioned(c.m, seed: c.seed &+ 17)
            // Strictly diagonally dominant (diagonal ≥ 2m − 1, off-diagonal row sums < m − 1).
            for i in 0..<c.m { mix[i, i] += Double(c.m) }
            // Rows scaled by powers of two: non-normal, still well conditioned.
            for i in 0..<c.m { for j in 0..<c.m { mix[i, j] *= Double(1 << (i % 3)) } }
            self.mix = mix
            self.input = rng.matrix(c.m, c.n)
            self.stack = rng.matrix(c.extra, c.m)
            self.kind = c.kind
            self.scale = c.kind == .linear ? pow10(c.scale) : 1
            let s = self.scale
            self.offset = rng.vector(c.m).map { $0 * s }
            self.x = rng.vector(c.n, -2, 2).map { $0 * s }
            self.dx1 = rng.vector(c.n)
            self.dx2 = rng.vector(c.n)
            self.ybar = rng.vector(c.m)
        }

        /// The exact solution `y(x)`.
        func solve(_ x: [Double]) -> [Double] {
            switch kind {
            case .linear:
                var rhs = input * x
                for i in rhs.indices { rhs[i] += offset[i] }
                return try! LUFactorization(mix).solve(rhs)
            case .nonlinear:
                return CubicConditions.h(input, x)
            }
        }

        /// The closed-form Jacobian `∂y/∂x` at `x`: `M⁻¹W` (linear), `W diag(cos x)` (nonlinear).
        var exactJacobian: Matrix {
            switch kind {
            case .linear:
                return try! LUFactorization(mix).solve(input)
            case .nonlinear:
                return Matrix(rows: input.rows, columns: input.columns) { i, j in input[i, j] * Double.cos(x[j]) }
            }
        }

        /// The generic conditions, stacked with `R F` when there are extra equations.
        var conditions: StackedConditions {
            StackedConditions(kind: kind, mix: mix, input: input, offset: offset, stack: stack)
        }
    }
}

/// `10^e` without `pow` (exact powers of ten are not needed, only the scale).
func pow10(_ e: Int) -> Double {
    var r = 1.0
    for _ in 0..<Swift.abs(e) { r *= 10 }
    return e < 0 ? 1 / r : r
}

/// `F(x, y)` of an ``ImplicitCase``, generic over the scalar:
///
/// ```
/// linear:     F = M y − W x − c                      y = M⁻¹ (W x + c)
/// nonlinear:  F = M (g(y) − g(h(x))),  g(t) = t + t³/10,  h(x) = W sin(x)     y = h(x)
/// stacked:    [F; R F]                               (consistent, k = m + extra)
/// ```
struct StackedConditions: ImplicitConditions {
    let kind: ImplicitCase.Kind
    let mix: Matrix, input: Matrix, offset: [Double], stack: Matrix

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let m = y.count
        var inner = [T](repeating: T(0), count: m)
        switch kind {
        case .linear:
            for i in 0..<m {
                var s = T(-offset[i])
                for j in 0..<m { s += T(mix[i, j]) * y[j] }
                for j in 0..<x.count { s -= T(input[i, j]) * x[j] }
                inner[i] = s
            }
        case .nonlinear:
            let sines = x.map { T.sin($0) }
            var d = [T](repeating: T(0), count: m)
            for i in 0..<m {
                var h = T(0)
                for j in 0..<x.count { h += T(input[i, j]) * sines[j] }
                d[i] = CubicConditions.g(y[i]) - CubicConditions.g(h)
            }
            for i in 0..<m {
                var s = T(0)
                for j in 0..<m { s += T(mix[i, j]) * d[j] }
                inner[i] = s
            }
        }
        var out = inner
        for r in 0..<stack.rows {
            var s = T(0)
            for j in 0..<m { s += T(stack[r, j]) * inner[j] }
            out.append(s)
        }
        return out
    }
}

enum CubicConditions {
    /// `g(t) = t + t³/10`, strictly increasing.
    static func g<T: DifferentiableScalar>(_ t: T) -> T { t + t * t * t / T(10) }
    /// `h(x) = W sin(x)`.
    static func h(_ w: Matrix, _ x: [Double]) -> [Double] { w * x.map { Double.sin($0) } }
}

/// The two paths a case is differentiated on.
enum DerivativePath: String, CaseIterable, Sendable {
    /// `A` materialized, LU (square) or QR (extra equations).
    case matrix
    /// `A` lazy: GMRES (square) or LSMR (extra equations), tight tolerances.
    case `operator`
    /// `A` sparse from the tape: factored by its structure (square) or LSMR on it (extra equations).
    case sparse
}

/// Krylov settings tight enough that the operator path agrees with the
/// matrix path to about 1e-10.
/// The absolute tolerance is not zero on purpose: with the default-style
/// `atol > 0`, a tiny direction must still give a scaled answer, not 0.
let propertyKrylov = try! KrylovOptions(absoluteTolerance: 1e-14, relativeTolerance: 1e-13, maxIterations: 400)

extension ImplicitCase {
    /// The implicit function of this case on `path`.
    func function(_ path: DerivativePath) -> ImplicitFunction<Void, Void> {
        let p = problem
        let (solver, rep): (LinearSolver, Representation) = switch path {
        case .matrix: (.automatic, .matrix)
        case .operator: (extra > 0 ? .lsmr(options: propertyKrylov) : .gmres(options: propertyKrylov), .operator)
        case .sparse: (extra > 0 ? .lsmr(options: propertyKrylov) : .automatic, .sparse)
        }
        return ImplicitFunction(solver: { x in p.solve(x) }, conditions: p.conditions, linearSolver: solver,
                                representation: rep)
    }
}

/// `⟨a, b⟩`.
func inner(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

/// `‖a‖₂` (scaled; no overflow at 1e±150).
func norm(_ a: [Double]) -> Double { BLAS.nrm2(a) }
