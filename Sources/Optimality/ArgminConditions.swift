import AutoDiff
import ImplicitDifferentiation

/// An objective `f(x, y)` to be minimized over `y`, written once over the AD scalar.
public protocol Objective: Sendable {
    /// `f(x, y)`.
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> T
}

extension Objective {
    /// `∇_y f(x, y)` in the scalar `T`, by `m` forward passes on `Dual<T>`
    /// (one per coordinate of `y`), so that the gradient carries `T`'s own
    /// derivative information: on `Dual` or `DualN` it is forward-over-forward,
    /// on the tape reverse-over-forward.
    ///
    /// ```
    /// (∇_y f)ᵢ = ∂/∂ε f(x, y + ε eᵢ) |_{ε=0}       m evaluations of f
    /// ```
    ///
    /// - Parameters:
    ///   - x: the parameters.
    ///   - y: the point, length `m`.
    /// - Returns: the gradient, length `m`.
    @inlinable
    public func gradient<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let xd = x.map { Dual<T>($0, tangent: T(0)) }
        var yd = y.map { Dual<T>($0, tangent: T(0)) }
        var g = [T]()
        g.reserveCapacity(y.count)
        for i in y.indices {
            yd[i].tangent = T(1)
            g.append(self(x: xd, y: yd).tangent)
            yd[i].tangent = T(0)
        }
        return g
    }
}

/// A hand-written gradient `∇_y f(x, y)`, for objectives whose gradient is
/// cheaper written out than taken by `m` dual passes.
public protocol ObjectiveGradient: Sendable {
    /// `∇_y f(x, y)`, same length as `y`.
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T]
}

/// The stationarity conditions of an unconstrained minimization.
///
/// The invariant is `∇_y f(x, y(x)) = 0`:
///
/// ```
/// F(x, y) = ∇_y f(x, y)      A = ∇²_yy f (symmetric; positive definite at a strict minimum)
///                            B = ∇²_yx f,   J = −(∇²_yy f)⁻¹ ∇²_yx f
/// ```
///
/// Evaluating `F` costs `m` evaluations of `f` (see ``Objective/gradient(x:y:)``);
/// give the gradient by hand with ``GradientConditions`` when that is too slow.
public struct ArgminConditions<F: Objective>: ImplicitConditions {
    /// `f`.
    public let objective: F
    /// - Parameter objective: `f(x, y)`.
    public init(objective: F) { self.objective = objective }
    /// `∇_y f(x, y)`.
    @inlinable
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] { objective.gradient(x: x, y: y) }
}

/// Stationarity conditions from a hand-written gradient: `F(x, y) = g(x, y)`.
public struct GradientConditions<G: ObjectiveGradient>: ImplicitConditions {
    /// `g = ∇_y f`.
    public let gradient: G
    /// - Parameter gradient: `∇_y f(x, y)`.
    public init(gradient: G) { self.gradient = gradient }
    /// `g(x, y)`.
    @inlinable
    public func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        let g = gradient(x: x, y: y)
        precondition(g.count == y.count, "GradientConditions: gradient has length \(g.count), y has \(y.count)")
        return g
    }
}

extension ImplicitFunction where Arguments == Void, Byproduct == Void {
    /// `y(x) = argmin_y f(x, y)`, differentiated through `∇_y f(x, y) = 0`.
    ///
    /// ```
    /// J = −(∇²_yy f)⁻¹ ∇²_yx f
    /// ```
    ///
    /// `A` is the Hessian. The default `structure` declares it symmetric
    /// positive definite (true at a strict local minimum), so `.automatic`
    /// picks Cholesky (dense) or CG (lazy); pass `[.symmetric]` for a
    /// stationary point that may not be a minimum (LU / GMRES).
    ///
    /// - Parameters:
    ///   - objective: `f(x, y)`, generic over the scalar.
    ///   - solver: any black-box minimizer.
    ///   - linearSolver: see `LinearSolver` (default `.automatic`).
    ///   - representation: see `Representation` (default `.automatic`).
    ///   - structure: declared structure of the Hessian (default `[.symmetric, .positiveDefinite]`, unchecked).
    ///   - options: residual check and thresholds.
    public init<F: Objective>(
        argminOf objective: F, solver: @escaping @Sendable (_ x: [Double]) throws -> [Double],
        linearSolver: LinearSolver = .automatic, representation: Representation = .automatic,
        structure: OperatorStructure = [.symmetric, .positiveDefinite], options: ImplicitFunctionOptions = .init()
    ) {
        self.init(solver: solver, conditions: ArgminConditions(objective: objective), linearSolver: linearSolver,
                  representation: representation, structure: structure, options: options)
    }

    /// `y(x) = argmin_y f(x, y)` from a hand-written gradient `∇_y f`.
    ///
    /// - Parameters:
    ///   - gradient: `∇_y f(x, y)`, generic over the scalar.
    ///   - solver: any black-box minimizer.
    ///   - linearSolver: see `LinearSolver` (default `.automatic`).
    ///   - representation: see `Representation` (default `.automatic`).
    ///   - structure: declared structure of the Hessian (default `[.symmetric, .positiveDefinite]`, unchecked).
    ///   - options: residual check and thresholds.
    public init<G: ObjectiveGradient>(
        argminWithGradient gradient: G, solver: @escaping @Sendable (_ x: [Double]) throws -> [Double],
        linearSolver: LinearSolver = .automatic, representation: Representation = .automatic,
        structure: OperatorStructure = [.symmetric, .positiveDefinite], options: ImplicitFunctionOptions = .init()
    ) {
        self.init(solver: solver, conditions: GradientConditions(gradient: gradient), linearSolver: linearSolver,
                  representation: representation, structure: structure, options: options)
    }
}
