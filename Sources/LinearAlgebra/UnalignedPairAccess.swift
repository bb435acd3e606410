// Loads and stores of two doubles at any alignment, for the kernels that run on SIMD2<Double>
// lanes (kernel helpers: raw pointers, no checks).

/// Two doubles from `p` (any alignment).
@inlinable @inline(__always)
package func loadPair(_ p: UnsafePointer<Double>) -> SIMD2<Double> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD2<Double>.self)
}

/// Two doubles from `p` (any alignment).
@inlinable @inline(__always)
package func loadPair(_ p: UnsafeMutablePointer<Double>) -> SIMD2<Double> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD2<Double>.self)
}

/// Two doubles to `p` (any alignment).
@inlinable @inline(__always)
package func storePair(_ v: SIMD2<Double>, _ p: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD2<Double>.self)
}
