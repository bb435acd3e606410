import AutoDiff
import Krylov
import LinearAlgebra

// The conditions, in whichever form the user gave them, reduced to what the
// implicit function theorem needs at one point (x, y, z):
//
//   F(x, y, z)           its value, for the residual check
//   A = ∂F/∂y  (k × m)   a linear map: A v, Aᵀ u, and A as a matrix on demand
//   B = ∂F/∂x  (k × n)   a linear map: B ẋ, Bᵀ u, and B as a matrix on demand
//
// Generic conditions get these from the AD layer (duals materialize A and B;
// one tape recording, made by the first product that needs it, serves every
// product after it); hand-written conditions from the user's closures or
// matrices; Double-only conditions from central finite differences.

/// One Jacobian of the conditions at a point as a linear map.
@usableFromInline
struct JacobianMap: Sendable {
    @usableFromInline typealias Product = @Sendable (_ v: [Double], _ out: inout [Double]) -> Void
    /// `out = J v` (`out` has the map's row count).
    let apply: Product
    /// `out = Jᵀ u`.
    let applyTransposed: Product
    /// `J` as a dense matrix.
    let materialize: @Sendable () -> Matrix
    /// The map's row count.
    let rows: Int
    /// `J v` in a new array, when the source has a faster way than `apply` into zeros.
    let appliedBody: (@Sendable (_ v: [Double]) -> [Double])?

    @usableFromInline
    init(rows: Int, apply: @escaping Product, applyTransposed: @escaping Product,
         materialize: @escaping @Sendable () -> Matrix, applied: (@Sendable ([Double]) -> [Double])? = nil) {
        self.apply = apply
        self.applyTransposed = applyTransposed
        self.materialize = materialize
        self.rows = rows
        self.appliedBody = applied
    }

    /// `J v` in a new array (generic conditions skip the zero-filled buffer).
    func applied(_ v: [Double]) -> [Double] {
        if let appliedBody { return appliedBody(v) }
        var out = [Double](repeating: 0, count: rows)
        apply(v, &out)
        return out
    }

    /// The map of a matrix the user supplied: BLAS products.
    init(matrix j: Matrix) {
        self.init(rows: j.rows,
                  apply: { v, out in BLAS.gemv(1, j, v, 0, &out) },
                  applyTransposed: { u, out in BLAS.gemv(transpose: true, 1, j, u, 0, &out) },
                  materialize: { j })
    }
}

/// The conditions linearized at one point: `F`'s value and the two maps `A`, `B`.
@usableFromInline
struct LocalConditions: Sendable {
    /// `F(x, y, z)`, length `k`.
    let value: [Double]
    /// The lengths of `x` and `y`.
    let n: Int, m: Int
    /// `A = ∂F/∂y` (`k × m`).
    let a: JacobianMap
    /// `B = ∂F/∂x` (`k × n`).
    let b: JacobianMap
    /// How the derivatives of `F` are obtained, for reports.
    let differentiation: String
    /// `A` in sparse form (``Representation/sparse``), reusing and updating
    /// the function's ``StructureCache`` when one is given (or detecting the
    /// pattern again when a reason to is given), or `nil` when the
    /// conditions give only products (no pattern is known).
    let sparseA: (@Sendable (StructureCache?, _ redetect: String?) throws(ImplicitDifferentiationError)
        -> SparseJacobian)?
    /// The pattern of `A` and the cost of `F` for the cost model (from the
    /// cache, or detected from a recording and stored), or `nil` when the
    /// conditions are not recorded on the tape.
    let detectStructure: (@Sendable (StructureCache, StructureCache.Key) -> DetectedStructure)?
    /// The wrong-length record of hand-written products; `nil` for other forms.
    let lengthFault: ProductLengthFault?
    /// `true` when `A` (and `B` when coloured) come from the tape-free evaluation
    /// (``TapeFreeLinearization``): products are sparse, no tape is recorded.
    let isTapeFree: Bool
    /// `A` and `B` as dense matrices accumulated from one reverse pass over the
    /// recording (``BivariateLinearization/accumulatedJacobians(sharedEntryLimit:)``, work
    /// limit ``DetectedStructure/accumulationLimit(nodes:k:inputs:)``), or `nil` when the
    /// accumulation declines; `nil` itself for conditions not recorded on the tape.
    let accumulate: (@Sendable () -> (a: Matrix, b: Matrix)?)?
    /// The number of conditions.
    var k: Int { value.count }

