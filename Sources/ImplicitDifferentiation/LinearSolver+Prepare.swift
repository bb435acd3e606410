import Krylov
import LinearAlgebra

/// A solver prepared for one linearization, and what its preparation decided.
struct PreparedChoice {
    /// The prepared solver that serves every product.
    let prepared: any PreparedLinearSolve
    /// The solver that actually runs (`.bandLU` for a banded `A` under `.lu`,
    /// `.svd` after the automatic fallback).
    let used: LinearSolver
    /// What happened beyond the rule, for the plan and the report.
    let note: String?
    /// `true` when `.automatic` fell back from LU to SVD.
    let fellBack: Bool
    /// The reciprocal condition estimate, when the preparation computed one.
    var reciprocalCondition: Double? = nil
    /// The rank, when the preparation knows it.
    var rank: Int? = nil
    /// The Krylov singularity probe's solve, when it ran (`nil` when it was off, not applicable,
    /// or skipped because ``NonsingularityCertificate`` proved `A` nonsingular).
    var probe: KrylovStatistics? = nil
    /// `true` when ``reciprocalCondition`` is a certified lower bound (band LU,
    /// diagonal dominance) and the estimate was not computed.
    var reciprocalConditionIsLowerBound = false
}

/// How the implicit layer prepares `PreparedLinearSolve` values for `A`.
struct SolverSettings: Sendable {
    /// The user asked for `.automatic` (allows the LU → SVD fallback).
    let automatic: Bool
    /// LU and Cholesky below this reciprocal condition count as singular.
    let minimumReciprocalCondition: Double
    /// Builds the Krylov preconditioner from `A`, or `nil`.
    let preconditioner: PreconditionerFactory?
    /// Where Krylov solves start.
    let initialGuess: KrylovInitialGuess
    /// The options of the Krylov methods the checks fall back to (GMRES for a
    /// CG on a non-SPD `A`, LSMR for a square method on a singular `A`).
    let krylovOptions: KrylovOptions
    /// Run ``KrylovSingularityProbe`` when preparing GMRES, BiCGStab or CG.
    let probesKrylovSingularity: Bool
    /// What the cost model read from the values of the sparse `A` the system holds, when it did:
    /// its certificate then spares the recomputation, and a symmetric positive definite `A` CG's probe.
    var facts: SparseValueFacts? = nil
    /// Why `A` is known nonsingular when its proof came from elsewhere (the Gershgorin discs of an
    /// accumulated dense `A`): the Krylov singularity probe is then skipped, with this reason in the note.
    var nonsingularBecause: String? = nil
}

