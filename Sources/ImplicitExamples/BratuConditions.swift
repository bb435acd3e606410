import ImplicitDifferentiation

/// A discretized Bratu / Poisson problem with a reaction term on a 1-D or
/// 2-D grid with zero Dirichlet boundary values, in grid units:
///
/// ```
/// F(θ, u) = D·L u + θ∘exp(u) − f = 0
/// (L u)_p = deg·u_p − Σ_{q neighbour of p} u_q     (deg = 2 in 1-D, 4 in 2-D)
/// A = ∂F/∂u = D·L + diag(θ∘eᵘ)   symmetric positive definite for θ > 0
/// B = ∂F/∂θ = diag(eᵘ)
/// ```
///
/// With the mesh width folded into `D` (`D = κ/h²` for `−κΔu` on a grid of
/// width `h`), `D = 1` keeps the condition number of `A` below
/// `1 + 4·deg·D / min(θ eᵘ)` at every size — a few tens — so unpreconditioned
/// CG converges in a few dozen iterations even at 10⁶ unknowns. (The unit
/// square, `D = (N+1)²`, has a condition number of about `0.4 (N+1)²` and
/// takes an IC(0) preconditioner: see ``incompleteCholeskyFactory``.)
public struct BratuConditions: ImplicitConditions {
    /// Grid points along the first axis.
    public let nx: Int
    /// Grid points along the second axis (1 for a 1-D problem).
    public let ny: Int
    /// The diffusion coefficient `D > 0` (in grid units).
    public let diffusion: Double
    /// The source `f`, one value per grid point.
    public let source: [Double]

    /// Creates the conditions.
    ///
    /// - Parameters:
    ///   - nx: `≥ 1`.
    ///   - ny: `≥ 1` (1 for 1-D).
    ///   - diffusion: `D > 0`.
    ///   - source: `f`, length `nx·ny`.
    public init(nx: Int, ny: Int, diffusion: Double = 1, source: [Double]) {
        precondition(nx >= 1 && ny >= 1 && source.count == nx * ny, "BratuConditions: bad grid or source length")
        self.nx = nx
        self.ny = ny
        self.diffusion = diffusion
        self.source = source
    }

    /// The number of unknowns `m = nx·ny`.
    @inlinable
    public var count: Int { nx * ny }

    /// `D·L u + θ∘exp(u) − f`; inlinable so that callers in other modules
    /// specialize it for their scalar, as they do conditions of their own.
    @inlinable
    public func callAsFunction<T: DifferentiableScalar>(x theta: [T], y u: [T]) -> [T] {
        let degree = T(ny == 1 ? 2 : 4), d = T(diffusion)
        var out: [T] = []
        out.reserveCapacity(count)
        for j in 0..<ny {
            for i in 0..<nx {
                out.append(row(i, j, theta, u, degree: degree, diffusion: d))
            }
        }
        return out
    }

    /// `D·L u + θ∘exp(u) − f` written into `out` in place (resized only when its length is
    /// not ``count``): the same values as ``callAsFunction(x:y:)``, without allocating `out`
    /// when the library keeps it between calls.
    ///
    /// - Parameters:
    ///   - theta: `θ`, length ``count``.
    ///   - u: `u`, length ``count``.
    ///   - out: on return, `F(θ, u)`, length ``count``.
    @inlinable
    public func evaluate<T: DifferentiableScalar>(x theta: [T], y u: [T], into out: inout [T]) {
        let degree = T(ny == 1 ? 2 : 4), d = T(diffusion)
        if out.count != count { out = [T](repeating: T(0), count: count) }
        for j in 0..<ny {
            for i in 0..<nx {
                out[i + nx * j] = row(i, j, theta, u, degree: degree, diffusion: d)
            }
        }
    }

    /// Row `p = i + nx·j` of `F`: `D·(L u)_p + θ_p exp(u_p) − f_p`.
    @inlinable @inline(__always)
    func row<T: DifferentiableScalar>(_ i: Int, _ j: Int, _ theta: [T], _ u: [T], degree: T, diffusion d: T) -> T {
        let p = i + nx * j
        var lap = degree * u[p]
        if i > 0 { lap = lap - u[p - 1] }
        if i < nx - 1 { lap = lap - u[p + 1] }
        if j > 0 { lap = lap - u[p - nx] }
        if j < ny - 1 { lap = lap - u[p + nx] }
        return d * lap + theta[p] * T.exp(u[p]) - T(source[p])
    }

    /// `out = D·L v + w∘v` (the stencil; `w = θ∘eᵘ` gives `A v`).
    public func applyOperator(_ v: [Double], weights w: [Double], into out: inout [Double]) {
        let degree = ny == 1 ? 2.0 : 4.0
        for j in 0..<ny {
            for i in 0..<nx {
                let p = i + nx * j
                var lap = degree * v[p]
                if i > 0 { lap -= v[p - 1] }
                if i < nx - 1 { lap -= v[p + 1] }
                if j > 0 { lap -= v[p - nx] }
                if j < ny - 1 { lap -= v[p + nx] }
                out[p] = diffusion * lap + w[p] * v[p]
            }
        }
    }