    @usableFromInline
    init(value: [Double], n: Int, m: Int, a: JacobianMap, b: JacobianMap, differentiation: String,
         sparseA: (@Sendable (StructureCache?, String?) throws(ImplicitDifferentiationError) -> SparseJacobian)? = nil,
         detectStructure: (@Sendable (StructureCache, StructureCache.Key) -> DetectedStructure)? = nil,
         lengthFault: ProductLengthFault? = nil, isTapeFree: Bool = false,
         accumulate: (@Sendable () -> (a: Matrix, b: Matrix)?)? = nil) {
        self.value = value
        self.n = n
        self.m = m
        self.a = a
        self.b = b
        self.differentiation = differentiation
        self.sparseA = sparseA
        self.detectStructure = detectStructure
        self.lengthFault = lengthFault
        self.isTapeFree = isTapeFree
        self.accumulate = accumulate
    }

    /// The same conditions with `A` and `B` given as matrices (products by BLAS).
    func servedBy(a: Matrix, b: Matrix) -> LocalConditions {
        LocalConditions(value: value, n: n, m: m, a: JacobianMap(matrix: a), b: JacobianMap(matrix: b),
                        differentiation: differentiation, sparseA: sparseA, detectStructure: detectStructure,
                        lengthFault: lengthFault, isTapeFree: isTapeFree)
    }
}

/// `A` as a lazy ``LinearOperator`` for the Krylov methods.
struct ConditionsOperator: LinearOperator, Sendable {
    let local: LocalConditions
    let structure: OperatorStructure
    var rows: Int { local.k }
    var columns: Int { local.m }
    var supportsTranspose: Bool { true }
    func apply(_ x: [Double], into y: inout [Double]) { local.a.apply(x, &y) }
    func applyTransposed(_ x: [Double], into y: inout [Double]) { local.a.applyTransposed(x, &y) }
}