extension LinearSolver {
    /// Prepares this (already planned, never `.automatic`) solver for `system`,
    /// applying the singularity and structure rules of ``SolvePlan``:
    ///
    /// ```
    /// lu          on the band when A is banded; singular → svd (automatic) or singularJacobian
    /// cholesky    A not symmetric, or not positive definite → lu (automatic, its own rules)
    ///             or structureNotAsDeclared / notPositiveDefinite
    /// qr          rank deficient → svd
    /// cg          SymmetryProbe: not symmetric or ⟨v, A v⟩ ≤ 0 → gmres (automatic) or structureNotAsDeclared
    /// gmres, bicgstab, cg
    ///             KrylovSingularityProbe (when enabled): A singular → lsmr (automatic) or singularJacobian
    /// ```
    ///
    /// Every fallback is named in the choice's note, so the plan and the report
    /// say what really runs.
    func prepare(_ system: LinearSystem, settings: SolverSettings) throws(ImplicitDifferentiationError)
        -> PreparedChoice
    {
        switch self {
        case .lu, .bandLU:
            guard let a = system.matrix else { throw Self.needsMatrix(self) }
            guard a.isSquare else {
                throw .dimensionMismatch("LU needs as many equations as unknowns, F has \(a.rows) for \(a.columns); use .qr")
            }
            // The same singularity rules whether the LU runs on the band or the whole matrix.
            let factored: any PreparedLinearSolve, rcond: Double, used: LinearSolver
            var isBound = false
            do {
                let band: (lower: Int, upper: Int)?
                if case .bandLU = self { band = BandLUFactorization.bandwidths(of: a) } else { band = Self.bandedShape(a) }
                if let band {
                    let f = try BandLUFactorization(a, lowerBandwidth: band.lower, upperBandwidth: band.upper)
                    let r = f.reciprocalCondition(testedAgainst: settings.minimumReciprocalCondition)
                    (factored, rcond, used, isBound) = (f, r.value, .bandLU, r.isLowerBound)
                } else {
                    let f = try LUFactorization(a)
                    (factored, rcond, used) = (f, f.reciprocalCondition, .lu)
                }
            } catch .singular(let pivot) {
                if settings.automatic {
                    return try Self.svd(a, note: "LU found ∂F/∂y singular (zero pivot at \(pivot)); used svd",
                                        fellBack: true)
                }
                throw .singularJacobian(pivot: pivot, reciprocalCondition: nil)
            } catch {
                throw .linearAlgebra(error)
            }
            if !(rcond >= settings.minimumReciprocalCondition) {
                if settings.automatic {
                    return try Self.svd(a, note: "LU found ∂F/∂y numerically singular (rcond ≈ \(rcond)); used svd",
                                        fellBack: true)
                }
                throw .singularJacobian(pivot: nil, reciprocalCondition: rcond)
            }
            var note: String? = nil
            if case .bandLU = used { note = factored.counters.kind + " because ∂F/∂y is banded" }
            return PreparedChoice(prepared: factored, used: used, note: note, fellBack: false,
                                  reciprocalCondition: rcond, rank: a.rows, reciprocalConditionIsLowerBound: isBound)
        case .cholesky:
            guard let a = system.matrix else { throw Self.needsMatrix(self) }
            guard a.isSquare else {
                throw .dimensionMismatch("Cholesky needs a square ∂F/∂y, F has \(a.rows) equations for \(a.columns) unknowns")
            }
            if let problem = DeclaredStructureCheck.asymmetry(of: a) {
                return try Self.lu.fallback(from: self, because: problem, system, settings)
            }
            let f: CholeskyFactorization
            do {
                f = try CholeskyFactorization(a)
            } catch .notPositiveDefinite(let minor) {
                if settings.automatic {
                    return try Self.lu.fallback(from: self, because: "its leading minor of order \(minor) is not positive",
                                                system, settings)
                }
                throw .notPositiveDefinite(minor: minor)
            } catch {
                throw .linearAlgebra(error)
            }
            if !(f.reciprocalCondition >= settings.minimumReciprocalCondition) {
                throw .singularJacobian(pivot: nil, reciprocalCondition: f.reciprocalCondition)
            }
            return PreparedChoice(prepared: f, used: .cholesky, note: nil, fellBack: false,
                                  reciprocalCondition: f.reciprocalCondition, rank: a.rows)
        case .qr:
            guard let a = system.matrix else { throw Self.needsMatrix(self) }
            do {
                return PreparedChoice(prepared: try QRFactorization(a), used: .qr, note: nil, fellBack: false,
                                      rank: min(a.rows, a.columns))
            } catch .rankDeficient(let rank, _) {
                return try Self.svd(a, note: "QR found ∂F/∂y rank deficient (rank \(rank)); used svd", fellBack: false)
            } catch {
                throw .linearAlgebra(error)
            }
        case .svd:
            guard let a = system.matrix else { throw Self.needsMatrix(self) }
            return try Self.svd(a, note: nil, fellBack: false)
        case .gmres, .bicgstab, .cg, .lsmr:
            if case .cg = self, settings.facts?.symmetricPositiveDefinite != true,
               let problem = DeclaredStructureCheck.cgProblem(system) {
                return try Self.gmres(options: settings.krylovOptions).fallback(from: self, because: problem, system, settings)
            }
            let method = try krylovMethod()
            let built = try settings.preconditioner?.build(system)
            let preconditioner = built?.preconditioner
            let solve = KrylovLinearSolve(system.linearOperator, method: method, preconditioner: preconditioner,
                                          initialGuess: settings.initialGuess)
            var notes = built?.note.map { [$0] } ?? []
            var probeStatistics: KrylovStatistics? = nil
            if settings.probesKrylovSingularity, !solve.isLeastSquares {
                let certificate = settings.facts.map { $0.certificate }
                    ?? (system.linearOperator as? SparseMatrixOperator).flatMap { NonsingularityCertificate($0.matrix) }
                if let reason = settings.nonsingularBecause {
                    notes.append("singularity probe skipped: \(reason)")
                } else if let certificate {
                    notes.append("singularity probe skipped: \(certificate.description)")
                } else if let probe = try KrylovSingularityProbe(system, method: try probeVariant().krylovMethod(),
                                                                 preconditioner: preconditioner) {
                    probeStatistics = probe.statistics
                    if probe.isSingular {
                        guard settings.automatic else { throw .singularJacobian(pivot: nil, reciprocalCondition: nil) }
                        let lsmr = try Self.lsmr(options: settings.krylovOptions).prepare(system, settings: settings)
                        let note = "\(self) found ∂F/∂y singular (probe defect \(probe.defect)); used lsmr for the "
                            + "minimum-norm derivative"
                        return PreparedChoice(prepared: lsmr.prepared, used: lsmr.used, note: note, fellBack: false,
                                              probe: probeStatistics)
                    }
                }
            }
            return PreparedChoice(prepared: solve, used: self, note: notes.isEmpty ? nil : notes.joined(separator: "; "),
                                  fellBack: false, probe: probeStatistics)
        case .custom(let method):
            do {
                let prepared = try method.prepare(system)
                let summary = prepared.summary
                return PreparedChoice(prepared: prepared, used: self, note: summary.note, fellBack: false,
                                      reciprocalCondition: summary.reciprocalCondition, rank: summary.rank)
            } catch .singular(let pivot) {
                throw .singularJacobian(pivot: pivot, reciprocalCondition: nil)
            } catch {
                throw .linearAlgebra(error)
            }
        case .automatic:
            throw .invalidOption("the automatic choice is resolved by the plan before preparation")
        }
    }

