import LinearAlgebra

// Many independent instances — one ImplicitFunction, a batch of inputs —
// evaluated and differentiated across all cores with structured concurrency.
// Each instance is solved, linearized and differentiated by one child task
// exactly as the sequential loop would do it, so results are bit-for-bit those
// of the loop, in input order.
//
// OpenBLAS may itself start threads inside one factorization; with a batch
// already using every core, set OPENBLAS_NUM_THREADS=1 so that the two kinds
// of parallelism do not compete for the same cores.

/// A concurrent, order-preserving `map` over independent work items.
public enum BatchEvaluation {
    /// `inputs.map(body)`, with the items run as child tasks of one task
    /// group (at most `maxConcurrency` at a time; `nil` lets the cooperative
    /// thread pool — one thread per core — schedule them all).
    ///
    /// ```
    /// result[i] = body(inputs[i])          same values and order as the loop
    /// ```
    ///
    /// Cancellation is checked before each item starts: once the calling
    /// task is cancelled no further item starts, the ones running finish,
    /// and the call throws `CancellationError`.
    ///
    /// - Parameters:
    ///   - inputs: the work items.
    ///   - maxConcurrency: the most items in flight (`≥ 1`), or `nil`.
    ///   - body: pure per-item work (it runs on many threads at once).
    /// - Returns: the results in input order.
    /// - Throws: ``ImplicitDifferentiationError/invalidOption(_:)`` when
    ///   `maxConcurrency < 1`; `CancellationError` when cancelled.
    public static func map<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], maxConcurrency: Int? = nil, _ body: @escaping @Sendable (Input) -> Output
    ) async throws -> [Output] {
        try BatchArguments.checkConcurrency(maxConcurrency)
        let width = Swift.min(maxConcurrency ?? inputs.count, inputs.count)
        var results = [Output?](repeating: nil, count: inputs.count)
        try await withThrowingTaskGroup(of: (Int, Output).self) { group in
            var next = 0
            while next < width {
                try Task.checkCancellation()
                let i = next
                group.addTask { (i, body(inputs[i])) }
                next += 1
            }
            while let (i, output) = try await group.next() {
                results[i] = output
                if next < inputs.count {
                    try Task.checkCancellation()
                    let j = next
                    group.addTask { (j, body(inputs[j])) }
                    next += 1
                }
            }
        }
        try Task.checkCancellation()
        return results.map { $0! }
    }
}

/// The argument checks of the batch calls, thrown as typed errors.
enum BatchArguments {
    /// `maxConcurrency` is `nil` or `≥ 1`.
    static func checkConcurrency(_ maxConcurrency: Int?) throws(ImplicitDifferentiationError) {
        if let c = maxConcurrency, !(c >= 1) {
            throw .invalidOption("maxConcurrency is \(c); it must be ≥ 1 (or nil for one task per core)")
        }
    }

    /// One `what` per input.
    static func checkCounts(_ count: Int, _ what: String, inputs: Int) throws(ImplicitDifferentiationError) {
        if count != inputs {
            throw .dimensionMismatch("\(count) \(what) for \(inputs) inputs; give one per input")
        }
    }
}

extension ImplicitFunction {
    /// Linearizes at every input of a batch concurrently and applies `body`
    /// to each linearization (one forward solve and one factorization per
    /// instance, as in the sequential loop).
    ///
    /// ```swift
    /// let grads = try await f.batch(xs, arguments: a) { lin in try lin.vjp(ybar) }
    /// ```
    ///
    /// - Parameters:
    ///   - inputs: the batch of `x`.
    ///   - arguments: the solver's extra arguments, shared by every instance.
    ///   - maxConcurrency: the most instances in flight, or `nil` (one per core).
    ///   - body: what to compute from each linearization.
    /// - Returns: `body`'s results in input order.
    /// - Throws: the error of the lowest-indexed failing instance — the error
    ///   the sequential loop would have thrown first — as an
    ///   ``ImplicitDifferentiationError``; `CancellationError` when the
    ///   calling task is cancelled (no instance starts after that).
    public func batch<R: Sendable>(
        _ inputs: [[Double]], arguments: Arguments, maxConcurrency: Int? = nil,
        _ body: @escaping @Sendable (ImplicitLinearization<Byproduct>) throws(ImplicitDifferentiationError) -> R
    ) async throws -> [R] {
        let outcomes = try await BatchEvaluation.map(inputs, maxConcurrency: maxConcurrency) {
            x -> Result<R, ImplicitDifferentiationError> in
            do throws(ImplicitDifferentiationError) {
                return .success(try body(try self.linearize(at: x, arguments: arguments)))
            } catch {
                return .failure(error)
            }
        }
        return try outcomes.map { (r: Result<R, ImplicitDifferentiationError>) throws(ImplicitDifferentiationError) -> R in
            try r.get()
        }
    }