    /// Solves `A v = b` with `A = D·L + diag(θ eᵘ)` by conjugate gradients
    /// (matrix-free) to relative tolerance `rtol`, preconditioned by IC(0)
    /// of the assembled stencil when asked (for large `D`, e.g. the unit square).
    public func solveLinearized(theta: [Double], u: [Double], _ b: [Double], rtol: Double,
                                preconditioned: Bool = false) -> [Double] {
        let w = zip(theta, u).map { $0 * Double.exp($1) }
        let op = ClosureOperator(rows: count, columns: count, structure: [.symmetric, .positiveDefinite],
                                 apply: { v, out in self.applyOperator(v, weights: w, into: &out) })
        let cg = ConjugateGradient(options: try! KrylovOptions(absoluteTolerance: 0, relativeTolerance: rtol,
                                                               maxIterations: 100_000))
        let ic = preconditioned ? try? IncompleteCholeskyPreconditioner(stencilMatrix(weights: w)) : nil
        return cg.solve(op, b, initialGuess: nil, preconditioner: ic).solution
    }

    /// Newton's method with a matrix-free conjugate-gradient inner solve, as
    /// a user would write it: from `u = 0`, until `‖F‖ ≤ 10⁻¹³ max(1, ‖f‖)`.
    ///
    /// - Parameter theta: the reaction coefficients, positive.
    /// - Returns: `u`.
    public func solve(_ theta: [Double]) -> [Double] { solve(theta, preconditioned: false) }

    /// Newton's method as ``solve(_:)``, the inner CG preconditioned by IC(0)
    /// of the assembled stencil when asked.
    ///
    /// - Parameters:
    ///   - theta: the reaction coefficients, positive.
    ///   - preconditioned: precondition the inner CG by IC(0) of the stencil.
    /// - Returns: `u`.
    public func solve(_ theta: [Double], preconditioned: Bool) -> [Double] {
        let m = count
        var u = [Double](repeating: 0, count: m), r = u
        let zero = u
        let target = 1e-13 * Swift.max(1, BLAS.nrm2(source))
        for _ in 0..<50 {
            // F(u) = D L u + θ∘eᵘ − f.
            applyOperator(u, weights: zero, into: &r)
            for p in 0..<m { r[p] += theta[p] * Double.exp(u[p]) - source[p] }
            if BLAS.nrm2(r) <= target { break }
            let step = solveLinearized(theta: theta, u: u, r, rtol: 1e-12, preconditioned: preconditioned)
            BLAS.axpy(-1, step, &u)
        }
        return u
    }
}

extension Examples {
    /// The closed-form checks of the Bratu problems: the JVP against central
    /// differences of the whole Newton solver, the VJP against the
    /// hand-derived `x̄ = −eᵘ∘A⁻¹ȳ` (CG to 10⁻¹³ on the stencil, no AD), the
    /// Jacobian against `−A⁻¹diag(eᵘ)` by dense LU (small `m` only).
    static func bratuChecks(_ c: BratuConditions, theta: [Double], preconditioned: Bool = false)
        -> [DerivativeCheck<Void>]
    {
        let m = c.count
        let dx = Directions.tangent(m), ybar = Directions.cotangent(m)
        return [
            DerivativeCheck(mode: .jvp, quantity: "∂u/∂θ · θ̇", reference: .finiteDifferences,
                            compute: { lin throws(ImplicitDifferentiationError) in try lin.jvp(dx) },
                            expected: { _ in
                                SolverFiniteDifferences.jvp({ c.solve($0, preconditioned: preconditioned) },
                                                            at: theta, along: dx)
                            }),
            DerivativeCheck(mode: .vjp, quantity: "(∂u/∂θ)ᵀ ȳ = −eᵘ∘A⁻¹ȳ", reference: .closedForm,
                            compute: { lin throws(ImplicitDifferentiationError) in try lin.vjp(ybar) },
                            expected: { lin in
                                let u = lin.solution
                                let w = c.solveLinearized(theta: theta, u: u, ybar, rtol: 1e-13,
                                                          preconditioned: preconditioned)
                                return (0..<m).map { -Double.exp(u[$0]) * w[$0] }
                            }),
            DerivativeCheck(mode: .jacobian, quantity: "∂u/∂θ = −A⁻¹ diag(eᵘ)", reference: .closedForm,
                            skipReason: m > 2000 ? "m = \(m) > 2000: a dense m × m Jacobian" : nil,
                            compute: { lin throws(ImplicitDifferentiationError) in try lin.jacobian().elements },
                            expected: { lin in
                                let u = lin.solution
                                let w = zip(theta, u).map { $0 * Double.exp($1) }
                                var a = Matrix(rows: m, columns: m)
                                var e = [Double](repeating: 0, count: m), col = e
                                for k in 0..<m {
                                    e[k] = 1
                                    c.applyOperator(e, weights: w, into: &col)
                                    a.setColumn(k, to: col)
                                    e[k] = 0
                                }
                                let j = try! LUFactorization(a).solve(Matrix.diagonal(u.map { -Double.exp($0) }))
                                return j.elements
                            }),
        ]
    }

    static func bratuFacts(_ u: [Double]) -> [String] {
        ["u ∈ [\(shortNumber(u.min() ?? 0)), \(shortNumber(u.max() ?? 0))]"]
    }
}
