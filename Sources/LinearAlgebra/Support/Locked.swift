// Support: concurrency helpers for the whole package, not linear algebra.
// They live in LinearAlgebra, the lowest layer, so that every target above
// (Krylov, AutoDiff, the implicit layer) can use them without a target of
// their own.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a POSIX mutex, shared safely between threads.
///
/// The package's caches and counters (tape scratch pools, linearization
/// reports, diagnostics) use this rather than `Synchronization.Mutex`:
/// ThreadSanitizer does not see `Mutex`'s futex-based locking
/// on Linux and reports every guarded access as a race, while it intercepts
/// `pthread_mutex_lock` and so checks the real thing.
///
/// ```swift
/// let counter = Locked(0)
/// counter.withLock { $0 += 1 }
/// ```
@usableFromInline
package final class Locked<Value>: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline var value: Value

    /// Creates the lock around `value`.
    @usableFromInline package init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    ///
    /// - Parameter body: reads or mutates the value; must not call
    ///   `withLock` on the same instance (the mutex is not recursive).
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    @inlinable
    package func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result)
        throws(Failure) -> Result
    {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Runs `body` with exclusive access if the lock is free right now;
    /// returns `nil` without waiting when another thread holds it.
    ///
    /// - Parameter body: reads or mutates the value.
    /// - Returns: what `body` returns, or `nil` when the lock was busy.
    @inlinable
    package func withLockIfAvailable<Result>(_ body: (inout Value) -> Result) -> Result? {
        guard pthread_mutex_trylock(mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }
}
