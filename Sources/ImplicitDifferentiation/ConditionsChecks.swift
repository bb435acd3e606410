import LinearAlgebra

/// How finite-difference conditions are reported (``DerivativeReport/differentiation``).
let finiteDifferenceLabel = "central finite differences"

extension ConditionsModel {
    /// Checks, once per point, the shapes of the matrices that hand-written
    /// Jacobians return (built here once and kept) against the lengths of
    /// `F`, `x` and `y`, so that a wrong shape is a typed error naming the
    /// closure rather than a trap inside a kernel. Hand-written products are
    /// checked on each call instead (``ProductLengthFault``).
    ///
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)``.
    func checkProducts(_ local: LocalConditions, _ x: [Double], _ y: [Double], _ z: Byproduct)
        throws(ImplicitDifferentiationError)
    {
        guard givesMatrices else { return }
        let a = local.a.materialize(), b = local.b.materialize()
        guard a.rows == local.k, a.columns == y.count, b.rows == local.k, b.columns == x.count else {
            throw .dimensionMismatch("HandwrittenConditions: jacobians returned ∂F/∂x \(b.rows)×\(b.columns) and "
                + "∂F/∂y \(a.rows)×\(a.columns), expected \(local.k)×\(x.count) and \(local.k)×\(y.count) "
                + "(F's length × the lengths of x and y)")
        }
    }
}

/// The first product of a hand-written `jvp` or `vjp` closure that returned
/// the wrong number of values at one point.
///
/// The product itself becomes NaNs (``lengthOrNaN(_:_:)``), which every
/// solve and product refuses; the call that was linearizing or
/// differentiating then throws this error, which names the closure, instead
/// of the error the NaNs caused (``LocalConditions/reportingLengthFaults(_:)``).
/// The lengths are checked on the products the derivative makes anyway, so
/// the check costs no extra call of the user's closures.
@usableFromInline
final class ProductLengthFault: Sendable {
    private let first = Locked<ImplicitDifferentiationError?>(nil)

    /// Keeps `error` unless an earlier fault was recorded.
    func record(_ error: @autoclosure () -> ImplicitDifferentiationError) {
        first.withLock { if $0 == nil { $0 = error() } }
    }

    /// The first fault, or `nil`.
    var error: ImplicitDifferentiationError? { first.withLock { $0 } }

    /// `v` when it has `count` values (a `jvp` output of length `k`); else
    /// records the fault and returns `count` NaNs.
    func checkedJVP(_ v: [Double], count k: Int, tangentInX: Bool) -> [Double] {
        if v.count != k {
            record(.dimensionMismatch("HandwrittenConditions: jvp returned \(v.count) values for a tangent in "
                + "\(tangentInX ? "x" : "y"), expected \(k) (= the length of F's value)"))
        }
        return lengthOrNaN(v, k)
    }

    /// The `vjp` output when its parts have `n` and `m` values; else records
    /// the fault and returns NaNs of those lengths.
    func checkedVJP(_ r: (x: [Double], y: [Double]), n: Int, m: Int) -> (x: [Double], y: [Double]) {
        if r.x.count != n || r.y.count != m {
            record(.dimensionMismatch("HandwrittenConditions: vjp returned (\(r.x.count), \(r.y.count)) values, "
                + "expected (\(n), \(m)) (= the lengths of x and y)"))
        }
        return (lengthOrNaN(r.x, n), lengthOrNaN(r.y, m))
    }
}

extension LocalConditions {
    /// Runs `body`; when a hand-written product returned a wrong length
    /// meanwhile, throws that fault (naming the closure) in place of
    /// `body`'s error or result.
    func reportingLengthFaults<R>(_ body: () throws(ImplicitDifferentiationError) -> R)
        throws(ImplicitDifferentiationError) -> R
    {
        guard let lengthFault else { return try body() }
        let result: R
        do { result = try body() } catch { throw lengthFault.error ?? error }
        if let fault = lengthFault.error { throw fault }
        return result
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
