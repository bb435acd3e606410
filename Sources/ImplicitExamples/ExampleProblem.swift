import ImplicitDifferentiation

/// Which derivatives a run computes.
public enum DerivativeMode: String, Sendable, CaseIterable, Codable {
    /// One Jacobian-vector product `J ẋ` (forward mode, a tangent solve with `A`).
    case jvp
    /// One vector-Jacobian product `Jᵀ ȳ` (reverse mode, an adjoint solve with `Aᵀ`).
    case vjp
    /// The full Jacobian `J = −A⁻¹B` (skipped when too large for the size).
    case jacobian
    /// All three.
    case all

    /// `true` when a run in this mode computes derivatives of kind `mode`.
    public func includes(_ mode: DerivativeMode) -> Bool { self == .all || self == mode }
}

/// How the reference a derivative is compared with was obtained.
public enum ReferenceKind: String, Sendable, Codable {
    /// A closed-form expression (or a hand-derived formula evaluated by an
    /// independent direct or tightly converged solve); compared at relative 1e-8.
    case closedForm = "closed form"
    /// Central finite differences through the whole forward solver; compared
    /// at relative 1e-6.
    case finiteDifferences = "finite differences"

    /// The relative error a derivative may have against this reference:
    ///
    /// ```
    /// closed form         1e-8
    /// finite differences  1e-6
    /// ```
    public var tolerance: Double { self == .closedForm ? 1e-8 : 1e-6 }
}

/// One derivative of an example: how to compute it from a linearization and
/// what to compare it with.
public struct DerivativeCheck<Byproduct: Sendable>: Sendable {
    /// `.jvp`, `.vjp` or `.jacobian`.
    public var mode: DerivativeMode
    /// What is computed, in words and symbols (`"J ẋ, ẋᵢ = cos i"`).
    public var quantity: String
    /// Where the reference comes from (sets the default tolerance).
    public var reference: ReferenceKind
    /// The relative error allowed: the reference kind's unless the check asks for a tighter one.
    public var tolerance: Double
    /// Why the check is skipped at this size (`nil`: it runs).
    public var skipReason: String?
    /// The implicit derivative, from the linearization (flattened column-major for matrices).
    public var compute: @Sendable (ImplicitLinearization<Byproduct>) throws(ImplicitDifferentiationError) -> [Double]
    /// The reference value; may run the forward solver again (finite differences).
    public var expected: @Sendable (ImplicitLinearization<Byproduct>) -> [Double]

    /// Creates a check.
    ///
    /// - Parameters:
    ///   - mode: `.jvp`, `.vjp` or `.jacobian` (not `.all`).
    ///   - quantity: what is computed, for the report.
    ///   - reference: the kind of reference.
    ///   - tolerance: the relative error allowed (default: the reference kind's ``ReferenceKind/tolerance``).
    ///   - skipReason: non-`nil` to skip the check at this size.
    ///   - compute: the implicit derivative.
    ///   - expected: the reference, same length as `compute`'s result.
    public init(mode: DerivativeMode, quantity: String, reference: ReferenceKind, tolerance: Double? = nil,
                skipReason: String? = nil,
                compute: @escaping @Sendable (ImplicitLinearization<Byproduct>) throws(ImplicitDifferentiationError) -> [Double],
                expected: @escaping @Sendable (ImplicitLinearization<Byproduct>) -> [Double]) {
        precondition(mode != .all, "DerivativeCheck: mode must be .jvp, .vjp or .jacobian")
        self.mode = mode
        self.quantity = quantity
        self.reference = reference
        self.tolerance = tolerance ?? reference.tolerance
        self.skipReason = skipReason
        self.compute = compute
        self.expected = expected
    }
}

/// One use case at one size: the input, the forward solver, the conditions
/// (inside ``makeFunction``), and the derivatives to check.
///
/// The invariant is `conditions(x: input, y: solve(input).y) ≈ 0`.
public struct ExampleProblem<Byproduct: Sendable>: Sendable {
    /// The forward solver's signature: `x ↦ (y, z)`.
    public typealias Solver = @Sendable (_ x: [Double]) throws -> (y: [Double], byproduct: Byproduct)

    /// The input `x` (deterministic: a closed-form formula of the index).
    public var input: [Double]
    /// `m`, the length of `y`.
    public var unknowns: Int
    /// `k ≥ m`, the number of conditions.
    public var equations: Int
    /// The declared structure of `A = ∂F/∂y` (drives the automatic choice).
    public var structure: OperatorStructure
    /// The forward solver, written as a user would (no AD inside).
    public var solve: Solver
    /// Builds the implicit function from a solver (the runner passes a
    /// memoized one) and the solver choices.
    public var makeFunction: @Sendable (_ solver: @escaping Solver, _ linearSolver: LinearSolver,
                                        _ representation: Representation, _ options: ImplicitFunctionOptions)
        -> ImplicitFunction<Void, Byproduct>
    /// The derivatives to compute and compare.
    public var checks: [DerivativeCheck<Byproduct>]
    /// Facts about the solution worth printing (active set size, support, …),
    /// computed from `(x, y, z)`.
    public var facts: @Sendable (_ y: [Double], _ byproduct: Byproduct) -> [String]

    /// Creates a problem from its parts; see the properties.
    public init<C: ImplicitConditionsWithByproduct>(
        input: [Double], unknowns: Int, equations: Int, structure: OperatorStructure = [], conditions: C,
        solve: @escaping Solver, checks: [DerivativeCheck<Byproduct>],
        facts: @escaping @Sendable (_ y: [Double], _ byproduct: Byproduct) -> [String] = { _, _ in [] }
    ) where C.Byproduct == Byproduct {
        self.input = input
        self.unknowns = unknowns
        self.equations = equations
        self.structure = structure
        self.solve = solve
        self.makeFunction = { solver, linearSolver, representation, options in
            ImplicitFunction(solver: solver, conditions: conditions, linearSolver: linearSolver,
                             representation: representation, structure: structure, options: options)
        }
        self.checks = checks
        self.facts = facts
    }
}

