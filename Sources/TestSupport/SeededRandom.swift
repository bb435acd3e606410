import LinearAlgebra

/// A small, fast, reproducible random generator (SplitMix64) for tests and
/// benchmarks (and the command-line `solve` job): the same seed gives the
/// same stream on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose stream is fixed by `seed`.
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in `[lower, upper)`.
    public mutating func uniform(_ lower: Double = -1, _ upper: Double = 1) -> Double {
        lower + (upper - lower) * Double(next() >> 11) * 0x1p-53
    }

    /// A vector of `n` uniform doubles in `[lower, upper)`.
    public mutating func vector(_ n: Int, _ lower: Double = -1, _ upper: Double = 1) -> [Double] {
        (0..<n).map { _ in uniform(lower, upper) }
    }

    /// An `m × n` matrix of uniform entries in `[-1, 1)`.
    public mutating func matrix(_ m: Int, _ n: Int) -> Matrix {
        Matrix(rows: m, columns: n, elements: vector(m * n))
    }
}
