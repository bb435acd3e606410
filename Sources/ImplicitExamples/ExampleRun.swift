import ImplicitDifferentiation

/// A Krylov solve's statistics in a form that prints and encodes.
public struct KrylovSummary: Sendable, Codable, Equatable {
    /// "GMRES", "CG", …
    public var method: String
    /// "converged", "max iterations reached", …
    public var status: String
    /// `true` when converged (or zero right-hand side).
    public var converged: Bool
    /// Iterations of this solve.
    public var iterations: Int
    /// Operator applications of this solve.
    public var operatorApplications: Int
    /// Final residual norm.
    public var residualNorm: Double
    /// One residual norm per iteration when `--verbose` asked for it.
    public var history: [Double]?
    /// The library's one-line description.
    public var description: String

    /// Summarizes `statistics`.
    public init(_ statistics: KrylovStatistics) {
        method = statistics.method
        status = statistics.status.reason
        converged = statistics.status.isSuccess
        iterations = statistics.iterations
        operatorApplications = statistics.operatorApplications
        residualNorm = statistics.residualNorm
        history = statistics.history
        description = statistics.description
    }
}

/// One derivative of a run: its value's error against the reference, and its cost.
public struct DerivativeResult: Sendable, Codable {
    /// "jvp", "vjp" or "jacobian".
    public var mode: DerivativeMode
    /// What was computed.
    public var quantity: String
    /// The reference kind.
    public var reference: ReferenceKind
    /// `‖computed − reference‖₂ / ‖reference‖₂` (`nil` when skipped).
    public var relativeError: Double?
    /// The tolerance for this reference kind.
    public var tolerance: Double
    /// `true` when the error is within the tolerance (or the check was skipped).
    public var passed: Bool
    /// Wall time of the derivative itself (the reference excluded), seconds.
    public var seconds: Double
    /// Krylov iterations spent on this derivative (0 on the direct path).
    public var krylovIterations: Int
    /// The last Krylov solve of this derivative, when there was one.
    public var krylov: KrylovSummary?
    /// Why it was skipped, if it was.
    public var skipped: String?
}

/// Everything a run of one example printed, as a value (and as JSON).
public struct ExampleRun: Sendable, Codable {
    /// The example's name.
    public var example: String
    /// Its title.
    public var title: String
    /// The `--size` used.
    public var size: Int
    /// `n = x.count`.
    public var inputs: Int
    /// `m = y.count`.
    public var unknowns: Int
    /// `k`, the number of conditions.
    public var equations: Int
    /// The representation used (`matrix` / `operator`), once known.
    public var representation: String?
    /// The linear solver used (after any fallback), once known.
    public var solver: String?
    /// Why: the automatic rule's reasons, or "as requested".
    public var reason: String?
    /// A fallback or caveat from the library (e.g. LU → SVD).
    public var note: String?
    /// Forward-solve wall time, seconds.
    public var forwardSeconds: Double?
    /// `‖F(x, y)‖₂` at the forward solution.
    public var forwardResidual: Double?
    /// The bound it was checked against.
    public var residualBound: Double?
    /// Linearization wall time (materialize + factor, or record the tape), seconds.
    public var linearizeSeconds: Double?
    /// The derivatives computed.
    public var derivatives: [DerivativeResult]
    /// Linearization plus every derivative, seconds (references excluded).
    public var derivativeSeconds: Double?
    /// Krylov iterations in all (0 on the direct path).
    public var krylovIterations: Int
    /// Facts about the solution (active set, support, …).
    public var facts: [String]
    /// The library's report, a few lines.
    public var report: String?
    /// What went wrong, when something did.
    public var failure: String?
    /// The library's error, when one was thrown (not encoded; see ``failure``).
    public var error: ImplicitDifferentiationError?

    /// `true` when nothing failed and every derivative is within its tolerance.
    public var passed: Bool { failure == nil && derivatives.allSatisfy(\.passed) }

    /// The largest relative error over the derivatives computed.
    public var worstError: Double? { derivatives.compactMap(\.relativeError).max() }

    enum CodingKeys: String, CodingKey {
        case example, title, size, inputs, unknowns, equations, representation, solver, reason, note,
             forwardSeconds, forwardResidual, residualBound, linearizeSeconds, derivatives, derivativeSeconds,
             krylovIterations, facts, report, failure, passed
    }

    /// Encodes every property but ``error`` (its description is ``failure``), plus `passed`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(example, forKey: .example)
        try c.encode(title, forKey: .title)
        try c.encode(size, forKey: .size)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(unknowns, forKey: .unknowns)
        try c.encode(equations, forKey: .equations)
        try c.encodeIfPresent(representation, forKey: .representation)
        try c.encodeIfPresent(solver, forKey: .solver)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(note, forKey: .note)
        try c.encodeIfPresent(forwardSeconds, forKey: .forwardSeconds)
        try c.encodeIfPresent(forwardResidual, forKey: .forwardResidual)
        try c.encodeIfPresent(residualBound, forKey: .residualBound)
        try c.encodeIfPresent(linearizeSeconds, forKey: .linearizeSeconds)
        try c.encode(derivatives, forKey: .derivatives)
        try c.encodeIfPresent(derivativeSeconds, forKey: .derivativeSeconds)
        try c.encode(krylovIterations, forKey: .krylovIterations)
        try c.encode(facts, forKey: .facts)
        try c.encodeIfPresent(report, forKey: .report)
        try c.encodeIfPresent(failure, forKey: .failure)
        try c.encode(passed, forKey: .passed)
    }

    /// Decodes what ``encode(to:)`` wrote (``error`` is `nil`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        example = try c.decode(String.self, forKey: .example)
        title = try c.decode(String.self, forKey: .title)
        size = try c.decode(Int.self, forKey: .size)
        inputs = try c.decode(Int.self, forKey: .inputs)
        unknowns = try c.decode(Int.self, forKey: .unknowns)
        equations = try c.decode(Int.self, forKey: .equations)
        representation = try c.decodeIfPresent(String.self, forKey: .representation)
        solver = try c.decodeIfPresent(String.self, forKey: .solver)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        forwardSeconds = try c.decodeIfPresent(Double.self, forKey: .forwardSeconds)
        forwardResidual = try c.decodeIfPresent(Double.self, forKey: .forwardResidual)
        residualBound = try c.decodeIfPresent(Double.self, forKey: .residualBound)
        linearizeSeconds = try c.decodeIfPresent(Double.self, forKey: .linearizeSeconds)
        derivatives = try c.decode([DerivativeResult].self, forKey: .derivatives)
        derivativeSeconds = try c.decodeIfPresent(Double.self, forKey: .derivativeSeconds)
        krylovIterations = try c.decode(Int.self, forKey: .krylovIterations)
        facts = try c.decode([String].self, forKey: .facts)
        report = try c.decodeIfPresent(String.self, forKey: .report)
        failure = try c.decodeIfPresent(String.self, forKey: .failure)
        error = nil
    }

    init(example: Example, size: Int, inputs: Int, unknowns: Int, equations: Int) {
        self.example = example.name
        self.title = example.title
        self.size = size
        self.inputs = inputs
        self.unknowns = unknowns
        self.equations = equations
        self.derivatives = []
        self.krylovIterations = 0
        self.facts = []
    }
}
