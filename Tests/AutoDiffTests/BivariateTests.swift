import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

@Suite("Bivariate drivers and linearization")
struct BivariateTests {
    let f = Coupled()
    let x: [Double], y: [Double], dx: [Double], dy: [Double], u: [Double]

    init() {
        var rng = SeededRandom(seed: 21)
        x = rng.vector(7, -0.9, 0.9); y = rng.vector(5, -0.9, 0.9)
        dx = rng.vector(7); dy = rng.vector(5); u = rng.vector(6)
    }

    @Test("jacobians: .both, .x, .y agree with each other, the tape and finite differences")
    func jacobians() throws {
        let both = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
        let onlyX = AD.jacobians(of: f, x: x, y: y, withRespectTo: .x)
        let onlyY = AD.jacobians(of: f, x: x, y: y, withRespectTo: .y)
        let B = try #require(both.x), A = try #require(both.y)
        #expect(B.rows == 6 && B.columns == 7 && A.rows == 6 && A.columns == 5)
        #expect(onlyX.y == nil && onlyY.x == nil)
        #expect(onlyX.x == B && onlyY.y == A)          // seeding pattern does not change a bit
        #expect(both.value == f(x, y) && onlyX.value == both.value)
        let lin = AD.linearize(f, x: x, y: y)
        #expect(Approximate.relativeError(lin.jacobianX(), B) < 1e-13)
        #expect(Approximate.relativeError(lin.jacobianY(), A) < 1e-13)
        let fd = FiniteDifferences.jacobians(of: plain(f), x: x, y: y, withRespectTo: .both)
        #expect(Approximate.relativeError(try #require(fd.x), B) < 1e-8)
        #expect(Approximate.relativeError(try #require(fd.y), A) < 1e-8)
    }

    @Test("jvp: duals, tape forward sweep, B·dx + A·dy and finite differences agree")
    func jvp() throws {
        let both = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
        let B = try #require(both.x), A = try #require(both.y)
        let expected = zip(times(B, dx), times(A, dy)).map { $0 + $1 }
        let dual = AD.jvp(of: f, x: x, y: y, dx: dx, dy: dy)
        #expect(dual.value == f(x, y))
        #expect(Approximate.relativeError(dual.tangent, expected) < 1e-13)
        let lin = AD.linearize(f, x: x, y: y)
        #expect(lin.value == f(x, y) && lin.xCount == 7 && lin.yCount == 5 && lin.outputCount == 6)
        #expect(Approximate.relativeError(lin.jvp(dx: dx, dy: dy), expected) < 1e-13)
        #expect(Approximate.relativeError(lin.jvp(dx: dx, dy: nil), times(B, dx)) < 1e-13)
        #expect(Approximate.relativeError(lin.jvp(dx: nil, dy: dy), times(A, dy)) < 1e-13)
        #expect(Approximate.relativeError(AD.jvp(of: f, x: x, y: y, dx: nil, dy: dy).tangent, times(A, dy)) < 1e-13)
        #expect(lin.jvp(dx: nil, dy: nil) == [Double](repeating: 0, count: 6))
        var out = [Double](repeating: .nan, count: 6)
        lin.jvp(dx: dx, dy: dy, into: &out)
        #expect(out == lin.jvp(dx: dx, dy: dy))
        let fd = FiniteDifferences.jvp(of: plain(f), x: x, y: y, dx: dx, dy: dy)
        #expect(Approximate.relativeError(fd, expected) < 1e-8)
    }

    @Test("vjp: tape reverse sweep equals (Bᵀu, Aᵀu); adjoint to the JVP")
    func vjp() throws {
        let both = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
        let B = try #require(both.x), A = try #require(both.y)
        let r = AD.vjp(of: f, x: x, y: y, cotangent: u)
        #expect(r.value == f(x, y))
        #expect(Approximate.relativeError(r.x, timesTransposed(B, u)) < 1e-13)
        #expect(Approximate.relativeError(r.y, timesTransposed(A, u)) < 1e-13)
        let lin = AD.linearize(f, x: x, y: y)
        var xb = [Double](repeating: .nan, count: 7), yb = [Double](repeating: .nan, count: 5)
        lin.vjp(u, intoX: &xb, intoY: &yb)
        #expect(xb == r.x && yb == r.y)
        var yOnly = [Double](repeating: .nan, count: 5), xOnly = [Double](repeating: .nan, count: 7)
        lin.vjp(u, intoY: &yOnly)
        lin.vjp(u, intoX: &xOnly)
        #expect(yOnly == r.y && xOnly == r.x)
        let lhs = dot(u, lin.jvp(dx: dx, dy: dy)), rhs = dot(xb, dx) + dot(yb, dy)
        #expect(Swift.abs(lhs - rhs) <= 1e-12 * Swift.abs(lhs))
    }

    @Test("an argument not selected enters as constants (empty blocks work)")
    func edgeShapes() {
        let r = AD.jacobians(of: f, x: x, y: y, withRespectTo: .x)
        #expect(r.x?.columns == 7 && r.y == nil)
        struct OnlyY: DifferentiableBivariateFunction {
            func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] { y.map { $0 * $0 } }
        }
        let e = AD.jacobians(of: OnlyY(), x: [], y: [3, 4], withRespectTo: .both)
        #expect(e.x?.columns == 0 && e.y == Matrix.diagonal([6, 8]))
        let lin = AD.linearize(OnlyY(), x: [], y: [3, 4])
        #expect(lin.jacobianY() == Matrix.diagonal([6, 8]) && lin.jacobianX().columns == 0)
        #expect(lin.vjp([1, 1]).x.isEmpty && lin.vjp([1, 1]).y == [6, 8])
    }
}
