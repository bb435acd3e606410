#if canImport(Glibc)
import Glibc
#endif
import AutoDiff
import LinearAlgebra

// The structure of A = ∂F/∂y, detected once per implicit function and reused:
//
//   first call at (k, m, n)   record F, detect A's pattern (and B's), colour them (when sparse), store
//   later calls               reuse the stored colourings: F on DualN lanes at the new point gives
//                             A, B and a random verification lane (SparseLinearization+Dual.swift;
//                             a recording swept by colour and verified when that path does not apply)
//   verification fails       (control flow on values changed the pattern) detect again, store,
//                             and say so in the plan's note
//
// A wrong number cannot come out of a stale entry: the values are always checked
// against an independent product at the point where they are used.

/// The structure of `A = ∂F/∂y` detected from one recording.
@usableFromInline
struct DetectedStructure: Sendable {
    /// The pattern of `A` (`k × m`).
    let pattern: SparsityPattern
    /// The colourings for compressed sweeps, or `nil` when the pattern is
    /// too full to be worth colouring (``isDense``).
    let compression: JacobianCompression?
    /// The number of operations of `F` on the tape (the recording's node
    /// count): the cost model's measure of one plain evaluation.
    @usableFromInline let operationCount: Int
    /// `T_F`: one plain evaluation of `F` on `Double`, in seconds, timed once
    /// when the pattern was detected (`0` when not timed).
    let evaluationSeconds: Double
    /// One reverse sweep of the recording, in seconds, timed with `T_F` (`0` when not timed).
    let sweepSeconds: Double
    /// `B = ∂F/∂x`'s pattern and column colouring when it has few colours
    /// (``InputBlock/maxColors``), for the tape-free evaluation; `nil` otherwise.
    let input: InputBlock?
    /// What the choice of factorization reads from ``pattern``: diagonal, bandwidths, band LU shape.
    let shape: PatternShape
    /// One accumulation of `A` and `B` from the recording
    /// (``BivariateLinearization/accumulatedJacobians(sharedEntryLimit:)``), in seconds, timed
    /// by the first cost-model decision on a dense pattern; `nil` when it was not tried (a sparse
    /// pattern, `[B | A]` above ``accumulationTrialEntries`` or the memory limit) or when it declined.
    @usableFromInline var accumulationSeconds: Double? = nil
    /// The accumulation was considered (timed, declined, or ruled out by size) at these shapes.
    var accumulationTried = false
    /// The Gershgorin disc bound of the `A` that the timed accumulation gave
    /// (``GershgorinDiscBound``), the cost model's estimate for GMRES on an accumulated `A`;
    /// `nil` when there was none or it proved nothing.
    var accumulatedDiscBound: GershgorinDiscBound? = nil
    /// The buffers of the tape-free evaluations at these shapes, reused from call to call.
    @usableFromInline let workspace = CompressedDualWorkspace()
    /// The values buffer of `A`'s diagonal form at these shapes, reused from call to call.
    let diagonalBuffer = DiagonalFormBuffer()

    /// `true` when more than a quarter of `A`'s entries are structurally non-zero:
    /// then no sparse candidate can beat the dense one, and the pattern is not coloured.
    static func isDense(_ pattern: SparsityPattern) -> Bool {
        let (cells, overflow) = pattern.rows.multipliedReportingOverflow(by: pattern.columns)
        return !overflow && 4 * pattern.nonZeroCount > cells
    }

    /// The pattern of the recording `t`, coloured unless it is dense.
    @usableFromInline
    init(_ t: BivariateLinearization, evaluationSeconds: Double, sweepSeconds: Double) {
        let patterns = t.jacobianPatterns()
        pattern = patterns.y
        compression = Self.isDense(pattern) ? nil : JacobianCompression(pattern)
        operationCount = t.recording.nodeCount
        self.evaluationSeconds = evaluationSeconds
        self.sweepSeconds = sweepSeconds
        input = InputBlock(patterns.x)
        shape = PatternShape(pattern)
    }

    /// The most entries `k·(n + m)` of `[B | A]` for which detection times an accumulation.
    static let accumulationTrialEntries = 1 << 22

    /// The accumulation's work limit for a recording of `nodes` nodes with `k` outputs and
    /// `n + m` inputs: one shared-list entry per node plus one per entry of `[B | A]`.
    @usableFromInline
    static func accumulationLimit(nodes: Int, k: Int, inputs: Int) -> Int {
        let (entries, overflow) = k.multipliedReportingOverflow(by: inputs)
        return overflow ? Int.max / 2 : Swift.min(Int.max / 2, nodes + entries)
    }

