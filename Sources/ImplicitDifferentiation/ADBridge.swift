import AutoDiff
import LinearAlgebra

// The only file that calls the AD layer's drivers: generic conditions bound to
// their byproduct become a bivariate function F(x, y) the drivers accept.

/// Generic conditions with the byproduct fixed: `F_z(x, y) = F(x, y, z)`.
@usableFromInline
struct BoundConditions<C: ImplicitConditionsWithByproduct>: DifferentiableBivariateFunction, Sendable {
    @usableFromInline let conditions: C
    @usableFromInline let byproduct: C.Byproduct

    @inlinable
    init(conditions: C, byproduct: C.Byproduct) {
        self.conditions = conditions
        self.byproduct = byproduct
    }

    @inlinable
    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
        conditions(x: x, y: y, byproduct: byproduct)
    }
}

/// One recording of the conditions at `(x, y)`, swept forward for `B ẋ + A ẏ`
/// and backward for `(Bᵀu, Aᵀu)` as often as needed.
@usableFromInline
struct ConditionsTape: Sendable {
    @usableFromInline let linearization: BivariateLinearization

    @usableFromInline
    init(linearization: BivariateLinearization) { self.linearization = linearization }

    // A recording whose output length differs from F's length on Double (conditions whose
    // length depends on the scalar type) answers NaNs, which every solve refuses, not a trap.

    @inlinable
    func forward(dx: [Double]?, dy: [Double]?, into out: inout [Double]) {
        guard out.count == linearization.outputCount else { return out = lengthOrNaN([], out.count) }
        linearization.jvp(dx: dx, dy: dy, into: &out)
    }

    @inlinable
    func reverseY(_ u: [Double], into out: inout [Double]) {
        guard u.count == linearization.outputCount else { return out = lengthOrNaN([], out.count) }
        linearization.vjp(u, intoY: &out)
    }

    @inlinable
    func reverseX(_ u: [Double], into out: inout [Double]) {
        guard u.count == linearization.outputCount else { return out = lengthOrNaN([], out.count) }
        linearization.vjp(u, intoX: &out)
    }
}

/// The derivatives of generic conditions at `(x, y)`, as one closure (one
/// context per linearization): duals materialize `A` and `B`; one tape
/// recording at `(x, y)`, made on the first product that needs it, serves
/// every product after it (from any thread).
///
/// The matrix path needs no tape for a JVP or a Jacobian: `B ẋ` before any
/// recording is one evaluation on one-direction duals (cheaper than
/// recording, which is then skipped altogether).
@inlinable
func automaticDerivatives<F: DifferentiableBivariateFunction & Sendable>(_ f: F, x: [Double], y: [Double])
    -> LocalConditions.Derivatives {
    let tape = Locked<ConditionsTape?>(nil)
    @Sendable func recorded() -> ConditionsTape {
        tape.withLock { t in
            if let t { return t }
            let fresh = recordConditions(f, x: x, y: y)
            t = fresh
            return fresh
        }
    }
    return { request, v, out in
        switch request {
        case .matrixY: return AD.jacobian(of: f, x: x, y: y, withRespectToY: true)
        case .matrixX: return AD.jacobian(of: f, x: x, y: y, withRespectToY: false)
        case .productY: recorded().forward(dx: nil, dy: v, into: &out)
        case .productX:
            if let t = tape.withLock({ $0 }) { t.forward(dx: v, dy: nil, into: &out) }
            else { out = AD.tangent(of: f, x: x, y: y, dx: v) }
        case .tangentX:
            if let t = tape.withLock({ $0 }) { out = t.linearization.jvp(dx: v, dy: nil) }
            else { out = AD.tangent(of: f, x: x, y: y, dx: v) }
        case .adjointY: recorded().reverseY(v, into: &out)
        case .adjointX: recorded().reverseX(v, into: &out)
        }
        return nil
    }
}

/// Records `f` once at `(x, y)` on a tape.
@inlinable
func recordConditions<F: DifferentiableBivariateFunction>(_ f: F, x: [Double], y: [Double]) -> ConditionsTape {
    ConditionsTape(linearization: AD.linearize(f, x: x, y: y))
}
