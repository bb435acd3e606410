import Testing
import AutoDiff
import LinearAlgebra
import TestSupport

// The bad-input catalogue of the AD layer. Its drivers do not throw: a wrong
// length is a documented programmer error (a precondition, checked here in a
// child process), and non-finite values propagate as IEEE values — only to
// the outputs and derivatives that depend on them — without trapping. The
// implicit layer turns those into typed errors (its own catalogue).

/// `f(x) = [x₀·x₁, exp(x₁), sin(x₀) + 2]`.
struct Mixed: DifferentiableFunction {
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        [x[0] * x[1], T.exp(x[1]), T.sin(x[0]) + T(2)]
    }
}

/// `f(x) = [Σ xᵢ², 1]` for any n, including n = 0.
struct SquaredNorm: DifferentiableFunction {
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        [x.reduce(T(0)) { $0 + $1 * $1 }, T(1)]
    }
}

/// `F(x, y) = [y₀ − x₀ y₁, y₁³ − x₁]`.
struct Pair: DifferentiableBivariateFunction {
    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
        [y[0] - x[0] * y[1], y[1] * y[1] * y[1] - x[1]]
    }
}

@Suite("Bad-input catalogue: automatic differentiation")
struct AutoDiffBadInputCatalogueTests {
    @Test("NaN in x reaches only the outputs and derivatives that depend on it")
    func nanInX() {
        let x = [Double.nan, 0.5]
        let (value, tangent) = AD.jvp(of: Mixed(), at: x, tangent: [0, 1])
        #expect(value[0].isNaN && value[1] == Double.exp(0.5) && value[2].isNaN)
        #expect(tangent[1] == Double.exp(0.5))
        let lin = AD.linearize(Mixed(), at: x)
        // Output 1 does not depend on x₀: its row of the Jacobian stays finite.
        #expect(lin.vjp([0, 1, 0]) == [0, Double.exp(0.5)])
        #expect(lin.vjp([1, 0, 0]).contains { $0.isNaN })
        let j = AD.jacobian(of: Mixed(), at: x, mode: .forward)
        #expect(j[1, 1] == Double.exp(0.5) && j[1, 0] == 0)
    }

    @Test("±∞ in the tangent or cotangent propagates without trapping")
    func infiniteDirections() {
        let (_, tangent) = AD.jvp(of: Mixed(), at: [1, 2], tangent: [.infinity, 0])
        #expect(tangent[0] == .infinity && tangent[1] == 0 && tangent[2] == .infinity)
        let g = AD.linearize(Mixed(), at: [1, 2]).vjp([0, -.infinity, 0])
        #expect(g[0] == 0 && g[1] == -.infinity)
    }

    @Test("zero tangent and zero cotangent give exact zeros, every driver")
    func zeroDirections() {
        let x = [0.3, -1.7]
        #expect(AD.jvp(of: Mixed(), at: x, tangent: [0, 0]).tangent == [0, 0, 0])
        let lin = AD.linearize(Mixed(), at: x)
        #expect(lin.jvp([0, 0]) == [0, 0, 0])
        #expect(lin.vjp([0, 0, 0]) == [0, 0])
        #expect(AD.vjp(of: Mixed(), at: x, cotangent: [0, 0, 0]).gradient == [0, 0])
        let pair = AD.linearize(Pair(), x: x, y: [1, 2])
        #expect(pair.jvp(dx: [0, 0], dy: nil) == [0, 0])
        #expect(pair.vjp([0, 0]).x == [0, 0] && pair.vjp([0, 0]).y == [0, 0])
    }

