import LinearAlgebra

/// The log where an ``ImplicitFunction`` records failures it cannot throw.
///
/// The library never returns a plausible wrong number. The throwing API
/// (``ImplicitFunction/linearize(at:arguments:)`` and friends) throws an
/// ``ImplicitDifferentiationError``; three paths cannot throw, because the
/// code around them is non-throwing by design:
///
/// - generic evaluation `f(x)` with `x: [T]` (duals, the tape, conditions of
///   another implicit function — see `ImplicitFunction+Generic.swift`);
/// - products swept later on a recorded tape (a custom node's JVP or VJP);
/// - the Swift `_Differentiation` bridge (`ImplicitFunction.solution(at:)`).
///
/// There, the affected values or derivatives are **NaN** (every entry), and the
/// error is appended here with the path it came from:
///
/// ```swift
/// let loss = model(x)                          // generic, non-throwing
/// if let failure = root.diagnostics.last {     // NaNs came with a reason
///     print(failure)                           // "tape VJP at x = [...]: ∂F/∂y is singular; ..."
/// }
/// ```
///
/// Thread-safe: many tasks may record into one log. It keeps the most recent
/// ``capacity`` entries and counts all of them (``totalCount``). Copies of an
/// ``ImplicitFunction`` share its log.
public final class ImplicitDiagnostics: Sendable {
    /// One recorded failure.
    public struct Failure: Sendable, CustomStringConvertible {
        /// What went wrong (the error the throwing API would have thrown).
        public let error: ImplicitDifferentiationError
        /// Which non-throwing path hit it, e.g. `"generic value"`, `"tape VJP"`,
        /// `"Swift AD pullback"`.
        public let path: String
        /// The input `x` (primal values) of the failing call.
        public let x: [Double]

        /// One line: path, input and the error's advice.
        public var description: String {
            let shown = x.prefix(6).map { "\($0)" }.joined(separator: ", ")
            return "\(path) at x = [\(shown)\(x.count > 6 ? ", …" : "")]: \(error.description)"
        }
    }

    struct State {
        var failures: [Failure] = []
        var total = 0
        var lastOutputCount: Int? = nil
    }

    let state = Locked(State())

    /// The most entries kept (older ones are dropped; ``totalCount`` still counts them).
    public let capacity: Int

    /// An empty log keeping the last `capacity` failures (`capacity ≥ 1`).
    ///
    /// - Precondition: `capacity ≥ 1` (a constant of the program, not a computed value).
    public init(capacity: Int = 64) {
        precondition(capacity >= 1, "ImplicitDiagnostics: capacity must be ≥ 1")
        self.capacity = capacity
    }

    /// The kept failures, oldest first.
    public var failures: [Failure] { state.withLock { $0.failures } }

    /// The most recent failure, or `nil` when none was recorded.
    public var last: Failure? { state.withLock { $0.failures.last } }

    /// Every failure recorded since creation or the last ``removeAll()``.
    public var totalCount: Int { state.withLock { $0.total } }

    /// `true` when nothing was recorded.
    public var isEmpty: Bool { totalCount == 0 }

    /// Forgets every failure.
    public func removeAll() {
        state.withLock { $0.failures.removeAll(); $0.total = 0 }
    }

    /// Appends a failure (cold path).
    @inline(never)
    func record(_ error: ImplicitDifferentiationError, path: String, x: [Double]) {
        let failure = Failure(error: error, path: path, x: x)
        state.withLock {
            $0.total += 1
            $0.failures.append(failure)
            if $0.failures.count > capacity { $0.failures.removeFirst($0.failures.count - capacity) }
        }
    }

    /// The length of `y` at the last successful forward solve: the length of
    /// the NaN vector returned when a later solve fails (`y`'s length is then unknown).
    var lastOutputCount: Int? {
        get { state.withLock { $0.lastOutputCount } }
        set { state.withLock { $0.lastOutputCount = newValue } }
    }
}
