import Krylov
import LinearAlgebra

/// A function `x ↦ y(x)` computed by a black-box forward solver and
/// differentiated through the conditions `F(x, y(x)) = 0` it satisfies, by
/// the implicit function theorem — the solver itself is never differentiated.
///
/// The invariant is `F(x, solver(x)) = 0`. With `A = ∂F/∂y` and `B = ∂F/∂x`:
///
/// ```
/// ẏ = −A⁻¹ (B ẋ)        x̄ = −Bᵀ (A⁻ᵀ ȳ)        J = −A⁻¹ B
/// ```
///
/// ```swift
/// let root = ImplicitFunction(
///     solver: { x in heron(x, iterations: 30) },   // any black box returning y
///     conditions: HeronConditions())               // F(x, y) = (y + x/y)/2 − y
/// let y  = try root(x)
/// let dy = try root.jvp(at: x, tangent: dx)
/// let xb = try root.vjp(at: x, cotangent: ybar)
/// let lin = try root.linearize(at: x)   // solve and factor once, then many products
/// ```
///
/// Every derivative first checks that the solver's output satisfies the
/// conditions (``ImplicitFunctionOptions/residualTolerance``) and throws a
/// typed ``ImplicitDifferentiationError`` rather than return a wrong number.
///
/// - `Arguments`: extra non-differentiated inputs handed to the solver at
///   each call (`Void` when there are none).
/// - `Byproduct`: what the solver hands to the conditions besides `y`
///   (`Void` when nothing); never differentiated.
public struct ImplicitFunction<Arguments: Sendable, Byproduct: Sendable>: Sendable {
    /// The forward solver in its general form: `(x, arguments) ↦ (y, z)`.
    public typealias ForwardSolver = @Sendable (_ x: [Double], _ arguments: Arguments) throws
        -> (y: [Double], byproduct: Byproduct)

    @usableFromInline let solver: ForwardSolver
    @usableFromInline let conditions: ConditionsModel<Byproduct>
    /// Failures of the non-throwing paths (generic evaluation, tape sweeps,
    /// the Swift `_Differentiation` bridge), recorded instead of thrown; see
    /// ``ImplicitDiagnostics``. Copies of this function share the log.
    public let diagnostics = ImplicitDiagnostics()
    /// How `A` is represented (default `.automatic`, see ``SolvePlan``).
    public var representation: Representation
    /// The linear solver (default `.automatic`, see ``SolvePlan``).
    public var linearSolver: LinearSolver
    /// Declared structure of `A = ∂F/∂y`, checked before Cholesky or CG runs: `.positiveDefinite`
    /// (with `.symmetric`) lets `.automatic` pick Cholesky or CG.
    public var structure: OperatorStructure
    /// Residual check, size threshold and singularity settings.
    public var options: ImplicitFunctionOptions

    @usableFromInline
    init(solver: @escaping ForwardSolver, model: ConditionsModel<Byproduct>, linearSolver: LinearSolver,
         representation: Representation, structure: OperatorStructure, options: ImplicitFunctionOptions) {
        self.solver = solver
        self.conditions = model
        self.linearSolver = linearSolver
        self.representation = representation
        self.structure = structure
        self.options = options
    }

    // MARK: - General initializers (arguments and byproduct)

    /// An implicit function whose solver takes extra arguments and returns a
    /// byproduct, with conditions generic over the AD scalar.
    ///
    /// - Parameters:
    ///   - solver: `(x, arguments) ↦ (y, z)`; any black box.
    ///   - conditions: `F(x, y, z)`, generic over the scalar.
    ///   - linearSolver: see ``LinearSolver``.
    ///   - representation: see ``Representation``.
    ///   - structure: declared structure of `∂F/∂y` (symmetry is checked before Cholesky or CG runs; see <doc:BadInput>).
    ///   - options: residual check and thresholds.
    @inlinable
    public init<C: ImplicitConditionsWithByproduct>(
        solver: @escaping ForwardSolver, conditions: C, linearSolver: LinearSolver = .automatic,
        representation: Representation = .automatic, structure: OperatorStructure = [],
        options: ImplicitFunctionOptions = .init()
    ) where C.Byproduct == Byproduct {
        self.init(solver: solver, model: ConditionsModel(generic: conditions), linearSolver: linearSolver,
                  representation: representation, structure: structure, options: options)
    }

