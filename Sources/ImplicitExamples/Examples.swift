import ImplicitDifferentiation

/// The catalog of use cases (DESIGN §7), shared by the command line, the
/// tests and the benchmarks.
///
/// ```swift
/// let run = Examples.named("bratu2d")!.run(size: 100)
/// print(run.passed, run.worstError ?? 0)
/// ```
public enum Examples {
    /// Every example, in the order `list` and `run all` use.
    public static var all: [Example] {
        [squareRootArgmin, squareRootNewton, squareRootHeron, boxConstrained, ridge, lasso, sinkhorn,
         bratu1D, bratu2D, sparsemax, nested, quadraticProgram]
    }

    /// The example called `name`, if any.
    public static func named(_ name: String) -> Example? { all.first { $0.name == name } }

    /// The examples selected by `name`: `all`, a group (`sqrt`), or one name.
    public static func select(_ name: String) -> [Example] {
        if name == "all" { return all }
        if let one = named(name) { return [one] }
        return all.filter { $0.group == name }
    }
}

extension Example {
    /// Runs the example: forward solve, linearization, the derivatives
    /// `settings.mode` asks for, and their comparison with the references.
    ///
    /// Never throws: a failure (the library's typed error included) is in
    /// ``ExampleRun/failure`` and ``ExampleRun/error``.
    ///
    /// - Parameters:
    ///   - size: `≥` ``minimumSize``; `nil` for ``defaultSize``.
    ///   - settings: solver choice, mode and Krylov settings.
    ///   - progress: called with one line before each step (for long runs).
    /// - Returns: what happened, with timings and errors.
    public func run(size: Int? = nil, settings: RunSettings = RunSettings(),
                    progress: @Sendable (String) -> Void = { _ in }) -> ExampleRun {
        let size = size ?? defaultSize
        if let why = unavailableReason {
            var r = ExampleRun(example: self, size: size, inputs: 0, unknowns: 0, equations: 0)
            r.failure = "\(name) is not available: \(why)"
            return r
        }
        guard size >= minimumSize else {
            var r = ExampleRun(example: self, size: size, inputs: 0, unknowns: 0, equations: 0)
            let e = ImplicitDifferentiationError.invalidOption("--size \(size) is below \(minimumSize) for \(name)")
            r.error = e
            r.failure = e.description
            return r
        }
        return make(size, settings).run(self, size, settings, progress)
    }
}