    /// This solver prepared instead of `declared`, whose assumption about `A`
    /// failed (`problem`), under `.automatic`; otherwise the failure as
    /// ``ImplicitDifferentiationError/structureNotAsDeclared(_:)``.
    func fallback(from declared: LinearSolver, because problem: String, _ system: LinearSystem,
                  _ settings: SolverSettings) throws(ImplicitDifferentiationError) -> PreparedChoice
    {
        guard settings.automatic else {
            throw .structureNotAsDeclared("\(problem) but \(declared) needs a symmetric positive definite ∂F/∂y")
        }
        var choice = try prepare(system, settings: settings)
        let note = "∂F/∂y was declared symmetric positive definite but \(problem); used \(choice.used)"
        choice = PreparedChoice(prepared: choice.prepared, used: choice.used,
                                note: [note, choice.note].compactMap { $0 }.joined(separator: "; "),
                                fellBack: choice.fellBack, reciprocalCondition: choice.reciprocalCondition,
                                rank: choice.rank, probe: choice.probe,
                                reciprocalConditionIsLowerBound: choice.reciprocalConditionIsLowerBound)
        return choice
    }

    /// The SVD pseudo-inverse, with a note when `A` is rank deficient.
    static func svd(_ a: Matrix, note: String?, fellBack: Bool) throws(ImplicitDifferentiationError) -> PreparedChoice {
        let f: SVDFactorization
        do { f = try SVDFactorization(a) } catch { throw .linearAlgebra(error) }
        var n = note
        if f.rank < min(a.rows, a.columns) {
            n = (n.map { $0 + "; " } ?? "")
                + "∂F/∂y has rank \(f.rank) < \(min(a.rows, a.columns)): the minimum-norm derivative is returned"
        }
        return PreparedChoice(prepared: f, used: .svd, note: n, fellBack: fellBack,
                              reciprocalCondition: f.reciprocalCondition, rank: f.rank)
    }

    static func needsMatrix(_ solver: LinearSolver) -> ImplicitDifferentiationError {
        .invalidOption("\(solver) needs representation .matrix (or .automatic), not .operator")
    }

    /// This Krylov case with the singularity probe's tolerances
    /// (``KrylovSingularityProbe/options(from:)``).
    func probeVariant() -> LinearSolver {
        switch self {
        case .gmres(let restart, let o): return .gmres(restart: restart, options: KrylovSingularityProbe.options(from: o))
        case .bicgstab(let o): return .bicgstab(options: KrylovSingularityProbe.options(from: o))
        case .cg(let o): return .cg(options: KrylovSingularityProbe.options(from: o))
        case .lsmr(let o): return .lsmr(options: KrylovSingularityProbe.options(from: o))
        default: return self
        }
    }

    /// The Krylov method of a Krylov case.
    func krylovMethod() throws(ImplicitDifferentiationError) -> any KrylovSolver {
        switch self {
        case .gmres(let restart, let o):
            do { return try GMRES(restart: restart, options: o) } catch { throw .invalidOption(error.description) }
        case .bicgstab(let o): return BiCGStab(options: o)
        case .cg(let o): return ConjugateGradient(options: o)
        case .lsmr(let o): return LSMR(options: o)
        default: throw .invalidOption("\(self) is not a Krylov method")
        }
    }