    /// An implicit function with hand-written conditions (products or matrices).
    public init(solver: @escaping ForwardSolver, conditions: HandwrittenConditions<Byproduct>,
                linearSolver: LinearSolver = .automatic, representation: Representation = .automatic,
                structure: OperatorStructure = [], options: ImplicitFunctionOptions = .init()) {
        self.init(solver: solver, model: ConditionsModel(handwritten: conditions), linearSolver: linearSolver,
                  representation: representation, structure: structure, options: options)
    }

    /// An implicit function with Double-only conditions differentiated by
    /// central finite differences (chosen explicitly by this type).
    public init(solver: @escaping ForwardSolver, conditions: FiniteDifferenceConditions<Byproduct>,
                linearSolver: LinearSolver = .automatic, representation: Representation = .automatic,
                structure: OperatorStructure = [], options: ImplicitFunctionOptions = .init()) {
        self.init(solver: solver, model: ConditionsModel(finiteDifferences: conditions), linearSolver: linearSolver,
                  representation: representation, structure: structure, options: options)
    }

    // MARK: - Evaluation

    /// Runs the forward solver: `(y, z)` at `x`, with `x` and `y` checked finite.
    ///
    /// - Throws: `.nonFiniteInput`, `.nonFiniteSolution`, `.forwardSolverFailed`.
    public func solve(_ x: [Double], arguments: Arguments) throws(ImplicitDifferentiationError)
        -> (y: [Double], byproduct: Byproduct)
    {
        if let i = x.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteInput("x[\(i)] = \(x[i])")
        }
        let out: (y: [Double], byproduct: Byproduct)
        do { out = try solver(x, arguments) } catch { throw .forwardSolverFailed(error) }
        if let i = out.y.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteSolution(index: i) }
        return out
    }

    /// `y(x)`: the forward solver's output (no derivative, no residual check).
    public func callAsFunction(_ x: [Double], arguments: Arguments) throws(ImplicitDifferentiationError) -> [Double] {
        try solve(x, arguments: arguments).y
    }

    /// The representation and solver that derivatives at `x` would use, and why.
    /// Runs the forward solver once and evaluates `F` once.
    public func plan(for x: [Double], arguments: Arguments) throws(ImplicitDifferentiationError) -> SolvePlan {
        let (y, z) = try solve(x, arguments: arguments)
        let k = conditions.evaluate(x, y, z).count
        return try validatedPlan(k: k, m: y.count)
    }

    // MARK: - Derivatives

    /// Solves at `x`, checks the residual, prepares `A` once, and returns the
    /// object that serves JVPs, VJPs and the Jacobian from that preparation.
    ///
    /// - Throws: any ``ImplicitDifferentiationError`` of the forward solve,
    ///   the residual check, the plan, or the factorization.
    public func linearize(at x: [Double], arguments: Arguments) throws(ImplicitDifferentiationError)
        -> ImplicitLinearization<Byproduct>
    {
        let (y, z) = try solve(x, arguments: arguments)
        return try linearize(at: x, solution: y, byproduct: z)
    }

    /// Checks the residual at a known solution `(y, z)` of the conditions at
    /// `x`, prepares `A` once, and returns the linearization (no forward solve).
    func linearize(at x: [Double], solution y: [Double], byproduct z: Byproduct) throws(ImplicitDifferentiationError)
        -> ImplicitLinearization<Byproduct>
    {
        // At small m (one dual evaluation covers A) the residual and A come from
        // that one evaluation instead of a Double one followed by a dual one.
        let value: [Double]
        var prefetchedA: Matrix? = nil
        if y.count <= Self.prefetchLimit, representation != .operator,
           let both = conditions.valueAndJacobianY {
            (value, prefetchedA) = both(x, y, z)
        } else {
            value = conditions.evaluate(x, y, z)
        }
        let k = value.count, m = y.count
        let residualNorm = euclideanNorm(value)
        try options.residualTolerance.refuseNonFinite(residualNorm)
        var plan = try validatedPlan(k: k, m: m)
        let local = conditions.localize(x, y, z, value)
        try conditions.checkProducts(local, x, y, z)
        if plan.representation == .operator, local.differentiation == finiteDifferenceLabel {
            try MemoryBudget.require("∂F/∂y by finite differences (\(k) × \(m)), built for transposed products", [(k, m)],
                                     limit: options.maxMatrixBytes)
        }
        var report = DerivativeReport(
            plan: plan, residualNorm: residualNorm, residualBound: nil, differentiation: local.differentiation,
            factorizations: 0, reciprocalCondition: nil, rank: nil, note: nil, tangentSolves: 0,
            adjointSolves: 0, krylovIterations: 0, operatorApplications: 0, lastKrylovStatistics: nil)

        var matrix: Matrix? = nil
        if plan.representation == .matrix {
            let bytes = k.multipliedReportingOverflow(by: m).partialValue &* 8
            if k > 0 && m > 0 && (bytes / 8 / m != k || bytes > options.maxMatrixBytes) {
                throw .representationTooLarge(bytes: bytes, limit: options.maxMatrixBytes)
            }
            try MemoryBudget.require("∂F/∂y (\(k) × \(m)) with its \(plan.solver) factorization", MemoryBudget.factorizationShapes(
                plan.solver, automatic: linearSolver == .automatic, rows: k, columns: m), limit: options.maxMatrixBytes)
            let a = prefetchedA ?? local.matrixY()
            if let i = a.elements.firstIndex(where: { !$0.isFinite }) {
                throw .nonFiniteInput("∂F/∂y[\(i % max(k, 1)), \(i / max(k, 1))] = \(a.elements[i])")
            }
            matrix = a
        }
        report.residualBound = try options.residualTolerance.check(residualNorm: residualNorm) {
            () throws(ImplicitDifferentiationError) in try ResidualScale(local, x: x, y: y, a: matrix ?? prefetchedA) }
        let structureNote = try DeclaredStructureCheck.verify(
            plan.solver, automatic: linearSolver == .automatic, matrix: matrix, size: m,
            krylovOptions: options.krylovOptions, product: local.productY)
        if let structureNote { plan.solver = structureNote.solver; report.plan = plan; report.note = structureNote.note }

        let engine: ImplicitLinearization<Byproduct>.Engine
        if plan.solver.isDirect, let a = matrix {
            // Destructured once: each `f.field` of the tuple copied all of it.
            let (factorization, used, rcond, rank, note, fellBack) = try DenseFactorization.factor(
                a, solver: plan.solver, automatic: linearSolver == .automatic,
                minimumReciprocalCondition: options.minimumReciprocalCondition)
            engine = .dense(factorization, matrix: a)
            if used != plan.solver { plan.solver = used }
            report.plan = plan
            report.factorizations = 1
            report.reciprocalCondition = rcond
            report.rank = rank
            report.note = [structureNote?.note, note].compactMap { $0 }.joined(separator: "; ").nilIfEmpty
            let lin = ImplicitLinearization(x: x, solution: y, byproduct: z, plan: plan, structure: structure,
                                            local: local, engine: engine, report: report,
                                            maxMatrixBytes: options.maxMatrixBytes)
            if engine.isLeastSquares {
                // A least-squares derivative is only meaningful when every tangent
                // system A ẏ = −B ẋ is consistent; probe once with a fixed ẋ.
                let r = try lin.consistencyProbe()
                if !(r <= lin.consistencyTolerance) {
                    if fellBack { throw .singularJacobian(pivot: nil, reciprocalCondition: rcond) }
                    throw .inconsistentLinearization(relativeResidual: r)
                }
            }
            return lin
        }
        engine = .krylov(try krylovMethod(plan.solver), matrix: matrix)
        let lin = try checkedForKrylovSingularity(ImplicitLinearization(
            x: x, solution: y, byproduct: z, plan: plan, structure: structure, local: local, engine: engine,
            report: report, maxMatrixBytes: options.maxMatrixBytes))
        if lin.isLeastSquares {
            // LSMR returns a least-squares answer for any right-hand side: probe
            // consistency once here, as the dense least-squares path does, so
            // that a VJP (which never sees a tangent residual) cannot return a number.
            let r = try lin.consistencyProbe()
            if !(r <= lin.consistencyTolerance) { throw .inconsistentLinearization(relativeResidual: r) }
        }
        return lin
    }

    /// The Jacobian-vector product `J ẋ = −A⁻¹(B ẋ)` at `x`.
    public func jvp(at x: [Double], arguments: Arguments, tangent: [Double]) throws(ImplicitDifferentiationError)
        -> [Double]
    {
        try linearize(at: x, arguments: arguments).jvp(tangent)
    }

    /// The vector-Jacobian product `Jᵀ ȳ = −Bᵀ(A⁻ᵀ ȳ)` at `x`.
    public func vjp(at x: [Double], arguments: Arguments, cotangent: [Double]) throws(ImplicitDifferentiationError)
        -> [Double]
    {
        try linearize(at: x, arguments: arguments).vjp(cotangent)
    }

    /// The Jacobian `J = −A⁻¹B` (`m × n`) at `x`.
    public func jacobian(at x: [Double], arguments: Arguments) throws(ImplicitDifferentiationError) -> Matrix {
        try linearize(at: x, arguments: arguments).jacobian()
    }

    /// Largest `m` for which ``linearize(at:solution:byproduct:)`` takes the
    /// residual and `A` from one evaluation on duals (`DualN<16>`).
    static var prefetchLimit: Int { 16 }

    // MARK: - Plan validation

    func validatedPlan(k: Int, m: Int) throws(ImplicitDifferentiationError) -> SolvePlan {
        try options.validate()
        if k < m {
            throw .dimensionMismatch("F has \(k) equations for \(m) unknowns in y: fewer conditions than unknowns "
                + "cannot determine the derivative")
        }
        if representation == .operator && linearSolver.isDirect {
            throw .invalidOption("\(linearSolver) needs representation .matrix (or .automatic), not .operator")
        }
        let plan = SolvePlan.choose(representation: representation, solver: linearSolver, rows: k, unknowns: m,
                                    structure: structure, givesMatrices: conditions.givesMatrices,
                                    threshold: options.matrixThreshold)
            .withKrylovOptions(options.krylovOptions)
        if k != m && !plan.solver.isLeastSquares {
            throw .dimensionMismatch("F has \(k) equations for \(m) unknowns; \(plan.solver) needs a square ∂F/∂y, "
                + "use .qr, .svd or .lsmr() for least squares")
        }
        return plan
    }

    func krylovMethod(_ solver: LinearSolver) throws(ImplicitDifferentiationError) -> any KrylovSolver {
        switch solver {
        case .gmres(let restart, let o):
            do { return try GMRES(restart: restart, options: o) } catch { throw .invalidOption(error.description) }
        case .bicgstab(let o): return BiCGStab(options: o)
        case .cg(let o): return ConjugateGradient(options: o)
        case .lsmr(let o): return LSMR(options: o)
        default: throw .invalidOption("\(solver) is not a Krylov method")
        }
    }
}
