import AutoDiff
import ImplicitDifferentiation

/// A map `T(x, y)` whose fixed point `y = T(x, y)` a solver returns,
/// written once over the AD scalar.
///
/// ```swift
/// struct ProjectedGradient: FixedPointMap {           // y ← P_box(y − η(Qy − x))
///     func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { … }
/// }
/// ```
public protocol FixedPointMap: Sendable {
    /// `T(x, y)`, same length as `y`.
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T]
}

/// The conditions of a fixed point, optionally preconditioned by a step size.
///
/// The invariant is `T(x, y) = y`:
///
/// ```
/// F(x, y) = (T(x, y) − y) / η          η = step (1 by default)
/// A = (∂T/∂y − I)/η,   B = (∂T/∂x)/η,   J = −A⁻¹B = (I − ∂T/∂y)⁻¹ ∂T/∂x   (η cancels)
/// ```
///
/// The step does not change the derivative, only the scale of `A` and of the
/// residual the library checks: for a gradient step `T = y − η∇f`, dividing
/// by `η` makes `F = −∇f` and `A = −∇²f`, independent of `η` (the form JAXopt
/// uses for its proximal-gradient optimality function). For `T` a projected
/// or proximal gradient step it is the gradient mapping.
public struct FixedPointConditions<Map: FixedPointMap>: ImplicitConditions {
    /// `T`.
    public let map: Map
    /// `η > 0`: the residual is divided by it.
    public let step: Double

    /// - Parameters:
    ///   - map: `T(x, y)`.
    ///   - step: `η > 0`, finite (default 1: plain `T(x, y) − y`).
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` when `η` is not positive and finite.
    public init(map: Map, step: Double = 1) throws(OptimalityError) {
        try requirePositive(step, "fixed-point step")
        self.map = map
        self.step = step
    }

    /// `(T(x, y) − y)/η`.
    @inlinable
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let t = map(x: x, y: y)
        precondition(t.count == y.count, "FixedPointConditions: T(x, y) has length \(t.count), y has \(y.count)")
        if step == 1 { return y.indices.map { t[$0] - y[$0] } }
        let scale = T(1 / step)
        return y.indices.map { (t[$0] - y[$0]) * scale }
    }
}

/// Plain fixed-point iteration `y ← T(x, y)` on `Double`, a default forward
/// solver for contractive maps.
public enum FixedPointIteration {
    /// Iterates `y_{k+1} = T(x, y_k)` from `initial` until `‖y_{k+1} − y_k‖∞ ≤ tolerance·max(1, ‖y_{k+1}‖∞)`.
    ///
    /// - Parameters:
    ///   - map: `T`.
    ///   - x: the input.
    ///   - initial: `y₀`.
    ///   - tolerance: relative stopping tolerance, `> 0` (default `1e-14`).
    ///   - maxIterations: `≥ 1` (default 100 000).
    /// - Returns: the last iterate.
    /// - Throws: ``OptimalityError/notConverged(iterations:change:)`` when the cap is reached,
    ///   ``OptimalityError/invalidParameter(_:)`` on a bad tolerance or cap.
    public static func solve<M: FixedPointMap>(_ map: M, x: [Double], initial: [Double], tolerance: Double = 1e-14,
                                               maxIterations: Int = 100_000) throws(OptimalityError) -> [Double] {
        try requirePositive(tolerance, "tolerance")
        guard maxIterations >= 1 else { throw .invalidParameter("maxIterations = \(maxIterations) must be ≥ 1") }
        var y = initial
        var change = Double.infinity
        for _ in 0..<maxIterations {
            let next = map(x: x, y: y)
            guard next.count == y.count else {
                throw .dimensionMismatch("T(x, y) has length \(next.count), y has \(y.count)")
            }
            change = 0
            var scale = 1.0
            for i in y.indices {
                change = Swift.max(change, Swift.abs(next[i] - y[i]))
                scale = Swift.max(scale, Swift.abs(next[i]))
            }
            y = next
            guard change.isFinite else { break }
            if change <= tolerance * scale { return y }
        }
        throw .notConverged(iterations: maxIterations, change: change)
    }
}

extension ImplicitFunction where Arguments == Void, Byproduct == Void {
    /// The fixed point `y(x) = T(x, y(x))` of a map, differentiated through
    /// ``FixedPointConditions`` (never through the iterations).
    ///
    /// ```
    /// F(x, y) = (T(x, y) − y)/η        J = (I − ∂T/∂y)⁻¹ ∂T/∂x
    /// ```
    ///
    /// - Parameters:
    ///   - map: `T(x, y)`.
    ///   - step: `η > 0`, the preconditioning scale of the residual (default 1).
    ///   - solver: any black box returning the fixed point, e.g.
    ///     `{ x in try FixedPointIteration.solve(map, x: x, initial: y0) }`.
    ///   - linearSolver: see `LinearSolver` (default `.automatic`).
    ///   - representation: see `Representation` (default `.automatic`).
    ///   - structure: declared structure of `A` (unchecked; none by default).
    ///   - options: residual check and thresholds.
    /// - Throws: ``OptimalityError/invalidParameter(_:)`` for a bad step.
    public init<M: FixedPointMap>(
        fixedPointOf map: M, step: Double = 1, solver: @escaping @Sendable (_ x: [Double]) throws -> [Double],
        linearSolver: LinearSolver = .automatic, representation: Representation = .automatic,
        structure: OperatorStructure = [], options: ImplicitFunctionOptions = .init()
    ) throws(OptimalityError) {
        self.init(solver: solver, conditions: try FixedPointConditions(map: map, step: step),
                  linearSolver: linearSolver, representation: representation, structure: structure, options: options)
    }
}
