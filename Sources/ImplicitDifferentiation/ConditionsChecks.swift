import LinearAlgebra

/// How finite-difference conditions are reported (``DerivativeReport/differentiation``).
let finiteDifferenceLabel = "central finite differences"

extension ConditionsModel {
    /// Checks, once per point, what the conditions' derivatives will return
    /// against the lengths of `F`, `x` and `y` (hand-written products and
    /// matrices; the matrices are built here once and kept), so
    /// that a wrong length is a typed error naming the closure rather than a
    /// trap inside a kernel.
    ///
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)``.
    func checkProducts(_ local: LocalConditions, _ x: [Double], _ y: [Double], _ z: Byproduct)
        throws(ImplicitDifferentiationError)
    {
        try productLengthCheck?(x, y, z, local.k)
        if givesMatrices {
            let a = local.a.materialize(), b = local.b.materialize()
            guard a.rows == local.k, a.columns == y.count, b.rows == local.k, b.columns == x.count else {
                throw .dimensionMismatch("HandwrittenConditions: jacobians returned ∂F/∂x \(b.rows)×\(b.columns) and "
                    + "∂F/∂y \(a.rows)×\(a.columns), expected \(local.k)×\(x.count) and \(local.k)×\(y.count) "
                    + "(F's length × the lengths of x and y)")
            }
        }
    }
}

extension HandwrittenConditions {
    /// Calls `jvp` once in `x`, once in `y` and `vjp` once, and compares the
    /// lengths they return with `k` (F's length), `x.count` and `y.count`.
    ///
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)`` naming the closure.
    func checkProductLengths(x: [Double], y: [Double], z: Byproduct, k: Int) throws(ImplicitDifferentiationError) {
        guard let jvp, let vjp else { return }
        let inX = jvp(x, y, z, [Double](repeating: 0, count: x.count), nil).count
        let inY = jvp(x, y, z, nil, [Double](repeating: 0, count: y.count)).count
        guard inX == k, inY == k else {
            throw .dimensionMismatch("HandwrittenConditions: jvp returned \(inX == k ? inY : inX) values for a tangent in "
                + "\(inX == k ? "y" : "x"), expected \(k) (= the length of F's value)")
        }
        let r = vjp(x, y, z, [Double](repeating: 0, count: k))
        guard r.x.count == x.count, r.y.count == y.count else {
            throw .dimensionMismatch("HandwrittenConditions: vjp returned (\(r.x.count), \(r.y.count)) values, expected "
                + "(\(x.count), \(y.count)) (= the lengths of x and y)")
        }
    }
}

/// A value built on first use and kept (thread-safe): finite-difference
/// `∂F/∂y` serves every transposed product of a linearization from one
/// build, and hand-written Jacobians are called once per point.
final class Lazy<Value: Sendable>: Sendable {
    private let build: @Sendable () -> Value
    private let cached = Locked<Value?>(nil)

    init(_ build: @escaping @Sendable () -> Value) { self.build = build }

    /// The value, built by the first caller.
    @Sendable func get() -> Value {
        cached.withLock { v in
            if let v { return v }
            let fresh = build()
            v = fresh
            return fresh
        }
    }
}

/// `v` when it has `count` values, else `count` NaNs: a user closure whose
/// output length changed after the per-point check poisons the product
/// (every solve and product refuses NaN) instead of trapping in a kernel.
@usableFromInline
func lengthOrNaN(_ v: [Double], _ count: Int) -> [Double] {
    v.count == count ? v : [Double](repeating: .nan, count: count)
}

extension String {
    /// `nil` for the empty string.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
