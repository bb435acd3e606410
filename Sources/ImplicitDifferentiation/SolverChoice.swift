import Krylov

/// How `A = ∂F/∂y` is represented when derivatives are computed.
public enum Representation: String, Sendable, Hashable, CustomStringConvertible {
    /// Materialize `A` as a dense matrix (N-direction duals) and factor it once.
    case matrix
    /// Keep `A` lazy: only products `A v` and `Aᵀ u` (tape sweeps), solved by a Krylov method.
    case `operator`
    /// Let the library choose; see ``SolvePlan``.
    case automatic

    /// The flag spelling (`matrix`, `operator`, `automatic`).
    public var description: String { rawValue }
}

/// The linear solver for `A v = b` and `Aᵀ w = c`.
///
/// Direct solvers need ``Representation/matrix``; Krylov methods work with
/// either representation (on a matrix they use BLAS products). Each Krylov
/// right-hand side is scaled to unit norm (by a power of two) before the
/// solve, so a method's tolerances bound the relative residual `‖r‖ / ‖b‖`
/// and derivatives are homogeneous in the direction at every scale.
public enum LinearSolver: Sendable, Equatable, CustomStringConvertible {
    /// LU with partial pivoting (`getrf`); square `A`; transposed solves reuse the factors.
    case lu
    /// Cholesky (`potrf`); `A` must be symmetric positive definite.
    case cholesky
    /// Least squares (`k > m`) or minimum norm, by QR; when `A` is rank
    /// deficient (singular but consistent, e.g. a scaling invariance), falls
    /// back to the SVD and returns the minimum-norm derivative `−A⁺B ẋ`.
    case qr
    /// The SVD pseudo-inverse: the minimum-norm least-squares derivative for any `A`.
    case svd
    /// Restarted GMRES (square `A`, any structure).
    case gmres(restart: Int = 30, options: KrylovOptions = .default)
    /// BiCGStab (square `A`).
    case bicgstab(options: KrylovOptions = .default)
    /// Conjugate gradients (declared symmetric positive definite `A`).
    case cg(options: KrylovOptions = .default)
    /// LSMR: least squares / minimum norm for any shape of `A`.
    case lsmr(options: KrylovOptions = .default)
    /// Let the library choose; see ``SolvePlan``.
    case automatic

    /// `true` for the factorization-based solvers.
    public var isDirect: Bool {
        switch self {
        case .lu, .cholesky, .qr, .svd: return true
        default: return false
        }
    }

    /// `true` for solvers that return a least-squares / minimum-norm answer.
    public var isLeastSquares: Bool {
        switch self {
        case .qr, .svd, .lsmr: return true
        default: return false
        }
    }

    /// The flag spelling (`lu`, `gmres`, …).
    public var description: String {
        switch self {
        case .lu: return "lu"
        case .cholesky: return "cholesky"
        case .qr: return "qr"
        case .svd: return "svd"
        case .gmres(let restart, _): return "gmres(restart: \(restart))"
        case .bicgstab: return "bicgstab"
        case .cg: return "cg"
        case .lsmr: return "lsmr"
        case .automatic: return "automatic"
        }
    }
}

/// The representation and solver that will be used, and why: the inspectable
/// result of the automatic choice.
///
/// The automatic rule, with `k` equations, `m` unknowns in `y` and the
/// threshold `t` (``ImplicitFunctionOptions/matrixThreshold``, default 250):
///
/// 1. Representation: `.matrix` when the conditions give `A` as a matrix, or
///    when `m ≤ t`; otherwise `.operator` (never form an `m × m` matrix).
/// 2. Solver on a matrix: `k ≠ m` → `.qr` (least squares / minimum norm);
///    `A` declared symmetric positive definite → `.cholesky`; otherwise `.lu`
///    (on the band alone when the materialized `A` is banded: order ≥ 32,
///    bandwidths ≤ m/4), and if LU finds `A` singular the solve falls back to `.svd` (minimum
///    norm), which the report records.
/// 3. Solver on an operator: `k ≠ m` → `.lsmr`; declared symmetric positive
///    definite → `.cg`; otherwise `.gmres` (restart 30).
///
/// How `t = 250` was chosen (the `crossover` suite of the benchmark
/// executable, `OPENBLAS_NUM_THREADS=1`, 2-core x86-64, November 2026; plot
/// and data in `docs/crossover.svg` / `docs/crossover.json`, discussion in
/// `docs/performance.md`): two families of generic conditions, dense
/// (`F = M y + tanh y − x` with `M * y` as one array operation) and banded (a
/// 1-D stencil with a cubic reaction, `≈ 11 m` tape nodes), both with a
/// Krylov iteration count that does not grow with `m` (GMRES needs 8–27
/// iterations to `‖r‖ ≤ 1e-10‖b‖`):
///
/// ```
///                    lazy / matrix time, linearize + products
///  m                  10     30     100    300    1000   3000
///  dense,  1 VJP     1.5    0.92   0.30   0.15   0.048  0.025
///  banded, 1 VJP     3.0    2.5    1.4    0.51   0.14   0.028
///  dense,  10 VJPs   7.9    4.3    1.7    0.71   0.32
///  banded, 10 VJPs   9.2   12     8.5    3.6    1.05
/// ```
///
/// For one product the lazy path wins from `m ≈ 25` (dense) and `m ≈ 150`
/// (banded); for ten products on one linearization (the factorization is
/// reused, the Krylov solve is not) from `m ≈ 190` (dense) and `m ≈ 1000`
/// (banded). The crossover moves with how the cost of `F` grows with `m`
/// and with the number of products — neither is known when the plan is
/// made, which is why the rule is a size threshold and not a cost model.
/// With `t = 250` the worst slowdown against the better path is about 6×
/// (dense, one product, `m` just below 250) and 4× the other way (banded,
/// ten products, `m` just above); `t = 200` would give 5× / 5×, a difference
/// inside the run-to-run noise. Raise `t` when many products share a
/// linearization or `A` is ill-conditioned (Krylov iterations grow); lower
/// it for one product on dense conditions.
public struct SolvePlan: Sendable, Equatable, CustomStringConvertible {
    /// The representation of `A` that will be used.
    public var representation: Representation
    /// The solver that will be used.
    public var solver: LinearSolver
    /// Why: which rule picked them.
    ///
    /// Spelled out on access: the plan is made on every derivative call and
    /// keeps only which rules fired (building the sentence cost about 6 000
    /// instructions a call, more than a 10 × 10 LU).
    public var reason: String {
        get { explanation.text }
        set { explanation = .text(newValue) }
    }
    /// The rules that fired, or a reason set by hand.
    var explanation: Explanation

