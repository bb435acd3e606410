import Krylov

/// How `A = ∂F/∂y` is represented when derivatives are computed.
public enum Representation: String, Sendable, Hashable, CustomStringConvertible {
    /// Materialize `A` as a dense matrix (N-direction duals) and factor it once.
    case matrix
    /// Keep `A` lazy: only products `A v` and `Aᵀ u` (tape sweeps), solved by a Krylov method.
    case `operator`
    /// Let the library choose; see ``SolvePlan``.
    case automatic
    /// Build `A` as a ``SparseMatrix`` and factor it by its structure; chosen
    /// explicitly, or by the cost model of ``SolvePlan``.
    ///
    /// Generic conditions: one tape recording at `(x, y)`, the pattern of `A`
    /// from it, a column (or row) colouring, and `A` from one sweep per colour,
    /// never an `m × m` array. Conditions that give matrices: their `A`
    /// converted. Under the ``LinearSolver/automatic`` solver, the structure
    /// picks the factorization:
    ///
    /// ```
    /// diagonal                          → diagonal (one division per entry)
    /// band: m ≥ 32, 4(2kl + ku + 1) ≤ m → band LU
    /// symmetric (values, rel. 1e-6)     → sparse Cholesky (CHOLMOD); not positive definite → sparse LU
    /// otherwise                         → sparse LU (UMFPACK)
    /// k ≠ m                             → lsmr on the sparse matrix
    /// ```
    ///
    /// Conditions that give only products (hand-written products, finite
    /// differences) have no pattern: `.sparse` throws ``ImplicitDifferentiationError/invalidOption(_:)``.
    case sparse

    /// The flag spelling (`matrix`, `operator`, `automatic`, `sparse`).
    public var description: String { rawValue }
}

/// The linear solver for `A v = b` and `Aᵀ w = c`.
///
/// Each case is prepared once per linearization into a
/// `PreparedLinearSolve` (a factorization, or a `KrylovLinearSolve` on
/// `A` as an operator) that serves every JVP, VJP and Jacobian column.
/// Direct solvers need ``Representation/matrix``; Krylov methods work with
/// either representation (on a matrix they use BLAS products) and use the
/// implicit function's preconditioner and initial guess. Each Krylov
/// right-hand side is scaled to unit norm (by a power of two) before the
/// solve, so a method's tolerances bound the relative residual `‖r‖ / ‖b‖`
/// and derivatives are homogeneous in the direction at every scale.
public enum LinearSolver: Sendable, Equatable, CustomStringConvertible {
    /// LU with partial pivoting (`getrf`); square `A`; transposed solves reuse
    /// the factors. Runs on the band alone when `A` is banded (order ≥ 32,
    /// band with fill-in ≤ a quarter of the order), and the plan then says ``bandLU``.
    case lu
    /// LU on the band of `A` (`gbtrf`), bandwidths read from the materialized matrix.
    case bandLU
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
    /// Your own solver: prepared once per linearization on `A` (as an operator,
    /// and as a matrix under ``Representation/matrix``, which a method with
    /// `LinearSolveMethod/needsMatrix` gets by default).
    case custom(any LinearSolveMethod)

    /// `true` for the solvers that need `A` as a matrix (factorizations, and
    /// custom methods that say so).
    public var isDirect: Bool {
        switch self {
        case .lu, .bandLU, .cholesky, .qr, .svd: return true
        case .custom(let method): return method.needsMatrix
        default: return false
        }
    }

    /// `true` for solvers that return a least-squares / minimum-norm answer
    /// (a custom method says so through its prepared solve).
    public var isLeastSquares: Bool {
        switch self {
        case .qr, .svd, .lsmr: return true
        default: return false
        }
    }

    /// `true` for ``automatic`` (a pattern match: no value is built or compared).
    var isAutomatic: Bool {
        if case .automatic = self { return true }
        return false
    }

