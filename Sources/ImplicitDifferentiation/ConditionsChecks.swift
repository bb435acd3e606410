import LinearAlgebra

/// How finite-difference conditions are reported (``DerivativeReport/differentiation``).
let finiteDifferenceLabel = "central finite differences"

extension ConditionsModel {
    /// Checks, once per point, what the conditions' derivatives will return
    /// against the lengths of `F`, `x` and `y` (hand-written products), so
    /// that a wrong length is a typed error naming the closure rather than a
    /// trap inside a kernel.
    ///
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)``.
    func checkProducts(_ local: LocalConditions, _ x: [Double], _ y: [Double], _ z: Byproduct)
        throws(ImplicitDifferentiationError)
    {
        try productLengthCheck?(x, y, z, local.k)
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

/// A matrix built on first use and kept (thread-safe): finite-difference
/// `∂F/∂y` serves every transposed product of a linearization from one build.
final class LazyMatrix: Sendable {
    private let build: @Sendable () -> Matrix
    private let cached = Locked<Matrix?>(nil)

    init(_ build: @escaping @Sendable () -> Matrix) { self.build = build }

    /// The matrix, built by the first caller.
    @Sendable func get() -> Matrix {
        cached.withLock { m in
            if let m { return m }
            let fresh = build()
            m = fresh
            return fresh
        }
    }
}

extension String {
    /// `nil` for the empty string.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