    /// A detected structure with its colouring made now (for ``Representation/sparse`` on a dense pattern);
    /// `shape` is `pattern`'s when known (read from it otherwise).
    init(pattern: SparsityPattern, compression: JacobianCompression, operationCount: Int, evaluationSeconds: Double,
         sweepSeconds: Double, input: InputBlock?, shape: PatternShape? = nil) {
        self.pattern = pattern
        self.compression = compression
        self.operationCount = operationCount
        self.evaluationSeconds = evaluationSeconds
        self.sweepSeconds = sweepSeconds
        self.input = input
        self.shape = shape ?? PatternShape(pattern)
    }

    /// The shortest of several timed calls of `body`, in seconds of the calling
    /// thread's processor time: at least two calls, at most ``timedCalls``, and no
    /// more once the shortest call times the calls made reaches ``timingBudget``.
    ///
    /// The model needs the order of magnitude of one undisturbed call. Processor
    /// time does not count the time the thread waits for the processor, which on
    /// a loaded machine can be milliseconds for a body of microseconds (enough to
    /// make `F` look hundreds of times dearer than a sweep and turn the choice);
    /// the shortest call drops the remaining disturbances (cache misses after
    /// another process ran). Short bodies get the most calls.
    @usableFromInline
    static func seconds(_ body: () -> Void) -> Double {
        var best = Double.infinity
        for call in 0..<timedCalls {
            let start = threadProcessorSeconds()
            body()
            best = Swift.min(best, threadProcessorSeconds() - start)
            if call >= 1, best * Double(call + 1) >= timingBudget { break }
        }
        return best
    }

    /// The most calls ``seconds(_:)`` makes.
    @usableFromInline static var timedCalls: Int { 7 }
    /// The undisturbed time after which ``seconds(_:)`` stops calling (once it has two calls).
    @usableFromInline static var timingBudget: Double { 0.01 }

    /// The processor time the calling thread has used, in seconds (the monotonic
    /// clock where the platform has no per-thread clock).
    static func threadProcessorSeconds() -> Double {
        #if canImport(Glibc)
        var t = timespec()
        if clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0 { return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9 }
        #endif
        return monotonicSeconds()
    }

    /// Seconds on the monotonic clock since the first call.
    static func monotonicSeconds() -> Double {
        let (s, attoseconds) = monotonicOrigin.duration(to: ContinuousClock.now).components
        return Double(s) + Double(attoseconds) * 1e-18
    }

    /// The origin of ``monotonicSeconds()``.
    static let monotonicOrigin = ContinuousClock.now
}

/// The structures detected by one ``ImplicitFunction`` (and its copies),
/// keyed by the shapes `(k, m, n)`; safe to use from any thread.
///
/// A reference type inside a value type: copies of the function share the
/// cache, which only ever holds what a recording showed, never a value that
/// is used without being verified at the point of use.
@usableFromInline
final class StructureCache: Sendable {
    /// The shapes a structure belongs to: `k` equations, `m` unknowns in `y`, `n` inputs in `x`.
    @usableFromInline
    struct Key: Hashable, Sendable {
        let k: Int, m: Int, n: Int

        @usableFromInline
        init(k: Int, m: Int, n: Int) {
            self.k = k
            self.m = m
            self.n = n
        }
    }

    private let entries = Locked<[Key: DetectedStructure]>([:])

    /// The symbolic analyses of the sparse factorizations made for these structures.
    let sparseAnalyses = SparseAnalyses()

    init() {}

    /// The structure stored for `key`, if any.
    @usableFromInline
    func structure(for key: Key) -> DetectedStructure? {
        entries.withLock { $0[key] }
    }

    /// The structure stored for `m` unknowns and `n` inputs (whatever `k`), with its key, if any:
    /// the lookup made before `F` is evaluated, when `k` is not known yet.
    func structure(unknowns m: Int, inputs n: Int) -> (key: Key, structure: DetectedStructure)? {
        entries.withLock { e in e.first { $0.key.m == m && $0.key.n == n }.map { ($0.key, $0.value) } }
    }

    /// Stores `structure` for `key`, replacing what was there.
    @usableFromInline
    func store(_ structure: DetectedStructure, for key: Key) {
        entries.withLock { $0[key] = structure }
    }
}
