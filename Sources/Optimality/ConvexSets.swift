import AutoDiff
import LinearAlgebra

/// A closed convex set with validated parameters and its Euclidean projection.
///
/// The invariant is that the parameters describe a non-empty set: every
/// conforming type's initializer throws ``OptimalityError/invalidParameter(_:)``
/// on a radius `≤ 0`, `lower > upper`, a zero normal, a rank-deficient
/// constraint matrix, or a NaN or infinity (NaN fails every check).
/// `project(_:)` then cannot fail; it forwards to the matching
/// ``Projections`` function, whose documentation gives the formula and its
/// derivative.
public protocol ConvexSet: Sendable {
    /// `P_C(v) = argmin_{y ∈ C} ½‖y − v‖²`, generic over the AD scalar.
    func project<T: DifferentiableScalar>(_ v: [T]) -> [T]
}

/// The box `∏ [lowerᵢ, upperᵢ]` (see ``Projections``).
public struct BoxSet: ConvexSet {
    /// Lower bounds (one per coordinate, or one for all).
    public let lower: [Double]
    /// Upper bounds, `≥ lower`.
    public let upper: [Double]

    /// The box `[lower, upper]ⁿ` with the same bounds for every coordinate.
    ///
    /// - Parameters:
    ///   - lower: finite or `-infinity`, `≤ upper`.
    ///   - upper: finite or `+infinity`.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` when `lower > upper` or either is NaN.
    public init(lower: Double, upper: Double) throws(OptimalityError) {
        try self.init(lower: [lower], upper: [upper])
    }

    /// The box `∏ [lowerᵢ, upperᵢ]`.
    ///
    /// - Parameters:
    ///   - lower: lower bounds, same length as `upper`.
    ///   - upper: upper bounds.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` when some `lowerᵢ > upperᵢ`, a bound is NaN,
    ///   or the lengths differ.
    public init(lower: [Double], upper: [Double]) throws(OptimalityError) {
        guard lower.count == upper.count, !lower.isEmpty else {
            throw .invalidParameter("box bounds have lengths \(lower.count) and \(upper.count)")
        }
        for i in lower.indices {
            guard lower[i] <= upper[i], lower[i] < .infinity, upper[i] > -.infinity else {
                throw .invalidParameter("box bound \(i): lower = \(lower[i]), upper = \(upper[i]) (need lower ≤ upper, no NaN)")
            }
        }
        self.lower = lower
        self.upper = upper
    }

    /// `clamp(vᵢ, lowerᵢ, upperᵢ)`; `v` must have the box's dimension unless one bound pair was given.
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T]) -> [T] {
        if lower.count == 1 { return Projections.box(v, lower: T(lower[0]), upper: T(upper[0])) }
        return Projections.box(v, lower: lower.map { T($0) }, upper: upper.map { T($0) })
    }
}

/// The non-negative orthant `{ y ≥ 0 }` (``Projections/nonNegative(_:)``); always valid.
public struct NonNegativeOrthant: ConvexSet {
    /// The orthant.
    public init() {}
    /// `max(v, 0)` componentwise.
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T]) -> [T] { Projections.nonNegative(v) }
}

/// The simplex `{ y ≥ 0, Σ y = r }` (``Projections/simplex(_:radius:)``).
public struct SimplexSet: ConvexSet {
    /// `r > 0`.
    public let radius: Double
    /// - Parameter radius: `r > 0`, finite (default 1).
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` otherwise.
    public init(radius: Double = 1) throws(OptimalityError) {
        try requirePositive(radius, "simplex radius")
        self.radius = radius
    }
    /// The sort-based projection; `v` non-empty.
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T]) -> [T] { Projections.simplex(v, radius: T(radius)) }
}

/// The ℓ1 ball `{ ‖y‖₁ ≤ r }` (``Projections/l1Ball(_:radius:)``).
public struct L1Ball: ConvexSet {
    /// `r > 0`.
    public let radius: Double
    /// - Parameter radius: `r > 0`, finite.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` otherwise.
    public init(radius: Double) throws(OptimalityError) {
        try requirePositive(radius, "ℓ1 ball radius")
        self.radius = radius
    }
    /// The projection.
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T]) -> [T] { Projections.l1Ball(v, radius: T(radius)) }
}

/// The ℓ2 ball `{ ‖y‖₂ ≤ r }` (``Projections/l2Ball(_:radius:)``).
public struct L2Ball: ConvexSet {
    /// `r > 0`.
    public let radius: Double
    /// - Parameter radius: `r > 0`, finite.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` otherwise.
    public init(radius: Double) throws(OptimalityError) {
        try requirePositive(radius, "ℓ2 ball radius")
        self.radius = radius
    }
    /// The projection.
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T]) -> [T] { Projections.l2Ball(v, radius: T(radius)) }
}

/// The ℓ∞ ball `{ ‖y‖∞ ≤ r }` (``Projections/lInfinityBall(_:radius:)``).
public struct LInfinityBall: ConvexSet {
    /// `r > 0`.
    public let radius: Double
    /// - Parameter radius: `r > 0`, finite.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` otherwise.
    public init(radius: Double) throws(OptimalityError) {
        try requirePositive(radius, "ℓ∞ ball radius")
        self.radius = radius
    }
    /// The projection.
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T]) -> [T] { Projections.lInfinityBall(v, radius: T(radius)) }
}