    /// Same case and options; custom methods are equal when their types and descriptions are.
    public static func == (a: LinearSolver, b: LinearSolver) -> Bool {
        switch (a, b) {
        case (.lu, .lu), (.bandLU, .bandLU), (.cholesky, .cholesky), (.qr, .qr), (.svd, .svd),
             (.automatic, .automatic): return true
        case let (.gmres(r1, o1), .gmres(r2, o2)): return r1 == r2 && o1 == o2
        case let (.bicgstab(o1), .bicgstab(o2)), let (.cg(o1), .cg(o2)), let (.lsmr(o1), .lsmr(o2)): return o1 == o2
        case let (.custom(m1), .custom(m2)):
            return ObjectIdentifier(type(of: m1)) == ObjectIdentifier(type(of: m2)) && m1.description == m2.description
        default: return false
        }
    }

    /// The flag spelling (`lu`, `gmres`, …).
    public var description: String {
        switch self {
        case .lu: return "lu"
        case .bandLU: return "band LU"
        case .cholesky: return "cholesky"
        case .qr: return "qr"
        case .svd: return "svd"
        case .gmres(let restart, _): return "gmres(restart: \(restart))"
        case .bicgstab: return "bicgstab"
        case .cg: return "cg"
        case .lsmr: return "lsmr"
        case .automatic: return "automatic"
        case .custom(let method): return "custom(\(method))"
        }
    }
}

