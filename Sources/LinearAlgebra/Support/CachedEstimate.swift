// Support: a concurrency helper, not linear algebra. It lives beside
// `Locked` in LinearAlgebra, the lowest layer, because the factorizations
// here keep their condition estimates in it.

import Synchronization

/// A `Double` computed on first use and then reused, shared by every copy of
/// the value that owns it.
///
/// The factorizations keep their condition estimates here: LAPACK's
/// estimators (`dgecon`, `dpocon`) cost several triangular solves (a
/// noticeable share of the factorization; see `docs/performance.md`), so a
/// factorization that is only solved with never pays for them, and one that
/// is asked pays once.
///
/// Thread-safe without a lock: the computation is deterministic, so two
/// threads that race both compute the same number and either store wins.
@usableFromInline
final class CachedEstimate: Sendable {
    /// A signalling-NaN bit pattern that no estimator returns: "not computed yet".
    private static let unset: UInt64 = 0x7FF4_0000_0000_0001
    private let bits = Atomic<UInt64>(CachedEstimate.unset)

    @usableFromInline init() {}

    /// `true` once the value has been computed and stored.
    var isComputed: Bool { bits.load(ordering: .acquiring) != CachedEstimate.unset }

    /// The cached value, computing and storing it with `compute` the first time.
    @usableFromInline
    func value(_ compute: () -> Double) -> Double {
        let stored = bits.load(ordering: .acquiring)
        if stored != CachedEstimate.unset { return Double(bitPattern: stored) }
        let fresh = compute()
        bits.store(fresh.bitPattern, ordering: .releasing)
        return fresh
    }
}
