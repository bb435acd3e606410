extension Array {
    /// An array of exactly `count` elements, each initialized by `body` through
    /// the buffer (every one of the `count` slots must be initialized).
    ///
    /// The standard library's `init(unsafeUninitializedCapacity:initializingWith:)`
    /// stores the element count into the buffer header even when the capacity is
    /// 0 and the buffer is the process-wide empty-array storage; two threads
    /// doing that at once is a data race for ThreadSanitizer. This initializer
    /// returns `[]` for `count == 0` without calling `body`.
    @inlinable
    init(uninitializedCount count: Int, initializingWith body: (UnsafeMutableBufferPointer<Element>) -> Void) {
        guard count > 0 else {
            self = []
            return
        }
        self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            body(buffer)
            initialized = count
        }
    }
}
