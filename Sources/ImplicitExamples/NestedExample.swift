import ImplicitDifferentiation

// Use case 8: a nested implicit function and a second derivative through one.
//
//     inner:  z(s) = √s                 an ImplicitFunction (Newton on z² − s)
//     outer:  y(x) solves y + z(y) = x  componentwise: F(x, y) = y + √y − x
//
// With r = √y = (−1 + √(1 + 4x))/2:
//
//     dy/dx   = 1 / (1 + z'(y)) = 2r/(2r + 1)
//     d²y/dx² = 2/(2r + 1)³
//
// This branch nests by hand: the outer conditions are HandwrittenConditions
// whose Jacobian ∂F/∂y = I + J_z comes from the inner implicit function's own
// Jacobian — the chain rule through the inner implicit function written out. The Hessian of
// L(x) = Σ wᵢ yᵢ(x) is taken by central differences of the implicit gradient
// (two linearizations per column). Evaluating the inner function on the AD
// layer's scalars (generic nesting, forward-over-forward Hessians) needs the
// composition support of issue 6.

/// The outer problem of use case 8: `y + z(y) = x` with `z = √·` an inner implicit function.
public struct NestedSquareRoot: Sendable {
    /// The inner implicit function `z(s) = √s` (Newton on `z² − s`).
    public let inner = ImplicitFunction(solver: SquareRootSolvers.newton, conditions: SquareRootEquationConditions())

    /// Creates the problem.
    public init() {}

    /// The outer conditions `F(x, y) = y + z(y) − x`, with the two Jacobians
    /// through the inner implicit function (one inner linearization each):
    ///
    /// ```
    /// B = ∂F/∂x = −I,    A = ∂F/∂y = I + J_z(y),    J_z = inner.jacobian(at: y)
    /// ```
    ///
    /// A failing inner solve or derivative gives NaN, which the outer layer refuses.
    public var conditions: HandwrittenConditions<Void> {
        let inner = self.inner
        return HandwrittenConditions(
            value: { x, y in
                let z = (try? inner(y)) ?? [Double](repeating: .nan, count: y.count)
                return (0..<y.count).map { y[$0] + z[$0] - x[$0] }
            },
            jacobians: { x, y in
                var a = (try? inner.jacobian(at: y)) ?? Matrix(rows: y.count, columns: y.count, repeating: .nan)
                for i in 0..<y.count { a[i, i] += 1 }
                return (x: -1 * Matrix.identity(x.count), y: a)
            })
    }

    /// The outer forward solver, as a user would write it: safeguarded
    /// Newton on `y + √y − x = 0` from `y = x` (plain square roots).
    ///
    /// - Parameter x: positive entries.
    /// - Returns: `y(x)`.
    @Sendable public static func solve(_ x: [Double]) -> [Double] {
        x.map { x in
            var y = x
            for _ in 0..<100 {
                let r = y.squareRoot()
                let next = Swift.max(y - (y + r - x) / (1 + 1 / (2 * r)), y / 10)
                if next == y { break }
                y = next
            }
            return y
        }
    }

    /// `r = √y = (−1 + √(1 + 4x))/2`.
    static func root(_ x: Double) -> Double { (-1 + (1 + 4 * x).squareRoot()) / 2 }
}

extension Examples {
    /// Use case 8: a nested implicit function and a Hessian through one.
    public static let nested = Example(
        name: "nested",
        title: "nested implicit function y + √y = x (√ itself implicit) and the Hessian of Σwᵢyᵢ",
        sizeMeaning: "m = n = size", defaultSize: 20, testSize: 6, benchmarkSizes: [10, 100, 1000]
    ) { (m: Int) -> ExampleProblem<Void> in
        let problem = NestedSquareRoot()
        let x = (0..<m).map { 0.5 + 3 * Double(($0 * 3) % 7) / 7 }
        let w = (0..<m).map { 1 + 0.5 * Inputs.wave($0, 1.0, 0) }
        let dx = Directions.tangent(m), ybar = Directions.cotangent(m)
        let slope = x.map { x -> Double in let r = NestedSquareRoot.root(x); return 2 * r / (2 * r + 1) }
        let curvature = x.map { x -> Double in let r = NestedSquareRoot.root(x); return 2 / Double.pow(2 * r + 1, 3) }
        let conditions = problem.conditions
        let makeFunction: @Sendable (@escaping ExampleProblem<Void>.Solver, LinearSolver, Representation,
                                     ImplicitFunctionOptions) -> ImplicitFunction<Void, Void> = { solver, ls, rep, options in
            ImplicitFunction(solver: { try solver($0).y }, conditions: conditions, linearSolver: ls,
                             representation: rep, options: options)
        }
        return ExampleProblem(
            input: x, unknowns: m, equations: m, solve: { (NestedSquareRoot.solve($0), ()) },
            makeFunction: makeFunction,
            checks: [
                DerivativeCheck(mode: .jvp, quantity: "J ẋ through the inner implicit function", reference: .closedForm,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jvp(dx) },
                                expected: { _ in zip(slope, dx).map { $0 * $1 } }),
                DerivativeCheck(mode: .vjp, quantity: "Jᵀ ȳ through the inner implicit function", reference: .closedForm,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.vjp(ybar) },
                                expected: { _ in zip(slope, ybar).map { $0 * $1 } }),
                DerivativeCheck(mode: .jacobian, quantity: "J = diag(2r/(2r + 1)), r = √y", reference: .closedForm,
                                skipReason: m > 2000 ? "m = \(m) > 2000" : nil,
                                compute: { lin throws(ImplicitDifferentiationError) in try lin.jacobian().elements },
                                expected: { _ in Matrix.diagonal(slope).elements }),
                DerivativeCheck(mode: .jacobian,
                                quantity: "Hessian of Σwᵢyᵢ = diag(wᵢ·2/(2rᵢ + 1)³), by central differences of the implicit gradient",
                                reference: .finiteDifferences, skipReason: m > 100 ? "m = \(m) > 100 (2m linearizations)" : nil,
                                compute: { _ throws(ImplicitDifferentiationError) in
                                    let f = makeFunction({ (NestedSquareRoot.solve($0), ()) }, .automatic, .automatic,
                                                         ImplicitFunctionOptions())
                                    var h = Matrix(rows: m, columns: m)
                                    var xp = x
                                    for j in 0..<m {
                                        let step = FiniteDifferences.step(at: x[j])
                                        xp[j] = x[j] + step
                                        let gp = try f.vjp(at: xp, cotangent: w)
                                        xp[j] = x[j] - step
                                        let gm = try f.vjp(at: xp, cotangent: w)
                                        xp[j] = x[j]
                                        h.setColumn(j, to: zip(gp, gm).map { ($0 - $1) / (2 * step) })
                                    }
                                    return h.elements
                                },
                                expected: { _ in Matrix.diagonal(zip(w, curvature).map { $0 * $1 }).elements }),
            ])
    }
}
