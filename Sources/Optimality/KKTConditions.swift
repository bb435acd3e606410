import AutoDiff
import ImplicitDifferentiation

/// A constrained minimization, written once over the AD scalar:
///
/// ```
/// y(x) = argmin_y f(x, y)   subject to   g(x, y) = 0 (p equations),   h(x, y) ≤ 0 (q inequalities)
/// ```
public protocol ConstrainedProblem: Sendable {
    /// `f(x, y)`.
    func objective<T: DifferentiableScalar>(x: [T], y: [T]) -> T
    /// `g(x, y)`, `p` values (default: none).
    func equalities<T: DifferentiableScalar>(x: [T], y: [T]) -> [T]
    /// `h(x, y)`, `q` values, feasible when `≤ 0` (default: none).
    func inequalities<T: DifferentiableScalar>(x: [T], y: [T]) -> [T]
}

extension ConstrainedProblem {
    /// No equality constraints.
    public func equalities<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { [] }
    /// No inequality constraints.
    public func inequalities<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { [] }
}

/// A primal-dual point `(y, λ, μ)` returned by a constrained solver.
public struct KKTPoint: Sendable, Equatable {
    /// `y`, length `m`.
    public var primal: [Double]
    /// `λ`, one per equality, length `p`.
    public var equalityMultipliers: [Double]
    /// `μ ≥ 0`, one per inequality, length `q`.
    public var inequalityMultipliers: [Double]

    /// - Parameters:
    ///   - primal: `y`.
    ///   - equalityMultipliers: `λ` (empty without equalities).
    ///   - inequalityMultipliers: `μ` (empty without inequalities).
    public init(primal: [Double], equalityMultipliers: [Double] = [], inequalityMultipliers: [Double] = []) {
        self.primal = primal
        self.equalityMultipliers = equalityMultipliers
        self.inequalityMultipliers = inequalityMultipliers
    }

    /// Splits the implicit function's flat output `z = (y, λ, μ)` by `layout`.
    public init(_ z: [Double], layout: KKTLayout) {
        precondition(z.count == layout.total, "KKTPoint: z has length \(z.count), layout has \(layout.total)")
        primal = Array(z[0..<layout.primal])
        equalityMultipliers = Array(z[layout.primal..<(layout.primal + layout.equalities)])
        inequalityMultipliers = Array(z[(layout.primal + layout.equalities)...])
    }

    /// `z = (y, λ, μ)`.
    public var flattened: [Double] { primal + equalityMultipliers + inequalityMultipliers }
}

/// The block sizes of `z = (y, λ, μ)`: the byproduct of a KKT implicit function.
public struct KKTLayout: Sendable, Hashable {
    /// `m`.
    public var primal: Int
    /// `p`.
    public var equalities: Int
    /// `q`.
    public var inequalities: Int
    /// `m + p + q`.
    public var total: Int { primal + equalities + inequalities }
    /// - Parameters:
    ///   - primal: `m ≥ 1`.
    ///   - equalities: `p ≥ 0`.
    ///   - inequalities: `q ≥ 0`.
    public init(primal: Int, equalities: Int, inequalities: Int) {
        self.primal = primal
        self.equalities = equalities
        self.inequalities = inequalities
    }
}

/// What to do with a degenerate active set (an inequality active with a zero multiplier).
public enum DegeneracyPolicy: Sendable, Hashable {
    /// Throw ``OptimalityError/degenerateActiveSet(constraints:)`` from the forward solve (default).
    case throwError
    /// Accept it: `A` is singular and the derivative is whatever the linear
    /// solver returns for a singular system (under `.automatic` on the dense
    /// path, the least-norm SVD solution, with a note in the report) — one
    /// element of the generalized derivative, not the derivative.
    case allow
}

/// The checks ``KKTConditions/check(x:point:)`` applies to a returned point.
public struct KKTOptions: Sendable, Hashable {
    /// Absolute tolerance `δ` on `hᵢ` and `μᵢ`: infeasible when `hᵢ > δ`,
    /// negative when `μᵢ < −δ`, degenerate when `|hᵢ| ≤ δ` and `|μᵢ| ≤ δ`.
    public var tolerance: Double
    /// See ``DegeneracyPolicy``.
    public var degeneracy: DegeneracyPolicy
    /// - Parameters:
    ///   - tolerance: `δ > 0` (default `1e-8`).
    ///   - degeneracy: default `.throwError`.
    public init(tolerance: Double = 1e-8, degeneracy: DegeneracyPolicy = .throwError) {
        self.tolerance = tolerance
        self.degeneracy = degeneracy
    }
}

