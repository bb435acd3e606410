@testable import ImplicitDifferentiation
import TestSupport
import Testing

/// The residual norm `‖F‖₂` that the residual check and the residual scale read.
@Suite struct EuclideanNormTests {
    @Test("finite vectors: within rounding of the plain sum of squares, without overflow or underflow")
    func finite() {
        var rng = SeededRandom(seed: 5)
        for n in [0, 1, 2, 3, 4, 5, 7, 8, 9, 1000, 10_001] {
            let v = (0..<n).map { _ in rng.uniform() }
            let plain = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(euclideanNorm(v) - plain) <= 1e-12 * Swift.max(plain, 1), "n \(n)")   // the plain sum is off by up to n·ε
            // Scaled far beyond the double range of the squares: the same norm, scaled.
            for scale in [0x1p600, 0x1p-600, 0x1p-1010] {
                let w = v.map { $0 * scale }
                #expect(abs(euclideanNorm(w) / scale - plain) <= 1e-12 * Swift.max(plain, 1), "n \(n), scale \(scale)")
            }
        }
        #expect(euclideanNorm([0, 0, 0]) == 0)
        #expect(euclideanNorm([3, -4]) == 5)
        #expect(euclideanNorm([Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude]).isFinite == false)
    }

    @Test("a NaN or infinite entry gives a non-finite norm wherever it stands (NaN when a NaN follows the last ∞)")
    func nonFinite() {
        let cases: [([Double], Bool)] = [([.nan], true), ([0, .nan], true), ([.nan, 0], true), ([1, .nan, 2], true),
                                         ([.infinity], false), ([1, -.infinity, 2], false), ([.nan, .infinity], false),
                                         ([.infinity, .nan], true), ([.infinity, .nan, 1], true)]
        for (v, isNaN) in cases {
            let norm = euclideanNorm(v)
            #expect(!norm.isFinite, "\(v)")
            #expect(norm.isNaN == isNaN, "\(v): \(norm)")
        }
    }
}
