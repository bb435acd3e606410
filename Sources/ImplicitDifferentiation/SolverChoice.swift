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
///    `A` declared symmetric positive definite → `.cholesky`; otherwise `.lu`,
///    and if LU finds `A` singular the solve falls back to `.svd` (minimum
///    norm), which the report records.
/// 3. Solver on an operator: `k ≠ m` → `.lsmr`; declared symmetric positive
///    definite → `.cg`; otherwise `.gmres` (restart 30).
///
/// How `t = 250` was measured (the `crossover` suite of the benchmark
/// executable, `OPENBLAS_NUM_THREADS=1`, 2-core x86-64, November 2026; plot
/// and data in `docs/crossover.svg` / `docs/crossover.json`): two families of
/// generic conditions, dense (`F = M y + tanh y − x`, every `F_i` reads every
/// `y_j`, `m²` tape nodes) and banded (a 1-D stencil with a cubic reaction,
/// `≈ 11 m` nodes), both with a Krylov iteration count that does not grow
/// with `m` (GMRES needs 8–27 iterations to `‖r‖ ≤ 1e-10‖b‖`):
///
/// ```
///                    lazy / matrix time, linearize + products
///  m                  10     30     100    300    1000   3000
///  dense,  1 VJP     1.9    1.7    1.08   0.36   0.16   0.04
///  banded, 1 VJP     1.8    2.1    0.82   0.09   0.045  0.008
///  dense,  10 VJPs   8.6    6.8    4.8    2.9    1.06
///  banded, 10 VJPs   7.8    9.0   10.4    1.19   0.19
/// ```
///
/// For one product the lazy path wins from `m ≈ 100` in both families
/// (crossovers 108 dense, 78 banded); for ten products on one linearization
/// (the factorization is reused, the Krylov solve is not) from `m ≈ 340`
/// (banded) and `m ≈ 1000` (dense). The matrix path costs `⌈m/8⌉` dual passes
/// over `F` plus `m³/3` LU flops, the lazy path `k` tape sweeps per product,
/// so the node count of `F` cancels and the crossover is set by the number
/// of products and the iteration count `k` — neither is known when the plan
/// is made, which is why the rule is a size threshold and not a cost model.
/// `t = 250` sits between the two crossovers: the worst slowdown against the
/// better path is then about 4× either way (one product at `m ≈ 250`, ten
/// products just above it), where the former default 500 cost up to 10× for
/// one product and `t = 100` up to 10× for ten. Raise `t` when many products
/// share a linearization or `A` is ill-conditioned (Krylov iterations grow);
/// lower it for one product on well-conditioned conditions.
public struct SolvePlan: Sendable, Equatable, CustomStringConvertible {
    /// The representation of `A` that will be used.
    public var representation: Representation
    /// The solver that will be used.
    public var solver: LinearSolver
    /// Why: which rule picked them.
    public var reason: String

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
        var reasons: [String] = []
        var rep = representation
        if rep == .automatic {
            if solver != .automatic && solver.isDirect {
                rep = .matrix
                reasons.append("matrix because \(solver) is a direct solver")
            } else if givesMatrices {
                rep = .matrix
                reasons.append("matrix because the conditions give ∂F/∂y as a matrix")
            } else if m <= threshold {
                rep = .matrix
                reasons.append("matrix because m = \(m) ≤ threshold \(threshold)")
            } else {
                rep = .operator
                reasons.append("operator because m = \(m) > threshold \(threshold)")
            }
        } else {
            reasons.append("\(rep) as requested")
        }
        let spd = structure.contains(.positiveDefinite)
        var chosen = solver
        if chosen == .automatic {
            if rep == .matrix {
                if k != m { chosen = .qr; reasons.append("qr because F has \(k) equations for \(m) unknowns") }
                else if spd { chosen = .cholesky; reasons.append("cholesky because ∂F/∂y is declared SPD") }
                else { chosen = .lu; reasons.append("lu (square, falls back to svd if singular)") }
            } else {
                if k != m { chosen = .lsmr(); reasons.append("lsmr because F has \(k) equations for \(m) unknowns") }
                else if spd { chosen = .cg(); reasons.append("cg because ∂F/∂y is declared SPD") }
                else { chosen = .gmres(); reasons.append("gmres (square, no declared structure)") }
            }
        } else {
            reasons.append("\(chosen) as requested")
        }
        return SolvePlan(representation: rep, solver: chosen, reason: reasons.joined(separator: "; "))
    }

    /// One line: representation, solver, reason.
    public var description: String { "representation \(representation), solver \(solver): \(reason)" }
}