    /// `y(x)` for every input, concurrently (forward solves only).
    ///
    /// - Throws: the lowest-indexed instance's forward-solve error; `CancellationError`.
    public func values(at inputs: [[Double]], arguments: Arguments, maxConcurrency: Int? = nil)
        async throws -> [[Double]]
    {
        let outcomes = try await BatchEvaluation.map(inputs, maxConcurrency: maxConcurrency) {
            x -> Result<[Double], ImplicitDifferentiationError> in
            do throws(ImplicitDifferentiationError) { return .success(try self.solve(x, arguments: arguments).y) } catch {
                return .failure(error)
            }
        }
        return try outcomes.map { (r: Result<[Double], ImplicitDifferentiationError>) throws(ImplicitDifferentiationError) in
            try r.get()
        }
    }

    /// The Jacobian `∂y/∂x` of every instance, concurrently.
    ///
    /// - Throws: the lowest-indexed failing instance's error; `CancellationError`.
    public func jacobians(at inputs: [[Double]], arguments: Arguments, maxConcurrency: Int? = nil)
        async throws -> [Matrix]
    {
        try await batch(inputs, arguments: arguments, maxConcurrency: maxConcurrency) {
            lin throws(ImplicitDifferentiationError) in try lin.jacobian()
        }
    }

    /// The VJP `x̄ᵢ = Jᵢᵀ ȳᵢ` of every instance `i`, concurrently.
    ///
    /// - Parameters:
    ///   - inputs: the batch of `x`.
    ///   - cotangents: one `ȳ` per input (same count).
    ///   - arguments: the extra, non-differentiated arguments of the solver.
    ///   - maxConcurrency: the most instances in flight, or `nil` (one per core).
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)`` when
    ///   the counts differ; the lowest-indexed failing instance's error; `CancellationError`.
    public func vjps(at inputs: [[Double]], cotangents: [[Double]], arguments: Arguments, maxConcurrency: Int? = nil)
        async throws -> [[Double]]
    {
        try BatchArguments.checkCounts(cotangents.count, "cotangents", inputs: inputs.count)
        let pairs = zip(inputs, cotangents).map { ($0, $1) }
        let outcomes = try await BatchEvaluation.map(pairs, maxConcurrency: maxConcurrency) {
            pair -> Result<[Double], ImplicitDifferentiationError> in
            do throws(ImplicitDifferentiationError) {
                return .success(try self.linearize(at: pair.0, arguments: arguments).vjp(pair.1))
            } catch {
                return .failure(error)
            }
        }
        return try outcomes.map { (r: Result<[Double], ImplicitDifferentiationError>) throws(ImplicitDifferentiationError) in
            try r.get()
        }
    }
}

extension ImplicitFunction where Arguments == Void {
    /// `y(x)` for every input, concurrently; see ``values(at:arguments:maxConcurrency:)``.
    public func values(at inputs: [[Double]], maxConcurrency: Int? = nil)
        async throws -> [[Double]]
    {
        try await values(at: inputs, arguments: (), maxConcurrency: maxConcurrency)
    }

    /// Every instance's Jacobian, concurrently; see ``jacobians(at:arguments:maxConcurrency:)``.
    public func jacobians(at inputs: [[Double]], maxConcurrency: Int? = nil)
        async throws -> [Matrix]
    {
        try await jacobians(at: inputs, arguments: (), maxConcurrency: maxConcurrency)
    }

    /// Every instance's VJP, concurrently; see ``vjps(at:cotangents:arguments:maxConcurrency:)``.
    public func vjps(at inputs: [[Double]], cotangents: [[Double]], maxConcurrency: Int? = nil)
        async throws -> [[Double]]
    {
        try await vjps(at: inputs, cotangents: cotangents, arguments: (), maxConcurrency: maxConcurrency)
    }
}
