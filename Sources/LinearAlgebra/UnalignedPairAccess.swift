/// Loads and stores of two `Double`s at any alignment, for the kernels that run
/// on `SIMD2<Double>` lanes (a kernel enum conforms and calls `load` / `store`).
package protocol UnalignedPairAccess {}

extension UnalignedPairAccess {
    /// Two doubles from `p` (any alignment).
    @inlinable @inline(__always)
    package static func load(_ p: UnsafePointer<Double>) -> SIMD2<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD2<Double>.self)
    }

    /// Two doubles from `p` (any alignment).
    @inlinable @inline(__always)
    package static func load(_ p: UnsafeMutablePointer<Double>) -> SIMD2<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD2<Double>.self)
    }

    /// Two doubles to `p` (any alignment).
    @inlinable @inline(__always)
    package static func store(_ v: SIMD2<Double>, _ p: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD2<Double>.self)
    }
}