/// The Karush–Kuhn–Tucker conditions of a ``ConstrainedProblem`` over `z = (y, λ, μ)`.
///
/// The invariant is that `z` is a KKT point:
///
/// ```
/// ∇_y f + (∂g/∂y)ᵀ λ + (∂h/∂y)ᵀ μ = 0        stationarity          (m rows)
/// g(x, y) = 0                                primal feasibility    (p rows)
/// μ ∘ h(x, y) = 0                            complementarity       (q rows)
/// ```
///
/// The complementarity rows are JAXopt's form (`make_kkt_optimality_fun`):
/// differentiable everywhere, and their derivative `diag(μ) ∂h + diag(h) dμ`
/// makes `A` non-singular under the usual assumptions (linear independence
/// of the active gradients, second-order sufficiency, **strict
/// complementarity**). An inactive inequality (`hᵢ < 0`) gets `dμᵢ = 0`; an
/// active one with `μᵢ > 0` stays active (`d hᵢ = 0`). When `hᵢ = μᵢ = 0`
/// the row is zero and `A` is singular: the solution map has one-sided
/// derivatives only. ``check(x:point:)`` reports that case rather than let it
/// pass, and rejects points with `h > 0` or `μ < 0`, which these equations
/// alone do not exclude.
///
/// The stationarity rows are `∇_y` of the Lagrangian `f + λᵀg + μᵀh`, taken by
/// `m` passes on `Dual<T>` as in ``Objective/gradient(x:y:)``. `A` is not
/// symmetric in this form: the automatic plan uses LU or GMRES.
public struct KKTConditions<Problem: ConstrainedProblem>: ImplicitConditionsWithByproduct {
    /// The problem.
    public let problem: Problem
    /// Checks on returned points.
    public let options: KKTOptions

    /// - Parameters:
    ///   - problem: `f`, `g`, `h`.
    ///   - options: tolerance and degeneracy policy.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` when the tolerance is not positive and finite.
    public init(problem: Problem, options: KKTOptions = .init()) throws(OptimalityError) {
        try requirePositive(options.tolerance, "KKT tolerance")
        self.problem = problem
        self.options = options
    }