/// The conditions in whichever form the user gave them: evaluate `F` on
/// `Double`, and linearize it at a point.
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
    /// `F`'s value, `A` and `B` from one tape-free evaluation with a cached
    /// structure (``tapeFreeLinearization(_:x:y:structure:multiplyingY:)``), with `A y` when
    /// `multiplyingY`; `nil` unless the conditions are generic.
    @usableFromInline
    let tapeFree: (@Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct, _ structure: DetectedStructure,
                              _ multiplyingY: Bool) -> TapeFreeOutcome)?
    /// The conditions linearized at `(x, y, z)` from a recording made now (reserving
    /// `capacity` nodes), `F`'s value read from it instead of a separate evaluation on
    /// `Double`; `nil` unless the conditions are generic.
    @usableFromInline
    let recordedLocalize: (@Sendable (_ x: [Double], _ y: [Double], _ z: Byproduct, _ capacity: Int) -> LocalConditions)?
    /// `true` when the user supplied `A` and `B` as matrices.
    @usableFromInline let givesMatrices: Bool
    /// The generic conditions themselves, for evaluation in any scalar type
    /// (second derivatives); `nil` for hand-written and finite-difference conditions.
    @usableFromInline let generic: (any ImplicitConditionsWithByproduct<Byproduct>)?

    /// Generic conditions, differentiated by the AD layer (``AutomaticDerivatives``).
    @inlinable
    init<C: ImplicitConditionsWithByproduct>(generic conditions: C) where C.Byproduct == Byproduct {
        evaluate = { x, y, z in conditions(x: x, y: y, byproduct: z) }
        valueAndJacobianY = { x, y, z in
            let r = AD.valueAndJacobian(of: BoundConditions(conditions: conditions, byproduct: z), x: x, y: y,
                                        withRespectToY: true)
            return (r.value, r.jacobian)
        }
        tapeFree = { x, y, z, structure, multiplyingY in
            tapeFreeLinearization(BoundConditions(conditions: conditions, byproduct: z), x: x, y: y,
                                  structure: structure, multiplyingY: multiplyingY)
        }
        localize = { x, y, z, value in
            Self.automaticLocal(AutomaticDerivatives(BoundConditions(conditions: conditions, byproduct: z), x: x, y: y),
                                value: value)
        }
        recordedLocalize = { x, y, z, capacity in
            let d = AutomaticDerivatives(BoundConditions(conditions: conditions, byproduct: z), x: x, y: y)
            d.capacityHint.withLock { $0 = capacity }
            return Self.automaticLocal(d, value: d.recorded().value)
        }
        givesMatrices = false
        generic = conditions
    }

    /// The conditions at `d`'s point with `F(x, y) = value`, their products and matrices from `d`.
    @inlinable
    static func automaticLocal<F>(_ d: AutomaticDerivatives<F>, value: [Double]) -> LocalConditions {
        // Each closure captures only `d`, which then is its context.
        let a = JacobianMap(rows: value.count, apply: { v, out in d.productY(v, &out) },
                            applyTransposed: { u, out in d.adjointY(u, &out) }, materialize: { d.matrixY() })
        let b = JacobianMap(rows: value.count, apply: { v, out in d.productX(v, &out) },
                            applyTransposed: { u, out in d.adjointX(u, &out) }, materialize: { d.matrixX() },
                            applied: { v in d.tangentX(v) })
        return LocalConditions(value: value, n: d.x.count, m: d.y.count, a: a, b: b,
                               differentiation: "automatic differentiation",
                               sparseA: { cache, redetect throws(ImplicitDifferentiationError) in
                                   _ = d.recorded()   // here, where the recording is specialized for F
                                   return try d.sparseY(cache: cache, redetect: redetect)
                               },
                               detectStructure: { cache, key in d.detectedStructure(cache: cache, key: key) },
                               accumulate: { d.accumulated() })
    }

    /// Hand-written conditions: exactly the user's closures or matrices.
    init(handwritten h: HandwrittenConditions<Byproduct>) {
        evaluate = h.value
        valueAndJacobianY = nil
        tapeFree = nil
        recordedLocalize = nil
        givesMatrices = h.jacobians != nil
        generic = nil
        localize = { x, y, z, value in
            let k = value.count, m = y.count, n = x.count
            if let jacobians = h.jacobians {
                // Built on first use and kept; their shapes are checked by checkProducts before any product.
                let pair = Lazy { jacobians(x, y, z) }
                let b = JacobianMap(rows: k, apply: { v, out in BLAS.gemv(1, pair.get().x, v, 0, &out) },
                                    applyTransposed: { u, out in BLAS.gemv(transpose: true, 1, pair.get().x, u, 0, &out) },
                                    materialize: { pair.get().x })
                let a = JacobianMap(rows: k, apply: { v, out in BLAS.gemv(1, pair.get().y, v, 0, &out) },
                                    applyTransposed: { u, out in BLAS.gemv(transpose: true, 1, pair.get().y, u, 0, &out) },
                                    materialize: { pair.get().y })
                return LocalConditions(value: value, n: n, m: m, a: a, b: b, differentiation: "hand-written Jacobians",
                                       sparseA: { _, _ throws(ImplicitDifferentiationError) in
                                           try SparseJacobian(converting: pair.get().y)
                                       })
            }
            let jvp = h.jvp!, vjp = h.vjp!
            // Every output length is checked: a wrong one becomes NaNs, which every solve refuses,
            // and the call then throws the fault naming the closure (reportingLengthFaults).
            let fault = ProductLengthFault()
            let jvpChecked: @Sendable ([Double]?, [Double]?) -> [Double] = { dx, dy in
                fault.checkedJVP(jvp(x, y, z, dx, dy), count: k, tangentInX: dx != nil)
            }
            let vjpChecked: @Sendable ([Double]) -> (x: [Double], y: [Double]) = { u in
                fault.checkedVJP(vjp(x, y, z, u), n: n, m: m)
            }
            let a = JacobianMap(rows: k, apply: { v, out in out = jvpChecked(nil, v) },
                                applyTransposed: { u, out in out = vjpChecked(u).y },
                                materialize: { columnsByProducts(rows: k, columns: m) { jvpChecked(nil, $0) } })
            let b = JacobianMap(rows: k, apply: { v, out in out = jvpChecked(v, nil) },
                                applyTransposed: { u, out in out = vjpChecked(u).x },
                                materialize: { columnsByProducts(rows: k, columns: n) { jvpChecked($0, nil) } },
                                applied: { v in jvpChecked(v, nil) })
            return LocalConditions(value: value, n: n, m: m, a: a, b: b, differentiation: "hand-written products",
                                   lengthFault: fault)
        }
    }

    /// Double-only conditions differentiated by central finite differences.
    init(finiteDifferences fd: FiniteDifferenceConditions<Byproduct>) {
        let user = fd.value
        evaluate = user
        valueAndJacobianY = nil
        tapeFree = nil
        recordedLocalize = nil
        givesMatrices = false
        generic = nil
        localize = { x, y, z, value in
            // F's length at a point is fixed by its value there; a call of another length gives
            // NaNs (refused downstream) instead of a silently truncated difference or a trap.
            let k = value.count
            let f: @Sendable ([Double], [Double], Byproduct) -> [Double] = { x, y, z in lengthOrNaN(user(x, y, z), k) }
            // Built once per point on first use (transposed products need them; their memory is
            // checked by the linearization before any product).
            let dfdy = Lazy { FiniteDifferences.jacobian(of: { yy in f(x, yy, z) }, at: y) }.get
            let dfdx = Lazy { FiniteDifferences.jacobian(of: { xx in f(xx, y, z) }, at: x) }.get
            let a = JacobianMap(
                rows: k,
                apply: { v, out in out = FiniteDifferences.jvp(of: { yy in f(x, yy, z) }, at: y, tangent: v) },
                applyTransposed: { u, out in out = dfdy().transposedTimes(u) }, materialize: dfdy)
            let b = JacobianMap(
                rows: k,
                apply: { v, out in out = FiniteDifferences.jvp(of: { xx in f(xx, y, z) }, at: x, tangent: v) },
                applyTransposed: { u, out in out = dfdx().transposedTimes(u) }, materialize: dfdx)
            return LocalConditions(value: value, n: x.count, m: y.count, a: a, b: b,
                                   differentiation: finiteDifferenceLabel)
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

    @inlinable
    func evaluate<T: DifferentiableScalar>(_ x: [T], _ y: [T], into output: inout [T]) {
        conditions.evaluate(x: x, y: y, byproduct: byproduct, into: &output)
    }
}

/// The derivatives of generic conditions at `(x, y)` by the AD layer: duals
/// materialize `A` and `B`; one tape recording at `(x, y)`, made on the
/// first product that needs it, serves every product after it (from any thread).
///
/// `B ẋ` before any recording is one evaluation on one-direction duals
/// (cheaper than recording, which the matrix path then never does).
@usableFromInline
final class AutomaticDerivatives<F: DifferentiableBivariateFunction & Sendable>: Sendable {
    @usableFromInline let f: F
    @usableFromInline let x: [Double]
    @usableFromInline let y: [Double]
    @usableFromInline let tape = Locked<BivariateLinearization?>(nil)
    /// The node count of a recording at these shapes (from the structure cache), reserved by
    /// the recording so that its tape does not grow; `0` when unknown.
    @usableFromInline let capacityHint = Locked<Int>(0)

    @inlinable
    init(_ f: F, x: [Double], y: [Double]) {
        self.f = f
        self.x = x
        self.y = y
    }

    /// The recording at `(x, y)`, made on first use.
    @inlinable
    func recorded() -> BivariateLinearization {
        tape.withLock { t in
            if let t { return t }
            let hint = capacityHint.withLock { $0 }
            let fresh = AD.linearize(f, x: x, y: y, capacity: hint > 0 ? hint : nil)
            t = fresh
            return fresh
        }
    }

    @inlinable func matrixY() -> Matrix { AD.jacobian(of: f, x: x, y: y, withRespectToY: true) }
    @inlinable func matrixX() -> Matrix { AD.jacobian(of: f, x: x, y: y, withRespectToY: false) }
    // A recording whose output length differs from F's length on Double (conditions whose
    // length depends on the scalar type) answers NaNs, which every solve refuses, not a trap.

    @inlinable
    func productY(_ v: [Double], _ out: inout [Double]) {
        let t = recorded()
        guard out.count == t.outputCount else { return out = lengthOrNaN([], out.count) }
        t.jvp(dx: nil, dy: v, into: &out)
    }

    @inlinable
    func adjointY(_ u: [Double], _ out: inout [Double]) {
        let t = recorded()
        guard u.count == t.outputCount else { return out = lengthOrNaN([], out.count) }
        t.vjp(u, intoY: &out)
    }

    @inlinable
    func adjointX(_ u: [Double], _ out: inout [Double]) {
        let t = recorded()
        guard u.count == t.outputCount else { return out = lengthOrNaN([], out.count) }
        t.vjp(u, intoX: &out)
    }

    @inlinable
    func productX(_ v: [Double], _ out: inout [Double]) {
        if let t = tape.withLock({ $0 }) {
            guard out.count == t.outputCount else { return out = lengthOrNaN([], out.count) }
            t.jvp(dx: v, dy: nil, into: &out)
        } else {
            out = lengthOrNaN(AD.tangent(of: f, x: x, y: y, dx: v), out.count)
        }
    }

    @inlinable
    func tangentX(_ v: [Double]) -> [Double] {
        if let t = tape.withLock({ $0 }) { return t.jvp(dx: v, dy: nil) }
        return AD.tangent(of: f, x: x, y: y, dx: v)
    }
}
