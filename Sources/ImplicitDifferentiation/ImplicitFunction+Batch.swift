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
    /// - Parameters:
    ///   - inputs: the work items.
    ///   - maxConcurrency: the most items in flight (`≥ 1`), or `nil`.
    ///   - body: pure per-item work (it runs on many threads at once).
    /// - Returns: the results in input order.
    public static func map<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], maxConcurrency: Int? = nil, _ body: @escaping @Sendable (Input) -> Output
    ) async -> [Output] {
        precondition(maxConcurrency.map { $0 >= 1 } ?? true, "BatchEvaluation.map: maxConcurrency must be ≥ 1")
        let width = Swift.min(maxConcurrency ?? inputs.count, inputs.count)
        var results = [Output?](repeating: nil, count: inputs.count)
        await withTaskGroup(of: (Int, Output).self) { group in
            var next = 0
            while next < width {
                let i = next
                group.addTask { (i, body(inputs[i])) }
                next += 1
            }
            while let (i, output) = await group.next() {
                results[i] = output
                if next < inputs.count {
                    let j = next
                    group.addTask { (j, body(inputs[j])) }
                    next += 1
                }
            }
        }
        return results.map { $0! }
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
    ///   the sequential loop would have thrown first.
    public func batch<R: Sendable>(
        _ inputs: [[Double]], arguments: Arguments, maxConcurrency: Int? = nil,
        _ body: @escaping @Sendable (ImplicitLinearization<Byproduct>) throws(ImplicitDifferentiationError) -> R
    ) async throws(ImplicitDifferentiationError) -> [R] {
        let outcomes = await BatchEvaluation.map(inputs, maxConcurrency: maxConcurrency) {
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
    /// - Throws: the lowest-indexed instance's forward-solve error.
    public func values(at inputs: [[Double]], arguments: Arguments, maxConcurrency: Int? = nil)
        async throws(ImplicitDifferentiationError) -> [[Double]]
    {
        let outcomes = await BatchEvaluation.map(inputs, maxConcurrency: maxConcurrency) {
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
    /// - Throws: the lowest-indexed failing instance's error.
    public func jacobians(at inputs: [[Double]], arguments: Arguments, maxConcurrency: Int? = nil)
        async throws(ImplicitDifferentiationError) -> [Matrix]
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
    /// - Throws: the lowest-indexed failing instance's error.
    public func vjps(at inputs: [[Double]], cotangents: [[Double]], arguments: Arguments, maxConcurrency: Int? = nil)
        async throws(ImplicitDifferentiationError) -> [[Double]]
    {
        precondition(cotangents.count == inputs.count, "vjps: \(cotangents.count) cotangents for \(inputs.count) inputs")
        let pairs = zip(inputs, cotangents).map { ($0, $1) }
        let outcomes = await BatchEvaluation.map(pairs, maxConcurrency: maxConcurrency) {
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
        async throws(ImplicitDifferentiationError) -> [[Double]]
    {
        try await values(at: inputs, arguments: (), maxConcurrency: maxConcurrency)
    }

    /// Every instance's Jacobian, concurrently; see ``jacobians(at:arguments:maxConcurrency:)``.
    public func jacobians(at inputs: [[Double]], maxConcurrency: Int? = nil)
        async throws(ImplicitDifferentiationError) -> [Matrix]
    {
        try await jacobians(at: inputs, arguments: (), maxConcurrency: maxConcurrency)
    }

    /// Every instance's VJP, concurrently; see ``vjps(at:cotangents:arguments:maxConcurrency:)``.
    public func vjps(at inputs: [[Double]], cotangents: [[Double]], maxConcurrency: Int? = nil)
        async throws(ImplicitDifferentiationError) -> [[Double]]
    {
        try await vjps(at: inputs, cotangents: cotangents, arguments: (), maxConcurrency: maxConcurrency)
    }
}
