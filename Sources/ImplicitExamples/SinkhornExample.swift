import ImplicitDifferentiation
import Optimality
import LinearAlgebra

// Use case 5: entropic optimal transport by log-domain Sinkhorn.
//
//     P_ij = exp((f_i + g_j − C_ij)/ε),   rows sum to a = softmax(α), columns to b = softmax(β)
//
// The potentials y = (f, g) are the fixed point of the two Sinkhorn half-steps.
// They are defined up to (f + c, g − c), so A = ∂F/∂y is singular with the null
// vector (1, −1); every tangent system is consistent, and the plan P — hence
// the transport cost ⟨P, C⟩ — does not see the gauge. The library takes the
// least-squares path (SVD on a matrix, LSMR on an operator).
//
// The marginals enter through their logits (α, β): a perturbation of a alone
// would break Σa = Σb and leave the conditions without a solution.

/// The log-domain Sinkhorn fixed point; input `x = (C, α, β)` (the cost
/// matrix column-major, then the marginal logits), unknowns `y = (f, g)`.
///
/// ```
/// F_i     = f_i − ε log a_i + ε lse_j((g_j − C_ij)/ε),   log a = α − lse(α)
/// F_{n+j} = g_j − ε log b_j + ε lse_i((f_i − C_ij)/ε),   log b = β − lse(β)
/// ```
public struct SinkhornConditions: ImplicitConditions {
    /// Rows `n` and columns `n'` of the cost matrix.
    public let rows: Int, columns: Int
    /// The entropic regularization `ε > 0`.
    public let epsilon: Double

    /// Creates the conditions for an `n × n'` problem.
    ///
    /// - Parameters:
    ///   - rows: `n ≥ 1`.
    ///   - columns: `n' ≥ 1`.
    ///   - epsilon: `ε > 0`.
    public init(rows: Int, columns: Int, epsilon: Double) {
        self.rows = rows
        self.columns = columns
        self.epsilon = epsilon
    }

    /// The Sinkhorn fixed-point residual.
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let n = rows, n2 = columns, eps = T(epsilon)
        let alpha = Array(x[(n * n2)..<(n * n2 + n)]), beta = Array(x[(n * n2 + n)...])
        let lseA = SmoothReductions.logSumExp(alpha), lseB = SmoothReductions.logSumExp(beta)
        var out: [T] = []
        out.reserveCapacity(n + n2)
        for i in 0..<n {
            let t = (0..<n2).map { j in (y[n + j] - x[i + n * j]) / eps }
            out.append(y[i] - eps * (alpha[i] - lseA) + eps * SmoothReductions.logSumExp(t))
        }
        for j in 0..<n2 {
            let t = (0..<n).map { i in (y[i] - x[i + n * j]) / eps }
            out.append(y[n + j] - eps * (beta[j] - lseB) + eps * SmoothReductions.logSumExp(t))
        }
        return out
    }

    /// Log-domain Sinkhorn, as a user would write it: alternate the two
    /// half-steps from `g = 0` until the potentials stop changing (`10⁻¹⁴`).
    ///
    /// - Parameter x: `(C, α, β)`.
    /// - Returns: `(f, g)`.
    public func solve(_ x: [Double]) -> [Double] {
        let n = rows, n2 = columns, eps = epsilon
        func lse(_ t: [Double]) -> Double {
            let m = t.max()!
            var s = 0.0
            for v in t { s += Double.exp(v - m) }
            return m + Double.log(s)
        }
        let alpha = Array(x[(n * n2)..<(n * n2 + n)]), beta = Array(x[(n * n2 + n)...])
        let logA = alpha.map { $0 - lse(alpha) }, logB = beta.map { $0 - lse(beta) }
        var f = [Double](repeating: 0, count: n), g = [Double](repeating: 0, count: n2)
        var t = [Double](repeating: 0, count: Swift.max(n, n2))
        for _ in 0..<50_000 {
            var change = 0.0, scale = 1.0
            for i in 0..<n {
                for j in 0..<n2 { t[j] = (g[j] - x[i + n * j]) / eps }
                let next = eps * logA[i] - eps * lse(Array(t[0..<n2]))
                change = Swift.max(change, Swift.abs(next - f[i]))
                scale = Swift.max(scale, Swift.abs(next))
                f[i] = next
            }
            for j in 0..<n2 {
                for i in 0..<n { t[i] = (f[i] - x[i + n * j]) / eps }
                let next = eps * logB[j] - eps * lse(Array(t[0..<n]))
                change = Swift.max(change, Swift.abs(next - g[j]))
                scale = Swift.max(scale, Swift.abs(next))
                g[j] = next
            }
            if change <= 1e-14 * scale { break }
        }
        return f + g
    }

    /// The transport plan `P_ij = exp((f_i + g_j − C_ij)/ε)`, column-major.
    ///
    /// - Parameters:
    ///   - x: `(C, α, β)`.
    ///   - y: `(f, g)`.
    /// - Returns: `P`, length `n·n'`.
    public func plan(x: [Double], y: [Double]) -> [Double] {
        let n = rows
        return (0..<(n * columns)).map { k in Double.exp((y[k % n] + y[n + k / n] - x[k]) / epsilon) }
    }
}