    /// `F(x, z)` as above, `m + p + q` values.
    @inlinable
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y z: [T], byproduct layout: KKTLayout) -> [T] {
        let m = layout.primal, p = layout.equalities, q = layout.inequalities
        precondition(z.count == layout.total, "KKTConditions: z has length \(z.count), layout \(layout.total)")
        let y = Array(z[0..<m])
        let lambda = z[m..<(m + p)].map { Dual<T>($0, tangent: T(0)) }
        let mu = z[(m + p)...].map { Dual<T>($0, tangent: T(0)) }
        let xd = x.map { Dual<T>($0, tangent: T(0)) }
        var yd = y.map { Dual<T>($0, tangent: T(0)) }
        var out = [T]()
        out.reserveCapacity(layout.total)
        for i in 0..<m {
            yd[i].tangent = T(1)
            var lagrangian = problem.objective(x: xd, y: yd)
            let g = problem.equalities(x: xd, y: yd), h = problem.inequalities(x: xd, y: yd)
            precondition(g.count == p && h.count == q, "KKTConditions: g, h have \(g.count), \(h.count) values; layout says \(p), \(q)")
            for j in 0..<p { lagrangian = lagrangian + lambda[j] * g[j] }
            for k in 0..<q { lagrangian = lagrangian + mu[k] * h[k] }
            out.append(lagrangian.tangent)
            yd[i].tangent = T(0)
        }
        out.append(contentsOf: problem.equalities(x: x, y: y))
        let h = problem.inequalities(x: x, y: y)
        for k in 0..<q { out.append(z[m + p + k] * h[k]) }
        return out
    }

    /// Validates a point returned by a solver and packs it for the implicit function.
    ///
    /// - Parameters:
    ///   - x: the input.
    ///   - point: `(y, λ, μ)`.
    /// - Returns: `(z, layout)` with `z = (y, λ, μ)`.
    /// - Throws: ``OptimalityError/dimensionMismatch(_:)`` when `λ` or `μ` do not match `g` or `h`;
    ///   ``OptimalityError/infeasibleInequality(constraint:value:)`` when some `hᵢ > δ`;
    ///   ``OptimalityError/negativeMultiplier(constraint:value:)`` when some `μᵢ < −δ`;
    ///   ``OptimalityError/degenerateActiveSet(constraints:)`` when `|hᵢ| ≤ δ` and `|μᵢ| ≤ δ`
    ///   for some `i` and the policy is `.throwError`.
    public func check(x: [Double], point: KKTPoint) throws(OptimalityError) -> (y: [Double], byproduct: KKTLayout) {
        let g: [Double] = problem.equalities(x: x, y: point.primal)
        let h: [Double] = problem.inequalities(x: x, y: point.primal)
        guard g.count == point.equalityMultipliers.count, h.count == point.inequalityMultipliers.count else {
            throw .dimensionMismatch("g has \(g.count) values and λ \(point.equalityMultipliers.count); "
                                     + "h has \(h.count) values and μ \(point.inequalityMultipliers.count)")
        }
        let delta = options.tolerance
        var degenerate: [Int] = []
        for (i, (hi, mi)) in zip(h, point.inequalityMultipliers).enumerated() {
            guard hi <= delta else { throw .infeasibleInequality(constraint: i, value: hi) }
            guard mi >= -delta else { throw .negativeMultiplier(constraint: i, value: mi) }
            if Swift.abs(hi) <= delta && Swift.abs(mi) <= delta { degenerate.append(i) }
        }
        if !degenerate.isEmpty && options.degeneracy == .throwError { throw .degenerateActiveSet(constraints: degenerate) }
        return (point.flattened, KKTLayout(primal: point.primal.count, equalities: g.count, inequalities: h.count))
    }

    /// The inequalities that are degenerate at `point` (`|hᵢ| ≤ δ` and `|μᵢ| ≤ δ`), whatever the policy.
    ///
    /// - Parameters:
    ///   - x: the input.
    ///   - point: `(y, λ, μ)`.
    /// - Returns: their indices, ascending.
    public func degenerateConstraints(x: [Double], point: KKTPoint) -> [Int] {
        let h: [Double] = problem.inequalities(x: x, y: point.primal)
        return zip(h, point.inequalityMultipliers).enumerated().filter {
            Swift.abs($0.element.0) <= options.tolerance && Swift.abs($0.element.1) <= options.tolerance
        }.map(\.offset)
    }
}

extension ImplicitFunction where Arguments == Void, Byproduct == KKTLayout {
    /// The primal-dual solution `z(x) = (y, λ, μ)` of a constrained problem,
    /// differentiated through its ``KKTConditions``.
    ///
    /// ```
    /// J = −A⁻¹B over (y, λ, μ);   split with KKTPoint(z, layout: byproduct)
    /// ```
    ///
    /// Every solve passes the solver's point through ``KKTConditions/check(x:point:)``;
    /// its errors arrive as `ImplicitDifferentiationError.forwardSolverFailed(OptimalityError)`.
    ///
    /// - Parameters:
    ///   - problem: `f`, `g`, `h`, generic over the scalar.
    ///   - kktOptions: tolerance and degeneracy policy.
    ///   - solver: any black box returning a KKT point.
    ///   - linearSolver: see `LinearSolver` (default `.automatic`).
    ///   - representation: see `Representation` (default `.automatic`).
    ///   - options: residual check and thresholds.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` for a bad tolerance.
    public init<P: ConstrainedProblem>(
        kktOf problem: P, kktOptions: KKTOptions = .init(),
        solver: @escaping @Sendable (_ x: [Double]) throws -> KKTPoint,
        linearSolver: LinearSolver = .automatic, representation: Representation = .automatic,
        options: ImplicitFunctionOptions = .init()
    ) throws(OptimalityError) {
        let conditions = try KKTConditions(problem: problem, options: kktOptions)
        self.init(solver: { x in try conditions.check(x: x, point: solver(x)) }, conditions: conditions,
                  linearSolver: linearSolver, representation: representation, options: options)
    }
}