    @Test("empty x: Jacobians with zero columns, empty gradients, every driver")
    func emptyX() {
        for mode in [JacobianMode.forward, .reverse, .automatic] {
            #expect(AD.jacobian(of: SquaredNorm(), at: [], mode: mode) == Matrix(rows: 2, columns: 0))
        }
        #expect(AD.jvp(of: SquaredNorm(), at: [], tangent: []) == (value: [0, 1], tangent: [0, 0]))
        #expect(AD.vjp(of: SquaredNorm(), at: [], cotangent: [1, 1]).gradient == [])
        #expect(AD.gradient(of: Scalar(), at: []).gradient == [])
        let j = AD.jacobians(of: Pair(), x: [1, 2], y: [3, 4], withRespectTo: .y)
        #expect(j.x == nil && j.y?.rows == 2)
        #expect(FiniteDifferences.jacobian(of: { _ in [1, 2] }, at: []) == Matrix(rows: 2, columns: 0))
    }

    struct Scalar: DifferentiableFunction {
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { [x.reduce(T(3)) { $0 * $1 }] }
    }

    @Test("n = m = 1")
    func oneByOne() {
        struct Cube: DifferentiableFunction {
            func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { [x[0] * x[0] * x[0]] }
        }
        #expect(AD.gradient(of: Cube(), at: [2]) == (value: 8, gradient: [12]))
        #expect(AD.jacobian(of: Cube(), at: [2], mode: .reverse) == Matrix(rows: [[12]]))
        #expect(AD.jacobian(of: Cube(), at: [2], mode: .forward) == Matrix(rows: [[12]]))
    }

    @Test("x ~ 1e±150: exact derivatives, no overflow in the drivers or the differences",
          arguments: [1e150, 1e-150])
    func extremeScales(s: Double) {
        let x = [3 * s, 2 * s]
        let j = AD.jacobian(of: SquaredNorm(), at: x, mode: .reverse)
        #expect(Approximate.relativeError(j.row(0), [6 * s, 4 * s]) <= 1e-15)
        #expect(Approximate.relativeError(AD.jvp(of: SquaredNorm(), at: x, tangent: [1, 1]).tangent, [10 * s, 0]) <= 1e-15)
        #expect(Approximate.relativeError(AD.vjp(of: SquaredNorm(), at: x, cotangent: [1, 0]).gradient,
                                          [6 * s, 4 * s]) <= 1e-15)
        let fd = FiniteDifferences.jacobian(of: { x in [x[0] * x[1]] }, at: x)
        #expect(Approximate.relativeError(fd, Matrix(rows: [[x[1], x[0]]])) <= 1e-9)
        // A direction at the other extreme: the step scales with ‖v‖, so x ± h v stays representable.
        let v = [1 / s, 0]
        let jv = FiniteDifferences.jvp(of: { x in [x[0] * x[1]] }, at: x, tangent: v)
        #expect(Approximate.relativeError(jv, [x[1] / s]) <= 1e-9)
    }

    @Test("non-differentiable points follow the documented one-sided rules")
    func nonDifferentiablePoints() {
        struct Kinks: DifferentiableFunction {
            func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
                [T.abs(x[0]), T.max(x[0], x[1]), T.clamp(x[0], lower: T(0), upper: T(1))]
            }
        }
        // At x₀ = 0 = x₁: |x|' = +1 and max takes a's derivative at a tie; clamp at its bound
        // returns one one-sided derivative. Finite, and the same in forward and reverse mode.
        let j = AD.jacobian(of: Kinks(), at: [0, 0], mode: .forward)
        #expect(j.row(0) == [1, 0] && j.row(1) == [1, 0])
        #expect(j.row(2) == [1, 0] || j.row(2) == [0, 0])
        #expect(AD.jacobian(of: Kinks(), at: [0, 0], mode: .reverse) == j)
    }

    // Documented programmer errors: preconditions, checked in a child process.

    @Test("a tangent of the wrong length stops the process")
    func wrongTangentLength() async {
        await #expect(processExitsWith: .failure) {
            _ = AD.jvp(of: Mixed(), at: [1, 2], tangent: [1])
        }
    }

    @Test("a cotangent of the wrong length stops the process")
    func wrongCotangentLength() async {
        await #expect(processExitsWith: .failure) {
            _ = AD.linearize(Mixed(), at: [1, 2]).vjp([1, 2])
        }
    }
}
