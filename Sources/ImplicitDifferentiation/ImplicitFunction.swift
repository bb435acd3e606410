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
    /// The structure of `A` detected by the automatic plan, per shape; shared by copies.
    @usableFromInline let structureCache = StructureCache()
    /// How `A` is represented (default `.automatic`, see ``SolvePlan``).
    public var representation: Representation
    /// The linear solver (default `.automatic`, see ``SolvePlan``).
    public var linearSolver: LinearSolver
    /// Declared structure of `A = ∂F/∂y`, checked before Cholesky or CG runs: `.positiveDefinite`
    /// (with `.symmetric`) lets `.automatic` pick Cholesky or CG.
    public var structure: OperatorStructure
    /// Residual check, size threshold and singularity settings.
    public var options: ImplicitFunctionOptions
    /// Builds the Krylov preconditioner from each linearization's `A`
    /// (applied as `M⁻ᵀ` in adjoint solves); `nil` for none. Direct solvers ignore it.
    public var preconditioner: PreconditionerFactory? = nil
    /// Where Krylov solves start: `.zero` (default), `.warmStart()` (the
    /// previous converged solution of the same direction, shared by copies
    /// of this function), or `.custom { … }`.
    public var initialGuess: KrylovInitialGuess = .zero

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

    /// The representation and solver that derivatives at `x` will use, and why.
    /// Runs the forward solver once, then ``plan(for:solution:byproduct:)``.
    ///
    /// - Throws: as ``linearize(at:arguments:)``.
    public func plan(for x: [Double], arguments: Arguments) throws(ImplicitDifferentiationError) -> SolvePlan {
        let (y, z) = try solve(x, arguments: arguments)
        return try plan(for: x, solution: y, byproduct: z)
    }

    /// The plan at a known solution `(y, z)`, without running the forward solver.
    ///
    /// It prepares what ``linearize(at:solution:byproduct:)`` prepares (on the
    /// matrix path it materializes and factors `A`; on the operator path it
    /// runs the structure and singularity checks of a Krylov method, one
    /// extra Krylov solve), so the plan is exactly the one the linearization
    /// then uses: the band LU, the LU → SVD fallback, a false SPD declaration's
    /// LU or GMRES and a singular `A`'s LSMR included.
    ///
    /// - Throws: as ``linearize(at:solution:byproduct:)``.
    public func plan(for x: [Double], solution y: [Double], byproduct z: Byproduct)
        throws(ImplicitDifferentiationError) -> SolvePlan
    {
        try linearize(at: x, solution: y, byproduct: z).plan
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
        try linearize(at: x, arguments: arguments, expecting: .many)
    }

    /// ``linearize(at:arguments:)`` for a call that will make `products` solves (the cost model's `P`).
    func linearize(at x: [Double], arguments: Arguments, expecting products: ExpectedProducts)
        throws(ImplicitDifferentiationError) -> ImplicitLinearization<Byproduct>
    {
        let (y, z) = try solve(x, arguments: arguments)
        return try linearize(at: x, solution: y, byproduct: z, expecting: products)
    }

    /// Linearizes at a solution `(y, z)` you already have (no forward solve):
    /// checks `x` and `y` finite and the residual `‖F(x, y, z)‖` against
    /// ``ImplicitFunctionOptions/residualTolerance``, plans, prepares `A` once.
    ///
    /// ```swift
    /// let lin = try root.linearize(at: x, solution: yKnown, byproduct: ())
    /// let xbar = try lin.vjp(ybar)
    /// ```
    ///
    /// - Parameters:
    ///   - x: the input, finite.
    ///   - y: a solution of `F(x, y, z) = 0`, finite.
    ///   - z: the byproduct that goes with it (`()` when there is none).
    /// - Returns: the linearization.
    /// - Throws: `.nonFiniteInput`, `.nonFiniteSolution`, `.residualTooLarge`,
    ///   and any error of the plan or the preparation of `A`.
    public func linearize(at x: [Double], solution y: [Double], byproduct z: Byproduct)
        throws(ImplicitDifferentiationError) -> ImplicitLinearization<Byproduct>
    {
        try linearize(at: x, solution: y, byproduct: z, expecting: .many)
    }

    /// ``linearize(at:solution:byproduct:)`` for a call that will make `products` solves.
    func linearize(at x: [Double], solution y: [Double], byproduct z: Byproduct, expecting products: ExpectedProducts)
        throws(ImplicitDifferentiationError) -> ImplicitLinearization<Byproduct>
    {
        if let i = x.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteInput("x[\(i)] = \(x[i])") }
        if let i = y.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteSolution(index: i) }
        // At small m (one dual evaluation covers A) the residual and A come from
        // that one evaluation instead of a Double one followed by a dual one.
        // With a cached structure, the value, A and B come from one tape-free evaluation on dual lanes.
        let value: [Double]
        var prefetchedA: Matrix? = nil
        var tapeFree: TapeFreeLinearization? = nil, nonFiniteEntry: String? = nil, redetect: String? = nil
        var recordedLocal: LocalConditions? = nil
        switch tapeFreeStart(x: x, y: y, z: z, products: products) {
        case .evaluated(let t)?: (value, tapeFree) = (t.value, t)
        case .nonFinite(let v, let entry)?: (value, nonFiniteEntry) = (v, entry)
        case .mismatch(let why)?:
            value = conditions.evaluate(x, y, z)
            redetect = why
        case .outputCount(let what, let rows)?:
            value = conditions.evaluate(x, y, z)
            // The returning form agrees with the pattern: the in-place form wrote another length.
            if value.count == rows {
                throw .dimensionMismatch("the in-place form of the conditions (evaluate(x:y:into:)) on dual numbers "
                                         + "wrote the wrong length (\(what)); the returning form gives \(rows) values")
            }
            redetect = "the conditions now give \(value.count) values, the cached pattern \(rows) rows; detected again"
        case nil:
            if y.count <= Self.prefetchLimit, representation != .operator, representation != .sparse,
               let both = conditions.valueAndJacobianY {
                (value, prefetchedA) = both(x, y, z)
            } else if let nodes = accumulationExpected(m: y.count, n: x.count),
                      let record = conditions.recordedLocalize {
                // A and B will come from a recording: F's value is read from it, not evaluated apart.
                let local = record(x, y, z, nodes)
                (value, recordedLocal) = (local.value, local)
            } else {
                value = conditions.evaluate(x, y, z)
            }
        }
        let k = value.count, m = y.count
        let residualNorm = try checkConditions(value: value, y: y)
        if let nonFiniteEntry { throw .nonFiniteInput(nonFiniteEntry) }
        let krylovOptions = effectiveKrylovOptions
        let plan = try validatedPlan(k: k, m: m, krylovOptions: krylovOptions)
        var local = recordedLocal ?? conditions.localize(x, y, z, value)
        if let tapeFree { local = local.servedBy(tapeFree) } else if let redetect { local = local.redetecting(redetect) }
        return try local.reportingLengthFaults { () throws(ImplicitDifferentiationError) in
            try prepare(local, plan: plan, expecting: products, krylovOptions: krylovOptions, x: x, y: y, z: z,
                        residualNorm: residualNorm, prefetchedA: prefetchedA, stateProduct: tapeFree?.stateProduct)
        }
    }

    /// The second half of ``linearize(at:solution:byproduct:)``: the plan
    /// (the cost model's, when it applies), the representation of `A` built,
    /// the residual bound (from `stateProduct`, `A y`, when the evaluation of `A` summed it),
    /// the solver prepared.
    func prepare(_ local: LocalConditions, plan: SolvePlan, expecting products: ExpectedProducts,
                 krylovOptions: KrylovOptions, x: [Double], y: [Double], z: Byproduct,
                 residualNorm: Double, prefetchedA: Matrix?, stateProduct: [Double]? = nil)
        throws(ImplicitDifferentiationError)
        -> ImplicitLinearization<Byproduct>
    {
        var plan = plan
        let k = local.k, m = local.m
        try conditions.checkProducts(local, x, y, z)
        var preconditioner = self.preconditioner
        var sparseJacobian: SparseJacobian? = nil
        var sparseKind: SparseKind? = nil
        var accumulates = false
        var accumulatedNow: (a: Matrix, b: Matrix)? = nil
        if let decision = try costModelDecision(local, products: products) {
            plan = decision.plan
            sparseJacobian = decision.sparse
            preconditioner = decision.preconditioner ?? preconditioner
            sparseKind = decision.sparseKind
            accumulates = decision.accumulates
            accumulatedNow = decision.accumulated
        }
        var local = local
        var accumulationNote: String? = nil
        var nonsingularBecause: String? = nil
        if plan.representation == .operator, local.differentiation == finiteDifferenceLabel {
            try MemoryBudget.require("∂F/∂y by finite differences (\(k) × \(m)), built for transposed products",
                                     [(k, m)], limit: options.maxMatrixBytes)
        }

        var matrix: Matrix? = nil
        if plan.representation == .matrix {
            let bytes = k.multipliedReportingOverflow(by: m).partialValue &* 8
            if k > 0 && m > 0 && (bytes / 8 / m != k || bytes > options.maxMatrixBytes) {
                throw .representationTooLarge(bytes: bytes, limit: options.maxMatrixBytes)
            }
            try MemoryBudget.require("∂F/∂y (\(k) × \(m)) with its \(plan.solver) factorization",
                                     MemoryBudget.factorizationShapes(plan.solver, automatic: linearSolver.isAutomatic,
                                                                      rows: k, columns: m),
                                     limit: options.maxMatrixBytes)
            var accumulated: Matrix? = nil
            if accumulates, let accumulate = local.accumulate {
                // B (k × n) is kept beside A; A's own memory was checked above.
                try MemoryBudget.require("∂F/∂x (\(k) × \(local.n)), accumulated with ∂F/∂y", [(k, local.n)],
                                         limit: options.maxMatrixBytes)
                // A recording whose output length differs from F's (conditions whose length depends
                // on the scalar type) gives matrices of another shape: those are not used.
                if let (a, b) = accumulatedNow ?? accumulate(),
                   a.rows == k, a.columns == m, b.rows == k, b.columns == local.n {
                    local = local.servedBy(a: a, b: b)
                    accumulated = a
                } else {
                    accumulationNote = "the accumulation of ∂F/∂y from the tape declined at this point; A by dual passes"
                }
            }
            let a = accumulated ?? prefetchedA ?? local.a.materialize()
            if let i = a.elements.firstIndex(where: { !$0.isFinite }) {
                throw .nonFiniteInput("∂F/∂y[\(i % max(k, 1)), \(i / max(k, 1))] = \(a.elements[i])")
            }
            matrix = a
            if accumulates, case .gmres = plan.solver {
                // GMRES on the accumulated A runs only where its discs bound the iterations (and prove
                // A nonsingular, so the singularity probe has nothing to find); LU otherwise.
                if let bound = GershgorinDiscBound(a),
                   bound.iterations(tolerance: krylovOptions.relativeTolerance, restart: CostModel.restart) != nil {
                    nonsingularBecause = "the Gershgorin discs of ∂F/∂y lie in |z − c| ≤ \(shortNumber(bound.radius))·c "
                        + "(condition ≤ \(shortNumber(bound.conditionBound)))"
                } else {
                    plan.solver = .lu
                    accumulationNote = [accumulationNote, "the Gershgorin discs of ∂F/∂y bound no GMRES iteration count "
                                        + "at this point; dense LU"].compactMap { $0 }.joined(separator: "; ")
                }
            }
        }
        // ‖A y‖ as summed by the tape-free evaluation, or from the materialized A where there is one
        // (no tape recording); one product otherwise.
        let bound = try checkResidual(residualNorm) { (tol: Double) throws(ImplicitDifferentiationError) in
            try ResidualScale(local, x: x, y: y, a: matrix ?? prefetchedA, admitting: residualNorm, tolerance: tol,
                              ay: stateProduct)
        }
        let settings = SolverSettings(
            automatic: linearSolver.isAutomatic, minimumReciprocalCondition: options.minimumReciprocalCondition,
            preconditioner: preconditioner, initialGuess: initialGuess, krylovOptions: krylovOptions,
            probesKrylovSingularity: options.probesKrylovSingularity, nonsingularBecause: nonsingularBecause)
        let choice: PreparedChoice
        if plan.representation == .sparse {
            guard let sparseA = local.sparseA else { throw LinearSolver.sparseNeedsPattern }
            let a: SparseJacobian
            if let sparseJacobian { a = sparseJacobian } else { a = try sparseA(structureCache, nil) }
            (choice, matrix) = try plan.solver.prepareSparse(a, structure: structure, settings: settings,
                                                             memoryLimit: options.maxMatrixBytes, chosen: sparseKind,
                                                             analyses: structureCache.sparseAnalyses)
        } else {
            let system = matrix.map { LinearSystem(matrix: $0, structure: structure) }
                ?? LinearSystem(ConditionsOperator(local: local, structure: structure))
            choice = try plan.solver.prepare(system, settings: settings)
        }
        plan.solver = choice.used
        plan.note = [choice.note, accumulationNote].compactMap { $0 }.joined(separator: "; ").nilIfEmpty
        let report = DerivativeReport(
            plan: plan, residualNorm: residualNorm, residualBound: bound, differentiation: local.differentiation,
            factorizations: (matrix != nil || plan.representation == .sparse) && choice.used.isDirect ? 1 : 0,
            reciprocalCondition: choice.reciprocalCondition,
            reciprocalConditionIsLowerBound: choice.reciprocalConditionIsLowerBound, rank: choice.rank, note: plan.note,
            tangentSolves: 0,
            adjointSolves: 0, krylovIterations: 0, operatorApplications: 0, lastKrylovStatistics: nil)
        let lin = ImplicitLinearization(x: x, solution: y, byproduct: z, plan: plan, structure: structure,
                                        local: local, solver: choice.prepared, matrix: matrix, report: report,
                                        maxMatrixBytes: options.maxMatrixBytes)
        if lin.isLeastSquares {
            // A least-squares derivative is only meaningful when every tangent
            // system A ẏ = −B ẋ is consistent; probe once with a fixed ẋ, so that
            // a VJP (which never sees a tangent residual) cannot return a number.
            let r = try lin.consistencyProbe()
            if !(r <= lin.consistencyTolerance) {   // NaN fails
                if choice.fellBack { throw .singularJacobian(pivot: nil, reciprocalCondition: choice.reciprocalCondition) }
                throw .inconsistentLinearization(relativeResidual: r)
            }
        }
        return lin
    }

    /// The Jacobian-vector product `J ẋ = −A⁻¹(B ẋ)` at `x`.
    public func jvp(at x: [Double], arguments: Arguments, tangent: [Double]) throws(ImplicitDifferentiationError)
        -> [Double]
    {
        try linearize(at: x, arguments: arguments, expecting: .one).jvp(tangent)
    }

    /// The vector-Jacobian product `Jᵀ ȳ = −Bᵀ(A⁻ᵀ ȳ)` at `x`.
    public func vjp(at x: [Double], arguments: Arguments, cotangent: [Double]) throws(ImplicitDifferentiationError)
        -> [Double]
    {
        try linearize(at: x, arguments: arguments, expecting: .one).vjp(cotangent)
    }

    /// The Jacobian `J = −A⁻¹B` (`m × n`) at `x`.
    public func jacobian(at x: [Double], arguments: Arguments) throws(ImplicitDifferentiationError) -> Matrix {
        try linearize(at: x, arguments: arguments, expecting: .jacobian).jacobian()
    }

    /// The node count of the cached recording at these shapes when the cost model will
    /// consider `A` and `B` accumulated from a recording (``DetectedStructure/accumulationSeconds``
    /// was timed: a dense pattern on which the accumulation accepted), else `nil`.
    func accumulationExpected(m: Int, n: Int) -> Int? {
        guard representation == .automatic, linearSolver.isAutomatic, m > Self.prefetchLimit,
              let (key, known) = structureCache.structure(unknowns: m, inputs: n), key.k == m,
              known.accumulationSeconds != nil
        else { return nil }
        return known.operationCount
    }

    /// Largest `m` for which ``linearize(at:solution:byproduct:)`` takes the
    /// residual and `A` from one evaluation on duals (`DualN<16>`).
    static var prefetchLimit: Int { 16 }

    // MARK: - Plan validation

    /// The checks every derivative path makes before it differentiates (this
    /// function's linearization and the generic dual/tape path alike), before
    /// any derivative of `F` is built: `F` has at least as many equations as
    /// `y` has unknowns, and `‖F(x, y)‖` is finite (unless the check is disabled).
    ///
    /// - Returns: `‖F(x, y)‖`.
    /// - Throws: `.dimensionMismatch`, `.residualTooLarge`.
    func checkConditions(value: [Double], y: [Double]) throws(ImplicitDifferentiationError) -> Double {
        let k = value.count, m = y.count
        if k < m {
            throw .dimensionMismatch("F has \(k) equations for \(m) unknowns in y: fewer conditions than unknowns "
                + "cannot determine the derivative")
        }
        let residualNorm = euclideanNorm(value)
        try options.residualTolerance.refuseNonFinite(residualNorm)
        return residualNorm
    }

    /// The residual check: `‖F(x, y)‖` against ``ImplicitFunctionOptions/residualTolerance``,
    /// relative to the scale of `F`'s terms at the point (``ResidualScale``,
    /// measured only for `.relative`). NaN fails.
    ///
    /// - Returns: the bound it was held to (`nil` when the check is disabled).
    /// - Throws: `.residualTooLarge`, and what measuring the scale throws.
    func checkResidual(_ residualNorm: Double,
                       scale: (_ tolerance: Double) throws(ImplicitDifferentiationError) -> ResidualScale)
        throws(ImplicitDifferentiationError) -> Double?
    {
        try options.residualTolerance.check(residualNorm: residualNorm, scale: scale)
    }

    func validatedPlan(k: Int, m: Int, krylovOptions: KrylovOptions? = nil) throws(ImplicitDifferentiationError)
        -> SolvePlan
    {
        try options.validate()
        if representation == .operator && linearSolver.isDirect {
            throw LinearSolver.needsMatrix(linearSolver)
        }
        let plan = SolvePlan.choose(representation: representation, solver: linearSolver, rows: k, unknowns: m,
                                    structure: structure, givesMatrices: conditions.givesMatrices,
                                    threshold: options.matrixThreshold)
            .withKrylovOptions(krylovOptions ?? effectiveKrylovOptions)
        var custom = false
        if case .custom = plan.solver { custom = true }   // its prepared solve says whether it does least squares
        if k != m && !plan.solver.isLeastSquares && !custom {
            throw .dimensionMismatch("F has \(k) equations for \(m) unknowns; \(plan.solver) needs a square ∂F/∂y, "
                + "use .qr, .svd or .lsmr() for least squares")
        }
        return plan
    }
}