extension ExampleProblem {
    /// Creates a problem whose implicit function is built by `makeFunction`
    /// (hand-written or finite-difference conditions, or any other form).
    public init(input: [Double], unknowns: Int, equations: Int, structure: OperatorStructure = [],
                solve: @escaping Solver,
                makeFunction: @escaping @Sendable (_ solver: @escaping Solver, _ linearSolver: LinearSolver,
                                                   _ representation: Representation, _ options: ImplicitFunctionOptions)
                    -> ImplicitFunction<Void, Byproduct>,
                checks: [DerivativeCheck<Byproduct>],
                facts: @escaping @Sendable (_ y: [Double], _ byproduct: Byproduct) -> [String] = { _, _ in [] }) {
        self.input = input
        self.unknowns = unknowns
        self.equations = equations
        self.structure = structure
        self.solve = solve
        self.makeFunction = makeFunction
        self.checks = checks
        self.facts = facts
    }
}

extension ExampleProblem where Byproduct == Void {
    /// Creates a problem whose solver returns only `y` and whose conditions
    /// read only `(x, y)`.
    public init<C: ImplicitConditions>(
        input: [Double], unknowns: Int, equations: Int, structure: OperatorStructure = [], conditions: C,
        solve: @escaping @Sendable (_ x: [Double]) -> [Double], checks: [DerivativeCheck<Void>],
        facts: @escaping @Sendable (_ y: [Double]) -> [String] = { _ in [] }
    ) {
        self.input = input
        self.unknowns = unknowns
        self.equations = equations
        self.structure = structure
        self.solve = { x in (solve(x), ()) }
        self.makeFunction = { solver, linearSolver, representation, options in
            ImplicitFunction(solver: { x in try solver(x).y }, conditions: conditions, linearSolver: linearSolver,
                             representation: representation, structure: structure, options: options)
        }
        self.checks = checks
        self.facts = { y, _ in facts(y) }
    }
}

/// A use case in the catalog: its name, sizes, and how to build it at a size.
public struct Example: Sendable {
    /// The command-line name (`sqrt-newton`, `bratu2d`, …).
    public let name: String
    /// The family it belongs to (`sqrt` for the three square roots), for `run <group>`.
    public let group: String
    /// One line: what is solved.
    public let title: String
    /// What `--size` means for this example.
    public let sizeMeaning: String
    /// The size `run all` uses (finishes in well under a second or two in release).
    public let defaultSize: Int
    /// A small size for the test suite.
    public let testSize: Int
    /// Three sizes growing by 10× for the benchmark.
    public let benchmarkSizes: [Int]
    /// `nil` when runnable; otherwise what is missing (shown by `list`).
    public let unavailableReason: String?
    /// The problem at a size, for settings (only a few examples read them, e.g. ``RunSettings/unitSquare``).
    let make: @Sendable (Int, RunSettings) -> AnyExampleProblem

    init<B: Sendable>(name: String, group: String? = nil, title: String, sizeMeaning: String, defaultSize: Int,
                      testSize: Int, benchmarkSizes: [Int], unavailableReason: String? = nil,
                      minimumSize: Int = 1, make: @escaping @Sendable (Int) -> ExampleProblem<B>) {
        self.init(name: name, group: group, title: title, sizeMeaning: sizeMeaning, defaultSize: defaultSize,
                  testSize: testSize, benchmarkSizes: benchmarkSizes, unavailableReason: unavailableReason,
                  minimumSize: minimumSize, makeForSettings: { size, _ in make(size) })
    }

    init<B: Sendable>(name: String, group: String? = nil, title: String, sizeMeaning: String, defaultSize: Int,
                      testSize: Int, benchmarkSizes: [Int], unavailableReason: String? = nil,
                      minimumSize: Int = 1,
                      makeForSettings make: @escaping @Sendable (Int, RunSettings) -> ExampleProblem<B>) {
        self.name = name
        self.group = group ?? name
        self.title = title
        self.sizeMeaning = sizeMeaning
        self.defaultSize = defaultSize
        self.testSize = testSize
        self.benchmarkSizes = benchmarkSizes
        self.unavailableReason = unavailableReason
        self.minimumSize = minimumSize
        self.make = { size, settings in AnyExampleProblem(make(size, settings)) }
    }

    /// The smallest valid `--size`.
    public let minimumSize: Int

    /// The problem at `size` with a memoized forward solver, wrapped for the
    /// benchmark: `forward` runs the forward solver, `derivative` linearizes
    /// (without solving again) and computes one VJP, with `settings`' solver choice.
    public func benchmarkPair(size: Int, settings: RunSettings = RunSettings())
        -> (forward: @Sendable () -> Void, derivative: @Sendable () -> Void)
    {
        make(size, settings).benchmarkPair(settings)
    }
}

/// An ``ExampleProblem`` with its byproduct type erased.
struct AnyExampleProblem: Sendable {
    let run: @Sendable (_ example: Example, _ size: Int, _ settings: RunSettings,
                        _ progress: @Sendable (String) -> Void) -> ExampleRun
    let benchmarkPair: @Sendable (RunSettings) -> (forward: @Sendable () -> Void, derivative: @Sendable () -> Void)

    init<B: Sendable>(_ problem: ExampleProblem<B>) {
        run = { example, size, settings, progress in
            ExampleRunner.run(problem, example: example, size: size, settings: settings, progress: progress)
        }
        benchmarkPair = { settings in ExampleRunner.benchmarkPair(problem, settings: settings) }
    }
}
