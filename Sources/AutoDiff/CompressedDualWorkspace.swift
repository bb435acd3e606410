import LinearAlgebra

/// The buffers that ``AD/compressedJacobians(of:x:y:a:b:verifySeed:workspace:multiplyingY:)`` fills on
/// every call, kept between calls so that repeated evaluations at one shape reuse them instead of
/// allocating (and faulting in) fresh ones: the seeded ``DualN`` copies of `x` and `y`, the
/// lanes read back from `F`'s output, the verification lane's random directions and the map of
/// the lanes onto the Jacobians' entries; and `F`'s dual output itself when `F` writes it in place
/// (``DifferentiableBivariateFunction/evaluate(_:_:into:)``), so that such an `F` allocates nothing.
///
/// Safe to share between threads: a call takes a set of buffers out of the workspace (or makes
/// one when none is free) and gives it back when it is done, so concurrent calls never share a
/// buffer; at most ``kept`` sets are kept.
public final class CompressedDualWorkspace: Sendable {
    /// One call's buffers.
    @usableFromInline
    struct Buffers: Sendable {
        /// The seeded `x` and `y` of each pass width `N`, as `[DualN<N>]`, keyed by ``key(width:inX:)``.
        @usableFromInline var duals: [Int: any Sendable] = [:]
        /// The lanes of one pass read from `F`'s output.
        @usableFromInline var lanes: [Double] = []
        /// The verification lane's directions of the last call, reused while seed and lengths match.
        @usableFromInline var directions: VerificationDirections? = nil
        /// What the seeded `x` and `y` in ``duals`` were seeded for, by the same keys.
        @usableFromInline var seeds: [Int: SeedSignature] = [:]
        /// The lane map of the last call (``CompressedLaneMap``), reused while it fits the run.
        @usableFromInline var laneMap: CompressedLaneMap? = nil
        /// `F`'s output of each pass width `N`, as `[DualN<N>]`, keyed by the width.
        @usableFromInline var outputs: [Int: any Sendable] = [:]
        /// Whether `F` wrote its output into the buffer it was given (`nil` until a pass tells):
        /// only then are the outputs kept.
        @usableFromInline var writesInPlace: Bool? = nil

        @usableFromInline init() {}
    }

    /// The most sets of buffers kept for later calls.
    public static let kept = 1

    private let free = Locked<[Buffers]>([])

    /// An empty workspace.
    public init() {}

    /// A free set of buffers, or a new empty one.
    @usableFromInline
    func take() -> Buffers {
        free.withLock { $0.popLast() } ?? Buffers()
    }

    /// Gives `buffers` back for a later call (dropped when ``kept`` sets are already kept).
    @usableFromInline
    func giveBack(_ buffers: consuming Buffers) {
        let b = buffers
        free.withLock { if $0.count < Self.kept { $0.append(b) } }
    }
}

extension CompressedDualWorkspace.Buffers {
    /// The lane map of `run`: the kept one when it fits, else a new one (kept), or `nil`
    /// when the run's colourings give none.
    @inlinable
    mutating func laneMap(for run: CompressedDualRun) -> CompressedLaneMap? {
        if let map = laneMap, map.fits(run) { return map }
        laneMap = CompressedLaneMap(run)
        return laneMap
    }

    /// The key of the seeded `x` (`inX`) or `y` of pass width `width` in ``duals``.
    @inlinable
    static func key(width: Int, inX: Bool) -> Int { 2 * width + (inX ? 1 : 0) }

    /// The seeded `x` (`inX`) or `y` of width `N`, moved out of ``duals`` so that it is uniquely
    /// referenced (give it back with ``store(_:inX:)``); empty when there is none.
    @inlinable
    mutating func claim<let N: Int>(inX: Bool, as: DualN<N>.Type) -> [DualN<N>] {
        (duals.removeValue(forKey: Self.key(width: N, inX: inX)) as? [DualN<N>]) ?? []
    }

    /// What the kept seeded `x` (`inX`) or `y` of width `width` was seeded for, if anything.
    @inlinable
    func seeded(inX: Bool, width: Int) -> SeedSignature? { seeds[Self.key(width: width, inX: inX)] }

    /// Records that the seeded `x` (`inX`) or `y` of width `width` now holds the seeds of `signature`.
    @inlinable
    mutating func recordSeeds(_ signature: SeedSignature, inX: Bool, width: Int) {
        seeds[Self.key(width: width, inX: inX)] = signature
    }

    /// Keeps `buffer`, the seeded `x` (`inX`) or `y` of width `N`, for the next pass of that width.
    @inlinable
    mutating func store<let N: Int>(_ buffer: [DualN<N>], inX: Bool) {
        duals[Self.key(width: N, inX: inX)] = buffer
    }
}

extension CompressedDualWorkspace.Buffers {
    /// The buffer for `F`'s output of width `N` (`rows` long), moved out of ``outputs`` so that it
    /// is uniquely referenced: empty when `F` does not write in place (it allocates its own), else
    /// the kept one, or a new zero-filled one when none of that length is kept.
    @inlinable
    mutating func claimOutput<let N: Int>(rows: Int, as: DualN<N>.Type) -> [DualN<N>] {
        if writesInPlace == false { return [] }
        let kept = (outputs.removeValue(forKey: N) as? [DualN<N>]) ?? []
        return kept.count == rows ? kept : [DualN<N>](repeating: DualN<N>(0), count: rows)
    }

    /// Keeps `output`, `F`'s output of width `N`, when `F` wrote it into the buffer it was given
    /// (`reused`); otherwise records that `F` does not write in place and keeps no outputs.
    @inlinable
    mutating func storeOutput<let N: Int>(_ output: [DualN<N>], reused: Bool) {
        writesInPlace = reused
        if reused { outputs[N] = output } else { outputs = [:] }
    }
}

/// What the partials of a seeded argument depend on (``CompressedDualRun/seedSignature(inX:lanes:)``):
/// the pass's lanes, the block's first lane and colours, the verification lane's slot and weights.
/// Arrays that share storage compare in constant time.
@usableFromInline
struct SeedSignature: Sendable, Equatable {
    let lanes: Range<Int>
    let colorLane: Int
    let verifyAt: Int
    let colors: [Int]
    let weights: [Double]

    @usableFromInline
    init(lanes: Range<Int>, colorLane: Int, verifyAt: Int, colors: [Int], weights: [Double]) {
        self.lanes = lanes
        self.colorLane = colorLane
        self.verifyAt = verifyAt
        self.colors = colors
        self.weights = weights
    }
}
