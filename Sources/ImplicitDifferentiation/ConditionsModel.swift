import AutoDiff
import LinearAlgebra

/// One derivative operation of the conditions at a point (see ``LocalConditions``).
@usableFromInline
enum LocalRequest: Sendable {
    /// `A = ∂F/∂y` (k × m), returned.
    case matrixY
    /// `B = ∂F/∂x` (k × n), returned.
    case matrixX
    /// `out = A v`.
    case productY
    /// `out = B ẋ`.
    case productX
    /// `out = B ẋ` in a new array (`out` may be empty on entry).
    case tangentX
    /// `out = Aᵀ u`.
    case adjointY
    /// `out = Bᵀ u`.
    case adjointX
}

/// What the implicit layer needs from the conditions at one point `(x, y, z)`:
/// the value, the two Jacobians on demand, and the four products.
///
/// ```
/// A = ∂F/∂y  (k × m)      productY: v ↦ A v     adjointY: u ↦ Aᵀ u
/// B = ∂F/∂x  (k × n)      productX: ẋ ↦ B ẋ     adjointX: u ↦ Bᵀ u
/// ```
///
/// The six operations go through one closure (``Derivatives``), specialized
/// where the conditions' type is known: one closure context per
/// linearization instead of six.
@usableFromInline
struct LocalConditions: Sendable {
    @usableFromInline typealias Product = @Sendable (_ v: [Double], _ out: inout [Double]) -> Void
    /// Serves one ``LocalRequest``: returns the matrix for `.matrixY`/`.matrixX`
    /// (`v` and `out` unused), else writes the product of `v` into `out` and returns `nil`.
    @usableFromInline
    typealias Derivatives = @Sendable (_ request: LocalRequest, _ v: [Double], _ out: inout [Double]) -> Matrix?
    let value: [Double]
    let n: Int
    let m: Int
    var k: Int { value.count }
    /// How the derivatives of `F` are obtained, for reports.
    let differentiation: String
    let derivatives: Derivatives

    @usableFromInline
    init(value: [Double], n: Int, m: Int, differentiation: String, derivatives: @escaping Derivatives) {
        self.value = value
        self.n = n
        self.m = m
        self.differentiation = differentiation
        self.derivatives = derivatives
    }

    /// The derivatives given as six closures (hand-written and finite-difference conditions).
    init(value: [Double], n: Int, m: Int, differentiation: String, matrixY: @escaping @Sendable () -> Matrix,
         matrixX: @escaping @Sendable () -> Matrix, productY: @escaping Product, productX: @escaping Product,
         adjointY: @escaping Product, adjointX: @escaping Product) {
        self.init(value: value, n: n, m: m, differentiation: differentiation) { request, v, out in
            switch request {
            case .matrixY: return matrixY()
            case .matrixX: return matrixX()
            case .productY: productY(v, &out)
            case .productX: productX(v, &out)
            case .tangentX:
                var r = [Double](repeating: 0, count: value.count)
                productX(v, &r)
                out = r
            case .adjointY: adjointY(v, &out)
            case .adjointX: adjointX(v, &out)
            }
            return nil
        }
    }

    /// `A = ∂F/∂y` (k × m).
    func matrixY() -> Matrix { matrix(.matrixY) }
    /// `B = ∂F/∂x` (k × n).
    func matrixX() -> Matrix { matrix(.matrixX) }
    /// `out = A v`.
    func productY(_ v: [Double], _ out: inout [Double]) { _ = derivatives(.productY, v, &out) }
    /// `out = B ẋ`.
    func productX(_ dx: [Double], _ out: inout [Double]) { _ = derivatives(.productX, dx, &out) }
    /// `B ẋ` as a new array of length `k`.
    func tangentX(_ dx: [Double]) -> [Double] {
        var out: [Double] = []
        _ = derivatives(.tangentX, dx, &out)
        return out
    }
    /// `out = Aᵀ u`.
    func adjointY(_ u: [Double], _ out: inout [Double]) { _ = derivatives(.adjointY, u, &out) }
    /// `out = Bᵀ u`.
    func adjointX(_ u: [Double], _ out: inout [Double]) { _ = derivatives(.adjointX, u, &out) }

    private func matrix(_ request: LocalRequest) -> Matrix {
        var unused: [Double] = []
        guard let a = derivatives(request, [], &unused) else { preconditionFailure("LocalConditions: no matrix for \(request)") }
        return a
    }
}

