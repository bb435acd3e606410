import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

/// F: Rⁿ × Rᵐ → Rᵐ⁺¹, each output coupling neighbouring entries of both
/// arguments nonlinearly; any sizes (the block driver's lane widths change at 8 and 16).
private struct Chain: DifferentiableBivariateFunction {
    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
        let n = x.count, m = y.count
        return (0...m).map { i in
            var s = T(0.1 * Double(i))
            if m > 0 {
                let yi = y[i % m], yj = y[(i + 1) % m]
                s += yi * yi * yj + T.sin(yi)
            }
            if n > 0 {
                let xi = x[i % n], xj = x[(i + 2) % n]
                s += T.exp(T(0.3) * xi) * xj
                if m > 0 { s += xi * y[(i + 3) % m] }
            }
            return s
        }
    }
}

@Suite("Block Jacobian driver and tangent")
struct BlockJacobianTests {
    @Test("jacobian(withRespectToY:) equals the blocks of jacobians() bit for bit, across the lane widths",
          arguments: [(0, 3), (3, 0), (1, 1), (5, 8), (8, 9), (9, 16), (16, 17), (17, 20), (2, 33)])
    func blocksAgree(sizes: (Int, Int)) throws {
        let (n, m) = sizes
        var rng = SeededRandom(seed: UInt64(31 + 7 * n + m))
        let x = rng.vector(n, -0.9, 0.9), y = rng.vector(m, -0.9, 0.9)
        let f = Chain()
        let reference = AD.jacobians(of: f, x: x, y: y, withRespectTo: .both)
        let A = AD.jacobian(of: f, x: x, y: y, withRespectToY: true)
        let B = AD.jacobian(of: f, x: x, y: y, withRespectToY: false)
        #expect(A.rows == m + 1 && A.columns == m && B.rows == m + 1 && B.columns == n)
        #expect(A == (try #require(reference.y)))
        #expect(B == (try #require(reference.x)))
        let lin = AD.linearize(f, x: x, y: y)
        if m > 0 { #expect(Approximate.relativeError(lin.jacobianY(), A) < 1e-13) }
        if n > 0 { #expect(Approximate.relativeError(lin.jacobianX(), B) < 1e-13) }
    }

    @Test("tangent(of:x:y:dx:) is B·dx, as the one-direction JVP computes it", arguments: [(0, 2), (4, 3), (12, 10)])
    func tangent(sizes: (Int, Int)) throws {
        let (n, m) = sizes
        var rng = SeededRandom(seed: UInt64(5 + n))
        let x = rng.vector(n, -0.9, 0.9), y = rng.vector(m, -0.9, 0.9), dx = rng.vector(n)
        let f = Chain()
        let t = AD.tangent(of: f, x: x, y: y, dx: dx)
        #expect(t == AD.jvp(of: f, x: x, y: y, dx: dx, dy: nil).tangent)
        #expect(t.count == m + 1)
        let B = AD.jacobian(of: f, x: x, y: y, withRespectToY: false)
        let expected = times(B, dx)
        let scale = Swift.max(expected.map(Swift.abs).max() ?? 0, 1)
        #expect(zip(t, expected).allSatisfy { Swift.abs($0 - $1) <= 1e-13 * scale })
    }
}