extension Examples {
    /// Use case 5: entropic optimal transport.
    public static let sinkhorn = Example(
        name: "sinkhorn",
        title: "entropic optimal transport (log-domain Sinkhorn): ∇⟨P, C⟩ w.r.t. C and the marginals' logits",
        sizeMeaning: "n = size rows, n' = size + 1 columns; x = (C, α, β), y = (f, g)",
        defaultSize: 12, testSize: 4, benchmarkSizes: [2, 20, 200]
    ) { n in
        let n2 = n + 1, eps = 0.25
        let conditions = SinkhornConditions(rows: n, columns: n2, epsilon: eps)
        let cost = (0..<(n * n2)).map { k -> Double in
            let i = k % n, j = k / n
            let u = Double(i) / Double(Swift.max(n - 1, 1)), v = Double(j) / Double(n2)
            return (u - v) * (u - v) + 0.05 * (1 + Double.sin(3 * Double(i) + 2 * Double(j)))
        }
        let alpha = (0..<n).map { 0.3 * Inputs.wave($0, 1.3, 0) }
        let beta = (0..<n2).map { 0.2 * Inputs.wave($0, 0.7, Double.pi / 2) }
        let x = cost + alpha + beta
        let nx = x.count
        // L(x, y) = ⟨P, C⟩ and its explicit partial derivatives.
        let partials: @Sendable ([Double], [Double]) -> (dx: [Double], dy: [Double]) = { x, y in
            let p = conditions.plan(x: x, y: y)
            var dx = [Double](repeating: 0, count: nx), dy = [Double](repeating: 0, count: n + n2)
            for k in 0..<(n * n2) {
                let pc = p[k] * x[k]
                dx[k] = p[k] - pc / eps
                dy[k % n] += pc / eps
                dy[n + k / n] += pc / eps
            }
            return (dx, dy)
        }
        // One finite-difference sweep through the whole solver serves the
        // gradient (last row) and the plan's Jacobian.
        let table = Locked<Matrix?>(nil)
        let finiteDifferences: @Sendable () -> Matrix = {
            if let t = table.withLock({ $0 }) { return t }
            let t = SolverFiniteDifferences.jacobian(of: { x in
                let p = conditions.plan(x: x, y: conditions.solve(x))
                return p + [zip(p, x).reduce(0) { $0 + $1.0 * $1.1 }]
            }, at: x)
            table.withLock { $0 = t }
            return t
        }
        let dx = Directions.tangent(nx)
        return ExampleProblem(
            input: x, unknowns: n + n2, equations: n + n2, conditions: conditions, solve: conditions.solve,
            checks: [
                DerivativeCheck(mode: .jvp, quantity: "Ṗ = P∘(ḟᵢ + ġⱼ − Ċᵢⱼ)/ε along ẋ", reference: .finiteDifferences,
                                compute: { lin throws(ImplicitDifferentiationError) in
                                    let ydot = try lin.jvp(dx)
                                    let p = conditions.plan(x: x, y: lin.solution)
                                    return (0..<(n * n2)).map { k in p[k] * (ydot[k % n] + ydot[n + k / n] - dx[k]) / eps }
                                },
                                expected: { lin in
                                    let solvePlan: ([Double]) -> [Double] = { conditions.plan(x: $0, y: conditions.solve($0)) }
                                    return SolverFiniteDifferences.jvp(solvePlan, at: x, along: dx)
                                }),
                DerivativeCheck(mode: .vjp, quantity: "∇ₓ⟨P, C⟩ = ∂ₓL + Jᵀ ∂_yL", reference: .finiteDifferences,
                                compute: { lin throws(ImplicitDifferentiationError) in
                                    let (px, py) = partials(x, lin.solution)
                                    var g = try lin.vjp(py)
                                    BLAS.axpy(1, px, &g)
                                    return g
                                },
                                expected: { _ in finiteDifferences().row(n * n2) }),
                DerivativeCheck(mode: .jacobian, quantity: "∂P/∂x (the plan's Jacobian; y's has a gauge)",
                                reference: .finiteDifferences, skipReason: nx > 2000 ? "n = \(nx) inputs > 2000" : nil,
                                compute: { lin throws(ImplicitDifferentiationError) in
                                    let j = try lin.jacobian()
                                    let p = conditions.plan(x: x, y: lin.solution)
                                    var out = Matrix(rows: n * n2, columns: nx)
                                    for c in 0..<nx {
                                        for k in 0..<(n * n2) {
                                            let d = j[k % n, c] + j[n + k / n, c] - (k == c ? 1 : 0)
                                            out[k, c] = p[k] * d / eps
                                        }
                                    }
                                    return out.elements
                                },
                                expected: { _ in
                                    let t = finiteDifferences()
                                    return Matrix(rows: n * n2, columns: nx) { r, c in t[r, c] }.elements
                                }),
            ],
            facts: { y in
                let p = conditions.plan(x: x, y: y)
                let cost = zip(p, x).reduce(0) { $0 + $1.0 * $1.1 }
                return ["transport cost ⟨P, C⟩ = \(shortNumber(cost)); ∂F/∂y is singular (gauge (f + c, g − c))"]
            })
    }
}
