import Foundation
import Testing
import ImplicitDifferentiation
import ImplicitExamples

/// The examples' reference derivatives (fourth-order finite differences
/// through the solver) against closed forms, for a solver that is exact and
/// for one converged only to about 1e-14 relative, where one central
/// difference at `h = ∛ε` loses digits to the solver's rounding.
@Suite struct SolverFiniteDifferencesTests {
    /// `y(x) = (sin x₀ · e^{x₁}, x₀³ / (1 + x₁²))`, times `1 + δ·noise(x)` with a noise in [−1, 1]
    /// drawn from the bits of `x` (a solver whose answer depends on where it started).
    static func solve(_ x: [Double], noise delta: Double) -> [Double] {
        var hash = x.reduce(UInt64(0x9E37_79B9_7F4A_7C15)) { ($0 ^ $1.bitPattern) &* 0xBF58_476D_1CE4_E5B9 }
        hash ^= hash >> 31
        let noise = Double(hash % 2_000_001) / 1_000_000 - 1
        let y = [Double.sin(x[0]) * Double.exp(x[1]), x[0] * x[0] * x[0] / (1 + x[1] * x[1])]
        return y.map { $0 * (1 + delta * noise) }
    }

    static func exactJacobian(_ x: [Double]) -> [[Double]] {
        let d = 1 + x[1] * x[1]
        return [[Double.cos(x[0]) * Double.exp(x[1]), Double.sin(x[0]) * Double.exp(x[1])],
                [3 * x[0] * x[0] / d, -2 * x[1] * x[0] * x[0] * x[0] / (d * d)]]
    }

    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        let scale = b.reduce(0) { max($0, abs($1)) }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } / scale
    }

    @Test(arguments: [0.0, 1e-14])
    func jvpAndJacobianMatchTheClosedForm(noise: Double) {
        let x = [0.7, -0.4], v = [0.3, 1.1]
        let exact = Self.exactJacobian(x)
        let jv = exact.map { $0[0] * v[0] + $0[1] * v[1] }
        let fd = SolverFiniteDifferences.jvp({ Self.solve($0, noise: noise) }, at: x, along: v)
        #expect(Self.relativeError(fd, jv) <= 1e-10)
        let j = SolverFiniteDifferences.jacobian(of: { Self.solve($0, noise: noise) }, at: x)
        for c in 0..<2 {
            #expect(Self.relativeError([j[0, c], j[1, c]], [exact[0][c], exact[1][c]]) <= 1e-10)
        }
    }

    @Test func fourthOrderBeatsOneCentralDifferenceOnANoisySolver() {
        let x = [0.7, -0.4], v = [0.3, 1.1]
        let exact = Self.exactJacobian(x).map { $0[0] * v[0] + $0[1] * v[1] }
        let solve: ([Double]) -> [Double] = { Self.solve($0, noise: 1e-14) }
        let fourth = Self.relativeError(SolverFiniteDifferences.jvp(solve, at: x, along: v), exact)
        let second = Self.relativeError(FiniteDifferences.jvp(of: solve, at: x, tangent: v), exact)
        #expect(fourth <= 1e-10)
        #expect(fourth * 10 <= second)
    }
}