/// The conditions in whichever form the user gave them, reduced to two
/// closures: evaluate `F` on `Double`, and localize it at a point.
@usableFromInline
struct ConditionsModel<Byproduct: Sendable>: Sendable {
    @usableFromInline let evaluate: @Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct) -> [Double]
    @usableFromInline
    let localize: @Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct, _ value: [Double]) -> LocalConditions
    /// `F(x, y, z)` and `A = ∂F/∂y` from one evaluation on duals, for a
    /// linearization at small `m` that needs both; `nil` unless the
    /// conditions are generic.
    @usableFromInline
    let valueAndJacobianY: (@Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct) -> (value: [Double], a: Matrix))?
    /// `true` when the user supplied `A` and `B` as matrices.
    @usableFromInline let givesMatrices: Bool
    /// The generic conditions themselves, for evaluation in any scalar type
    /// (second derivatives); `nil` for hand-written and finite-difference conditions.
    @usableFromInline let generic: (any ImplicitConditionsWithByproduct<Byproduct>)?
    /// Checks the lengths of hand-written products once per point (see ``HandwrittenConditions/checkProductLengths(x:y:z:k:)``).
    @usableFromInline var productLengthCheck: (@Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct, _ k: Int)
        throws(ImplicitDifferentiationError) -> Void)? = nil

    /// Generic conditions: ``automaticDerivatives(_:x:y:)`` (duals materialize `A`
    /// and `B`; one tape recording, made on the first product that needs it,
    /// serves every product after it).
    @inlinable
    init<C: ImplicitConditionsWithByproduct>(generic conditions: C) where C.Byproduct == Byproduct {
        evaluate = { x, y, z in conditions(x: x, y: y, byproduct: z) }
        valueAndJacobianY = { x, y, z in
            let r = AD.valueAndJacobian(of: BoundConditions(conditions: conditions, byproduct: z), x: x, y: y,
                                        withRespectToY: true)
            return (r.value, r.jacobian)
        }
        localize = { x, y, z, value in
            LocalConditions(value: value, n: x.count, m: y.count, differentiation: "automatic differentiation",
                            derivatives: automaticDerivatives(BoundConditions(conditions: conditions, byproduct: z),
                                                              x: x, y: y))
        }
        givesMatrices = false
        generic = conditions
    }

    /// Hand-written conditions: exactly the user's closures.
    init(handwritten h: HandwrittenConditions<Byproduct>) {
        evaluate = h.value
        valueAndJacobianY = nil
        givesMatrices = h.jacobians != nil
        generic = nil
        if h.jacobians == nil {
            productLengthCheck = { x, y, z, k throws(ImplicitDifferentiationError) in
                try h.checkProductLengths(x: x, y: y, z: z, k: k)
            }
        }
        localize = { x, y, z, value in
            if let jacobians = h.jacobians {
                // Built on first use and kept; their shapes are checked by checkProducts before any product.
                let pair = Lazy { jacobians(x, y, z) }
                return LocalConditions(
                    value: value, n: x.count, m: y.count, differentiation: "hand-written Jacobians",
                    matrixY: { pair.get().y }, matrixX: { pair.get().x },
                    productY: { v, out in BLAS.gemv(1, pair.get().y, v, 0, &out) },
                    productX: { dx, out in BLAS.gemv(1, pair.get().x, dx, 0, &out) },
                    adjointY: { u, out in BLAS.gemv(transpose: true, 1, pair.get().y, u, 0, &out) },
                    adjointX: { u, out in BLAS.gemv(transpose: true, 1, pair.get().x, u, 0, &out) })
            }
            let jvp = h.jvp!, vjp = h.vjp!
            let k = value.count, m = y.count, n = x.count
            // Lengths are checked once per point by checkProducts (a typed error naming the closure);
            // a length that changes on a later call becomes NaNs, which every solve refuses.
            let jvpChecked: @Sendable ([Double]?, [Double]?) -> [Double] = { dx, dy in
                lengthOrNaN(jvp(x, y, z, dx, dy), k)
            }
            let vjpChecked: @Sendable ([Double]) -> (x: [Double], y: [Double]) = { u in
                let r = vjp(x, y, z, u)
                return (lengthOrNaN(r.x, n), lengthOrNaN(r.y, m))
            }
            return LocalConditions(
                value: value, n: n, m: m, differentiation: "hand-written products",
                matrixY: { columnsByProducts(rows: k, columns: m) { jvpChecked(nil, $0) } },
                matrixX: { columnsByProducts(rows: k, columns: n) { jvpChecked($0, nil) } },
                productY: { v, out in out = jvpChecked(nil, v) },
                productX: { dx, out in out = jvpChecked(dx, nil) },
                adjointY: { u, out in out = vjpChecked(u).y },
                adjointX: { u, out in out = vjpChecked(u).x })
        }
    }

    /// Double-only conditions differentiated by central finite differences.
    init(finiteDifferences fd: FiniteDifferenceConditions<Byproduct>) {
        let user = fd.value
        evaluate = user
        valueAndJacobianY = nil
        givesMatrices = false
        generic = nil
        localize = { x, y, z, value in
            // F's length at a point is fixed by its value there; a call of another length gives
            // NaNs (refused downstream) instead of a silently truncated difference or a trap.
            let k = value.count
            let f: @Sendable ([Double], [Double], Byproduct) -> [Double] = { x, y, z in lengthOrNaN(user(x, y, z), k) }
            let dfdy = Lazy { FiniteDifferences.jacobian(of: { yy in f(x, yy, z) }, at: y) }.get
            let dfdx = Lazy { FiniteDifferences.jacobian(of: { xx in f(xx, y, z) }, at: x) }.get
            return LocalConditions(
                value: value, n: x.count, m: y.count, differentiation: finiteDifferenceLabel,
                matrixY: dfdy, matrixX: dfdx,
                productY: { v, out in out = FiniteDifferences.jvp(of: { yy in f(x, yy, z) }, at: y, tangent: v) },
                productX: { dx, out in out = FiniteDifferences.jvp(of: { xx in f(xx, y, z) }, at: x, tangent: dx) },
                adjointY: { u, out in out = dfdy().transposedTimes(u) },
                adjointX: { u, out in out = dfdx().transposedTimes(u) })
        }
    }
}

/// Builds a `rows × columns` matrix column by column from products with unit vectors.
func columnsByProducts(rows: Int, columns: Int, _ product: ([Double]) -> [Double]) -> Matrix {
    var a = Matrix(rows: rows, columns: columns)
    var e = [Double](repeating: 0, count: columns)
    for j in 0..<columns {
        e[j] = 1
        a.setColumn(j, to: product(e))
        e[j] = 0
    }
    return a
}
