import Krylov
import LinearAlgebra

// Initializers and calls for the common cases: no extra arguments, no
// byproduct, scalar inputs or outputs.

extension ImplicitFunction where Arguments == Void, Byproduct == Void {
    /// An implicit function from a solver `x ↦ y` and conditions `F(x, y)`
    /// generic over the AD scalar — the normal case.
    ///
    /// - Parameters:
    ///   - solver: any black box returning `y` with `F(x, y) = 0`.
    ///   - conditions: `F(x, y)`, generic over the scalar.
    ///   - linearSolver: see ``LinearSolver`` (default `.automatic`).
    ///   - representation: see ``Representation`` (default `.automatic`).
    ///   - structure: declared structure of `∂F/∂y` (symmetry is checked before Cholesky or CG runs; see <doc:BadInput>).
    ///   - options: residual check and thresholds.
    @inlinable
    public init<C: ImplicitConditions>(
        solver: @escaping @Sendable (_ x: [Double]) throws -> [Double], conditions: C,
        linearSolver: LinearSolver = .automatic, representation: Representation = .automatic,
        structure: OperatorStructure = [], options: ImplicitFunctionOptions = .init()
    ) {
        self.init(solver: { x, _ in (try solver(x), ()) },
                  model: ConditionsModel(generic: ConditionsIgnoringByproduct(conditions)),
                  linearSolver: linearSolver, representation: representation, structure: structure,
                  options: options)
    }

    /// An implicit function from a solver `x ↦ y` and hand-written conditions.
    public init(solver: @escaping @Sendable (_ x: [Double]) throws -> [Double],
                conditions: HandwrittenConditions<Void>, linearSolver: LinearSolver = .automatic,
                representation: Representation = .automatic, structure: OperatorStructure = [],
                options: ImplicitFunctionOptions = .init()) {
        self.init(solver: { x, _ in (try solver(x), ()) }, model: ConditionsModel(handwritten: conditions),
                  linearSolver: linearSolver, representation: representation, structure: structure,
                  options: options)
    }

    /// An implicit function from a solver `x ↦ y` and Double-only conditions
    /// differentiated by finite differences (explicitly).
    public init(solver: @escaping @Sendable (_ x: [Double]) throws -> [Double],
                conditions: FiniteDifferenceConditions<Void>, linearSolver: LinearSolver = .automatic,
                representation: Representation = .automatic, structure: OperatorStructure = [],
                options: ImplicitFunctionOptions = .init()) {
        self.init(solver: { x, _ in (try solver(x), ()) }, model: ConditionsModel(finiteDifferences: conditions),
                  linearSolver: linearSolver, representation: representation, structure: structure,
                  options: options)
    }
}

extension ImplicitFunction where Byproduct == Void {
    /// Linearizes at a solution `y` you already have (no forward solve, same
    /// residual check); see ``linearize(at:solution:byproduct:)``.
    ///
    /// - Throws: as ``linearize(at:solution:byproduct:)``.
    public func linearize(at x: [Double], solution y: [Double]) throws(ImplicitDifferentiationError)
        -> ImplicitLinearization<Void>
    {
        try linearize(at: x, solution: y, byproduct: ())
    }

    /// The plan at a known solution `y` (no forward solve); see ``plan(for:solution:byproduct:)``.
    ///
    /// - Throws: as ``linearize(at:solution:byproduct:)``.
    public func plan(for x: [Double], solution y: [Double]) throws(ImplicitDifferentiationError) -> SolvePlan {
        try plan(for: x, solution: y, byproduct: ())
    }
}

extension ImplicitFunction where Arguments == Void {
    /// An implicit function whose solver returns a byproduct `z` for the conditions.
    ///
    /// - Parameters:
    ///   - solver: `x ↦ (y, z)`.
    ///   - conditions: `F(x, y, z)`, generic over the scalar.
    ///   - linearSolver: see ``LinearSolver`` (default `.automatic`).
    ///   - representation: see ``Representation`` (default `.automatic`).
    ///   - structure: declared structure of `∂F/∂y` (symmetry is checked before Cholesky or CG runs; see <doc:BadInput>).
    ///   - options: residual check and thresholds.
    @inlinable
    public init<C: ImplicitConditionsWithByproduct>(
        solver: @escaping @Sendable (_ x: [Double]) throws -> (y: [Double], byproduct: Byproduct), conditions: C,
        linearSolver: LinearSolver = .automatic, representation: Representation = .automatic,
        structure: OperatorStructure = [], options: ImplicitFunctionOptions = .init()
    ) where C.Byproduct == Byproduct {
        self.init(solver: { x, _ in try solver(x) }, model: ConditionsModel(generic: conditions),
                  linearSolver: linearSolver, representation: representation, structure: structure,
                  options: options)
    }

    /// Runs the forward solver: `(y, z)` at `x`.
    public func solve(_ x: [Double]) throws(ImplicitDifferentiationError) -> (y: [Double], byproduct: Byproduct) {
        try solve(x, arguments: ())
    }

    /// `y(x)`, the forward solver's output.
    public func callAsFunction(_ x: [Double]) throws(ImplicitDifferentiationError) -> [Double] {
        try solve(x, arguments: ()).y
    }

    /// `y(x)` for a scalar input.
    public func callAsFunction(_ x: Double) throws(ImplicitDifferentiationError) -> [Double] {
        try solve([x], arguments: ()).y
    }

    /// The representation and solver derivatives at `x` would use, and why.
    public func plan(for x: [Double]) throws(ImplicitDifferentiationError) -> SolvePlan {
        try plan(for: x, arguments: ())
    }

    /// Solves, checks and prepares once at `x`; see ``linearize(at:arguments:)``.
    public func linearize(at x: [Double]) throws(ImplicitDifferentiationError) -> ImplicitLinearization<Byproduct> {
        try linearize(at: x, arguments: ())
    }

    /// The Jacobian-vector product `J ẋ` at `x`.
    public func jvp(at x: [Double], tangent: [Double]) throws(ImplicitDifferentiationError) -> [Double] {
        try linearize(at: x, arguments: (), expecting: .one).jvp(tangent)
    }

    /// The vector-Jacobian product `Jᵀ ȳ` at `x`.
    public func vjp(at x: [Double], cotangent: [Double]) throws(ImplicitDifferentiationError) -> [Double] {
        try linearize(at: x, arguments: (), expecting: .one).vjp(cotangent)
    }

    /// The Jacobian `∂y/∂x` (`m × n`) at `x`.
    public func jacobian(at x: [Double]) throws(ImplicitDifferentiationError) -> Matrix {
        try linearize(at: x, arguments: (), expecting: .jacobian).jacobian()
    }

    /// `dy/dx` for a scalar input `x` (one JVP with `ẋ = 1`).
    public func derivative(at x: Double) throws(ImplicitDifferentiationError) -> [Double] {
        try linearize(at: [x], arguments: (), expecting: .one).jvp([1])
    }

    /// `∇y(x)` for a scalar output `y` (one VJP with `ȳ = 1`).
    ///
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)`` when `y` is not scalar.
    public func gradient(at x: [Double]) throws(ImplicitDifferentiationError) -> [Double] {
        let lin = try linearize(at: x, arguments: (), expecting: .one)
        guard lin.solution.count == 1 else {
            throw .dimensionMismatch("gradient(at:) needs a scalar output, y has \(lin.solution.count) entries; use vjp")
        }
        return try lin.vjp([1])
    }
}