    /// The bandwidths of `a` when a band LU is worth it (``worthBandLU(order:_:)``),
    /// else `nil`; the scan for the bandwidths costs `O(n²)` comparisons.
    static func bandedShape(_ a: Matrix) -> (lower: Int, upper: Int)? {
        a.rows >= 32 ? worthBandLU(order: a.rows, BandLUFactorization.bandwidths(of: a)) : nil
    }

    /// `band` when a band LU on a square matrix of this order is worth it,
    /// else `nil`: order at least 32 and a band (with pivoting's fill-in,
    /// `2kl + ku + 1` rows) at most a quarter of the order. The band LU costs
    /// about `2n·kl(kl + ku)` flops against `2n³/3`. The one rule of the dense
    /// path, the sparse path and the cost model.
    static func worthBandLU(order n: Int, _ band: (lower: Int, upper: Int)) -> (lower: Int, upper: Int)? {
        n >= 32 && 4 * (2 * band.lower + band.upper + 1) <= n ? band : nil
    }
}

/// Builds the Krylov preconditioner of a linearization from its `A`.
///
/// The factory receives `A` as an operator, and as a matrix when the
/// representation materialized it, so it can build e.g. a Jacobi or an
/// incomplete factorization preconditioner. Its `M⁻¹ ≈ A⁻¹` is applied as
/// is in tangent solves and as `M⁻ᵀ` in adjoint (transposed) solves. Direct
/// solvers ignore it.
///
/// ```swift
/// root.preconditioner = PreconditionerFactory { system in
///     system.matrix.flatMap { try? JacobiPreconditioner($0) }
/// }
/// ```
public struct PreconditionerFactory: Sendable {
    /// `A ↦ (M⁻¹, what happened while building it)`.
    let make: @Sendable (LinearSystem) -> (preconditioner: (any Preconditioner & Sendable)?, note: String?)

    /// A factory.
    ///
    /// - Parameter make: `A ↦ M⁻¹`, or `nil` for no preconditioner at this linearization.
    public init(_ make: @escaping @Sendable (LinearSystem) -> (any Preconditioner & Sendable)?) {
        self.make = { (make($0), nil) }
    }

    /// A factory that also says what it did (a shift, a fallback), for the plan's note.
    init(noting make: @escaping @Sendable (LinearSystem) -> (preconditioner: (any Preconditioner & Sendable)?,
                                                            note: String?)) {
        self.make = make
    }

    /// The preconditioner for `system`, checked against its order.
    ///
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)`` when the preconditioner
    ///   says its order (``Preconditioner/order``) and it is not `A`'s.
    func build(_ system: LinearSystem) throws(ImplicitDifferentiationError)
        -> (preconditioner: (any Preconditioner & Sendable)?, note: String?)
    {
        let built = make(system)
        if let order = built.preconditioner?.order, order != system.rows || order != system.columns {
            throw .dimensionMismatch("the preconditioner factory returned a preconditioner of order \(order) "
                + "for ∂F/∂y of \(system.rows) × \(system.columns); build it from the system it is given")
        }
        return built
    }

    /// The same preconditioner at every linearization.
    ///
    /// - Parameter preconditioner: `M⁻¹`.
    /// - Returns: a factory returning it.
    public static func fixed(_ preconditioner: any Preconditioner & Sendable) -> PreconditionerFactory {
        PreconditionerFactory { _ in preconditioner }
    }
}

/// The automatic choice as a solver of its own, for a `LinearSystem` you
/// hold directly (an implicit function's `.automatic` applies the same rule
/// through its plan).
///
/// The decision, in order (``SolvePlan`` documents the representation rule):
///
/// ```
/// A as a matrix:    k ≠ m → qr;  declared SPD → cholesky;
///                   else lu — bandLU when A is banded (order ≥ 32, 4(2kl + ku + 1) ≤ m),
///                   svd when LU finds A singular (zero pivot or rcond < minimum)
/// A as an operator: k ≠ m → lsmr; declared SPD → cg; else gmres (restart 30)
/// ```
///
/// ``select(_:)`` gives the rule's pick before anything is factored;
/// ``decide(_:)`` prepares it and returns the plan that really runs (band,
/// fallback) with the prepared solver. The preparation checks what the pick
/// assumes, as an implicit function's does: a declared SPD `A` that is not
/// symmetric (or not positive definite) falls back to LU or GMRES, and a
/// square Krylov method on a singular `A` to LSMR, found by one extra Krylov
/// solve (`A w = A u`) at preparation.
public struct AutomaticLinearSolver: LinearSolveMethod {
    /// LU and Cholesky below this reciprocal condition count as singular.
    public var minimumReciprocalCondition: Double
    /// The options of the Krylov method the rule picks.
    public var krylovOptions: KrylovOptions
    /// The Krylov preconditioner built from `A`, or `nil`.
    public var preconditioner: PreconditionerFactory?
    /// Where Krylov solves start.
    public var initialGuess: KrylovInitialGuess