    /// Which rule picked the representation (payloads: the numbers it compared).
    enum RepresentationRule: Sendable {
        case directSolver(LinearSolver), givesMatrices, small(m: Int, threshold: Int)
        case large(m: Int, threshold: Int), requested(Representation)
    }

    /// Which rule picked the solver.
    enum SolverRule: Sendable {
        case qr(k: Int, m: Int), cholesky, lu, lsmr(k: Int, m: Int), cg, gmres, requested(LinearSolver)
    }

    /// The reason, kept unformatted until read.
    enum Explanation: Sendable {
        case rules(RepresentationRule, SolverRule)
        case text(String)

        var text: String {
            switch self {
            case .text(let s): return s
            case .rules(let r, let s): return Self.sentence(r) + "; " + Self.sentence(s)
            }
        }

        static func sentence(_ rule: RepresentationRule) -> String {
            switch rule {
            case .directSolver(let solver): return "matrix because \(solver) is a direct solver"
            case .givesMatrices: return "matrix because the conditions give ∂F/∂y as a matrix"
            case .small(let m, let t): return "matrix because m = \(m) ≤ threshold \(t)"
            case .large(let m, let t): return "operator because m = \(m) > threshold \(t)"
            case .requested(let rep): return "\(rep) as requested"
            }
        }

        static func sentence(_ rule: SolverRule) -> String {
            switch rule {
            case .qr(let k, let m): return "qr because F has \(k) equations for \(m) unknowns"
            case .cholesky: return "cholesky because ∂F/∂y is declared SPD"
            case .lu: return "lu (square, falls back to svd if singular)"
            case .lsmr(let k, let m): return "lsmr because F has \(k) equations for \(m) unknowns"
            case .cg: return "cg because ∂F/∂y is declared SPD"
            case .gmres: return "gmres (square, no declared structure)"
            case .requested(let solver): return "\(solver) as requested"
            }
        }
    }

    init(representation: Representation, solver: LinearSolver, explanation: Explanation) {
        self.representation = representation
        self.solver = solver
        self.explanation = explanation
    }

    /// Plans are equal when they use the same representation and solver for the same reason.
    public static func == (a: SolvePlan, b: SolvePlan) -> Bool {
        a.representation == b.representation && a.solver == b.solver && a.reason == b.reason
    }

    /// Applies the automatic rule (see the type's documentation) to one side
    /// of the choice or both; explicit choices are kept as given.
    ///
    /// - Parameters:
    ///   - representation: the requested representation (`.automatic` to apply the rule).
    ///   - solver: the requested solver (`.automatic` to apply the rule).
    ///   - k: `rows`, the number of conditions.
    ///   - m: `unknowns`, the length of `y`.
    ///   - structure: the declared structure of `A` (unchecked).
    ///   - givesMatrices: the conditions supply `A` as a matrix.
    ///   - threshold: largest `m` materialized automatically.
    public static func choose(representation: Representation, solver: LinearSolver,
                              rows k: Int, unknowns m: Int, structure: OperatorStructure,
                              givesMatrices: Bool, threshold: Int) -> SolvePlan {
        var rep = representation
        let representationRule: RepresentationRule
        if rep == .automatic {
            if solver != .automatic && solver.isDirect {
                rep = .matrix
                representationRule = .directSolver(solver)
            } else if givesMatrices {
                rep = .matrix
                representationRule = .givesMatrices
            } else if m <= threshold {
                rep = .matrix
                representationRule = .small(m: m, threshold: threshold)
            } else {
                rep = .operator
                representationRule = .large(m: m, threshold: threshold)
            }
        } else {
            representationRule = .requested(rep)
        }
        let spd = structure.contains(.positiveDefinite)
        var chosen = solver
        let solverRule: SolverRule
        if chosen == .automatic {
            if rep == .matrix {
                if k != m { chosen = .qr; solverRule = .qr(k: k, m: m) }
                else if spd { chosen = .cholesky; solverRule = .cholesky }
                else { chosen = .lu; solverRule = .lu }
            } else {
                if k != m { chosen = .lsmr(); solverRule = .lsmr(k: k, m: m) }
                else if spd { chosen = .cg(); solverRule = .cg }
                else { chosen = .gmres(); solverRule = .gmres }
            }
        } else {
            solverRule = .requested(chosen)
        }
        return SolvePlan(representation: rep, solver: chosen, explanation: .rules(representationRule, solverRule))
    }

    /// One line: representation, solver, reason.
    public var description: String { "representation \(representation), solver \(solver): \(reason)" }
}
