import Testing
@testable import Krylov
import LinearAlgebra
import TestSupport

/// The fused CG update against the separate BLAS calls it replaces.
@Suite struct ConjugateGradientKernelTests {
    @Test("x + αp, r − αq and rᵀr in one pass equal axpy, axpy and dot (every remainder of the 4-way unroll)",
          arguments: [0, 1, 3, 4, 5, 7, 8, 1001])
    func matchesSeparateCalls(_ n: Int) {
        var rng = SeededRandom(seed: UInt64(17 + n))
        let p = rng.vector(n), q = rng.vector(n), x0 = rng.vector(n), r0 = rng.vector(n)
        let alpha = 0.37
        var x = x0, r = r0
        let squared = ConjugateGradientKernels.step(alpha, p, q, &x, &r)
        var xRef = x0, rRef = r0
        BLAS.axpy(alpha, p, &xRef)
        BLAS.axpy(-alpha, q, &rRef)
        let squaredRef = BLAS.dot(rRef, rRef)
        for i in 0..<n {
            #expect(abs(x[i] - xRef[i]) <= 4 * Double.ulpOfOne * Swift.max(abs(xRef[i]), 1))
            #expect(abs(r[i] - rRef[i]) <= 4 * Double.ulpOfOne * Swift.max(abs(rRef[i]), 1))
        }
        #expect(abs(squared - squaredRef) <= 1e-13 * Swift.max(squaredRef, 1))
        #expect(norm2(squared: squared, of: r) == squared.squareRoot() || n == 0)
    }

    @Test("outside the safe range the norm falls back to the scaled dnrm2 (underflow, overflow, NaN)")
    func normFallback() {
        let tiny = [Double](repeating: 1e-300, count: 4)
        #expect(abs(norm2(squared: 0, of: tiny) / 2e-300 - 1) <= 1e-15)
        let huge = [Double](repeating: 1e200, count: 4)
        #expect(abs(norm2(squared: .infinity, of: huge) / 2e200 - 1) <= 1e-15)
        #expect(norm2(squared: .nan, of: [1, .nan]).isNaN)
    }
}