/// The representation and solver that will be used, and why: the inspectable
/// result of the automatic choice.
///
/// The automatic rule, with `k` equations, `m` unknowns in `y`, `n` inputs
/// in `x`, and the threshold `t` (``ImplicitFunctionOptions/matrixThreshold``,
/// default 250). When both the representation and the solver are `.automatic`:
///
/// 1. **Cost model** — for generic conditions (recorded on the tape) with
///    `k = m > 16`: the pattern of `A` is detected from one recording (once
///    per implicit function and shape, then reused and verified at every new
///    point); when its pattern is sparse (at most a quarter of its entries
///    structurally non-zero) and its colours make the compressed sweeps
///    cheaper than the dense dual passes, the sparse candidates join (`A` is
///    compressed only when one of them wins, and symmetry then read from its
///    values). Each candidate's cost is estimated in plain evaluations of
///    `F` for the number of solves `P` the call will make — `jvp(at:)` and `vjp(at:)` one, `jacobian(at:)`
///    `min(m, n)`, a linearization or a plan `max(32, min(m, n))` — from a
///    timed evaluation of `F` and a timed tape sweep (taken once, cached with
///    the pattern) and the flops of the kernels:
///
///    ```
///    diagonal A                → diagonal          band (m ≥ 32, 4(2kl+ku+1) ≤ m) → band LU
///    A not diagonal            → sparse Cholesky (symmetric by value) or sparse LU,
///                                and IC(0)-CG (symmetric) or ILU(0)-GMRES on the sparse A,
///                                and Jacobi-CG (symmetric, with a condition bound from the values)
///    always                    → dense LU (dense Cholesky when declared SPD), and
///                                GMRES (CG when declared SPD) on the lazy operator
///    dense pattern             → dense LU (Cholesky) with A and B accumulated from
///                                the tape in one reverse pass, when that was timed
///    ```
///
///    The cheapest candidate that fits in ``ImplicitFunctionOptions/maxMatrixBytes``
///    runs; ``candidates`` lists them all with their costs, and ``reason`` says
///    `cost model for 1 product: GMRES on the lazy operator: est. 40 F (dense LU: est. 520 F)`.
///    The formulas and constants are in <doc:SolverSelection>. A sparse
///    Cholesky that finds `A` not positive definite becomes a sparse LU, and a
///    singular `A` takes the fallbacks below, each with a ``note``.
/// 2. **Size rule** — otherwise (explicit choices, `m ≤ 16`, `k ≠ m`,
///    hand-written products or matrices, finite differences):
///    representation `.matrix` when the conditions give `A` as a matrix, or
///    when `m ≤ t`, else `.operator` (never form an `m × m` matrix).
/// 3. Solver on a matrix: `k ≠ m` → `.qr` (least squares / minimum norm);
///    `A` declared symmetric positive definite → `.cholesky`; otherwise `.lu`
///    — ``LinearSolver/bandLU`` when the materialized `A` is banded (order
///    ≥ 32, band with pivoting fill-in `2kl + ku + 1` ≤ m/4) — and if LU
///    finds `A` singular (zero pivot, or reciprocal condition below
///    ``ImplicitFunctionOptions/minimumReciprocalCondition``) the solver
///    becomes `.svd` (minimum norm), with a ``note``.
/// 4. Solver on an operator: `k ≠ m` → `.lsmr`; declared symmetric positive
///    definite → `.cg`; otherwise `.gmres` (restart 30).
///
/// Krylov methods picked by the `.automatic` solver stop at a relative
/// residual of `1e-12` (`atol = rtol = 1e-12` on unit-scaled right-hand
/// sides) unless ``ImplicitFunctionOptions/krylovOptions`` was changed;
/// explicit Krylov choices keep their options.
///
/// ``Representation/sparse`` is chosen by the cost model or explicitly; when
/// requested with the `.automatic` solver, the plan says `.lu` (`.lsmr`
/// when `k ≠ m`) and the preparation picks the factorization from the
/// structure of `A` (diagonal, band LU, sparse Cholesky, sparse LU), named
/// in ``note``.
///
/// The threshold `t = 250` of the size rule comes from the `crossover`
/// benchmark suite (the measurements are in `docs/performance.md`): below it
/// the factorization, reused by every product, wins on dense and banded
/// conditions alike; above it the lazy operator avoids forming an `m × m`
/// matrix.
///
/// ``ImplicitFunction/plan(for:solution:byproduct:)`` prepares exactly what
/// a linearization prepares (materializes and factors `A` on the matrix
/// path), so the plan it returns — band LU and SVD fallback included — is
/// the one ``ImplicitLinearization/plan`` then reports. It plans for a
/// linearization (many products); `jvp(at:)` and `vjp(at:)` plan for one
/// product and may pick a Krylov method where this plan shows a factorization.
public struct SolvePlan: Sendable, Equatable, CustomStringConvertible {
    /// The representation of `A` that will be used.
    public var representation: Representation
    /// The solver that will be used.
    public var solver: LinearSolver
    /// What the preparation of `A` decided beyond the rule (a band LU, an
    /// SVD fallback, a rank deficiency), or `nil`; part of ``reason``.
    public var note: String?
    /// The candidates the cost model compared, cheapest first is not implied
    /// (they are in the model's order); empty when the plan came from the size
    /// rule or an explicit choice.
    public var candidates: [CandidateCost] = []
    /// Why: which rule picked them.
    ///
    /// Spelled out on access: the plan is made on every derivative call and
    /// keeps only which rules fired.
    public var reason: String {
        get { explanation.text + (note.map { "; " + $0 } ?? "") }
        set { explanation = .text(newValue); note = nil }
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
        case qr(k: Int, m: Int), cholesky, lu, lsmr(k: Int, m: Int), cg, gmres, requested(LinearSolver), structure
    }

    /// The reason, kept unformatted until read.
    enum Explanation: Sendable {
        case rules(RepresentationRule, SolverRule)
        case costModel(winner: CandidateCost, candidates: [CandidateCost], products: String)
        case text(String)

        var text: String {
            switch self {
            case .text(let s): return s
            case .rules(let r, let s): return Self.sentence(r) + "; " + Self.sentence(s)
            case .costModel(let winner, let candidates, let products):
                let others = candidates.filter { $0.kind != winner.kind }.map(\.description)
                return "cost model for \(products): \(winner)"
                    + (others.isEmpty ? "" : " (" + others.joined(separator: ", ") + ")")
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
            case .structure: return "factorization chosen by the structure of ∂F/∂y"
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
            if !solver.isAutomatic && solver.isDirect {
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
        if chosen.isAutomatic {
            if rep == .sparse {
                if k != m { chosen = .lsmr(); solverRule = .lsmr(k: k, m: m) }
                else { chosen = .lu; solverRule = .structure }
            } else if rep == .matrix {
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