/// The hyperplane `{ y : aᵀy = b }` (``Projections/hyperplane(_:normal:offset:)``).
public struct Hyperplane: ConvexSet {
    /// `a`, non-zero.
    public let normal: [Double]
    /// `b`.
    public let offset: Double
    /// - Parameters:
    ///   - normal: `a`, finite, non-zero.
    ///   - offset: `b`, finite.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` otherwise.
    public init(normal: [Double], offset: Double) throws(OptimalityError) {
        try requireNormal(normal, offset)
        self.normal = normal
        self.offset = offset
    }
    /// The projection; `v` has the normal's length.
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T]) -> [T] {
        Projections.hyperplane(v, normal: normal.map { T($0) }, offset: T(offset))
    }
}

/// The half-space `{ y : aᵀy ≤ b }` (``Projections/halfSpace(_:normal:offset:)``).
public struct HalfSpace: ConvexSet {
    /// `a`, non-zero.
    public let normal: [Double]
    /// `b`.
    public let offset: Double
    /// - Parameters:
    ///   - normal: `a`, finite, non-zero.
    ///   - offset: `b`, finite.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` otherwise.
    public init(normal: [Double], offset: Double) throws(OptimalityError) {
        try requireNormal(normal, offset)
        self.normal = normal
        self.offset = offset
    }
    /// The projection; `v` has the normal's length.
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T]) -> [T] {
        Projections.halfSpace(v, normal: normal.map { T($0) }, offset: T(offset))
    }
}

/// The affine set `{ y : A y = b }` for `A` (`p × n`) of full row rank `p ≤ n`.
///
/// ```
/// P(v) = v − A⁺ (A v − b),    A⁺ = Aᵀ (A Aᵀ)⁻¹        ∂P/∂v = I − A⁺A,   ∂P/∂b = A⁺
/// ```
///
/// Linear in `v` and `b`: smooth everywhere. `A⁺` is formed once, at
/// construction, by a Cholesky factorization of `A Aᵀ`; `project` is then two
/// matrix-vector products in `T` (one BLAS call each at every AD level).
public struct AffineSet: ConvexSet {
    /// `A`, `p × n`.
    public let matrix: Matrix
    /// `b`, length `p`.
    public let rhs: [Double]
    /// `A⁺ = Aᵀ(AAᵀ)⁻¹`, `n × p`.
    public let pseudoInverse: Matrix

    /// - Parameters:
    ///   - matrix: `A`, `p × n`, finite, full row rank (`p ≤ n`).
    ///   - rhs: `b`, length `p`, finite.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` when an entry is not finite, `A`
    ///   is rank deficient (`A Aᵀ` not positive definite, or its reciprocal condition
    ///   below `1e-12`), or the shapes disagree.
    public init(matrix: Matrix, rhs: [Double]) throws(OptimalityError) {
        guard matrix.rows == rhs.count, matrix.rows >= 1, matrix.rows <= matrix.columns else {
            throw .invalidParameter("affine set: A is \(matrix.rows)×\(matrix.columns), b has length \(rhs.count) "
                                    + "(need 1 ≤ p = rows(A) = len(b) ≤ columns(A))")
        }
        guard matrix.elements.allSatisfy(\.isFinite), rhs.allSatisfy(\.isFinite) else {
            throw .invalidParameter("affine set: A or b has a NaN or infinite entry")
        }
        var gram = Matrix(rows: matrix.rows, columns: matrix.rows)
        BLAS.gemm(transposeB: true, 1, matrix, matrix, 0, &gram)
        guard let chol = try? CholeskyFactorization(gram), chol.reciprocalCondition >= 1e-12,
              let inverseGramA = try? chol.solve(matrix) else {
            throw .invalidParameter("affine set: A is rank deficient (A Aᵀ is singular or nearly so)")
        }
        self.matrix = matrix
        self.rhs = rhs
        self.pseudoInverse = inverseGramA.transposed()
    }

    /// `v − A⁺(A v − b)`; `v` has length `n`.
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T]) -> [T] {
        project(v, rhs: rhs.map { T($0) })
    }

    /// `v − A⁺(A v − b)` with a differentiated right-hand side `b` (length `p`).
    @inlinable
    public func project<T: DifferentiableScalar>(_ v: [T], rhs b: [T]) -> [T] {
        precondition(v.count == matrix.columns && b.count == matrix.rows, "AffineSet.project: lengths disagree with A")
        let av = matrix * v
        let r = av.indices.map { av[$0] - b[$0] }
        let c = pseudoInverse * r
        return v.indices.map { v[$0] - c[$0] }
    }
}

/// Throws unless `normal` is finite and non-zero and `offset` finite.
func requireNormal(_ normal: [Double], _ offset: Double) throws(OptimalityError) {
    guard !normal.isEmpty, normal.allSatisfy(\.isFinite), normal.contains(where: { $0 != 0 }) else {
        throw .invalidParameter("normal must be finite and non-zero")
    }
    try requireFinite(offset, "offset")
}