    /// The automatic solver.
    ///
    /// - Parameters:
    ///   - minimumReciprocalCondition: in `[0, 1)` (checked by ``decide(_:)``,
    ///     `.invalidOption` otherwise); default `100 ε`.
    ///   - krylovOptions: for the Krylov method on an operator.
    ///   - preconditioner: for the Krylov method, or `nil`.
    ///   - initialGuess: for the Krylov method.
    public init(minimumReciprocalCondition: Double = 100 * Double.ulpOfOne, krylovOptions: KrylovOptions = .default,
                preconditioner: PreconditionerFactory? = nil, initialGuess: KrylovInitialGuess = .zero) {
        self.minimumReciprocalCondition = minimumReciprocalCondition
        self.krylovOptions = krylovOptions
        self.preconditioner = preconditioner
        self.initialGuess = initialGuess
    }

    /// `automatic`.
    public var description: String { "automatic" }

    /// The rule's pick for `system` before preparation (a matrix → direct, an operator alone → Krylov).
    ///
    /// - Parameter system: `A`.
    /// - Returns: the plan of the rule, before the band and SVD decisions.
    public func select(_ system: LinearSystem) -> SolvePlan {
        SolvePlan.choose(representation: system.matrix == nil ? .operator : .matrix, solver: .automatic,
                         rows: system.rows, unknowns: system.columns, structure: system.structure,
                         givesMatrices: system.matrix != nil, threshold: .max)
            .withKrylovOptions(krylovOptions)
    }

    /// Prepares the rule's pick and says what runs.
    ///
    /// - Parameter system: `A`.
    /// - Returns: the plan that runs (``SolvePlan/solver`` `.bandLU` or `.svd`
    ///   when those decisions were taken, with a ``SolvePlan/note``) and the prepared solver.
    /// - Throws: ``ImplicitDifferentiationError`` from the preparation.
    public func decide(_ system: LinearSystem) throws(ImplicitDifferentiationError)
        -> (plan: SolvePlan, solver: any PreparedLinearSolve)
    {
        var plan = select(system)
        guard minimumReciprocalCondition >= 0 && minimumReciprocalCondition < 1 else {   // NaN fails
            throw .invalidOption("AutomaticLinearSolver: minimumReciprocalCondition is \(minimumReciprocalCondition); "
                + "it must be in [0, 1)")
        }
        let choice = try plan.solver.prepare(system, settings: SolverSettings(
            automatic: true, minimumReciprocalCondition: minimumReciprocalCondition,
            preconditioner: preconditioner, initialGuess: initialGuess, krylovOptions: krylovOptions,
            probesKrylovSingularity: true))
        plan.solver = choice.used
        plan.note = choice.note
        return (plan, choice.prepared)
    }

    /// ``decide(_:)`` as a `LinearSolveMethod`: the prepared solver alone.
    ///
    /// - Throws: the preparation's `LinearAlgebraError`; a singular `∂F/∂y`
    ///   that no fallback could handle as `.singular` (its pivot, 0 when only the
    ///   condition estimate was too small), a singularity probe solve that did not
    ///   converge as `.notConverged`, other implicit-layer errors as
    ///   `.invalidArgument` with their description.
    public func prepare(_ system: LinearSystem) throws(LinearAlgebraError) -> any PreparedLinearSolve {
        do {
            return try decide(system).solver
        } catch {
            switch error {
            case .linearAlgebra(let e): throw e
            case .singularJacobian(let pivot, _): throw .singular(pivot: pivot ?? 0)
            case .notPositiveDefinite(let minor): throw .notPositiveDefinite(minor: minor)
            case .dimensionMismatch(let what): throw .dimensionMismatch(what)
            case .krylovNotConverged(let statistics, _): throw .notConverged(statistics)
            default: throw .invalidArgument(error.description)
            }
        }
    }
}
