import Foundation
import ImplicitDifferentiation

// The package's main job, until the examples CLI replaces it:
//
//     implicit-diff solve [--size N] [--seed S]
//
// builds a deterministic, well-conditioned N × N system A x = b (A = R + N·I
// with R uniform in [-1, 1), b = A·1), solves it by LU and prints the relative
// residual, the forward error, the reciprocal condition estimate and the
// achieved GFLOP/s of factor + solve (timed after a small warm-up solve). Exits with status 1 when the relative
// residual exceeds 1e-12.

let usage = """
    usage: implicit-diff solve [--size N] [--seed S]
      --size N   order of the dense system, N ≥ 1 (default 1000)
      --seed S   seed of the deterministic matrix (default 1)
    """

/// SplitMix64: the same stream on every machine.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func uniform() -> Double { -1 + 2 * Double(next() >> 11) * 0x1p-53 }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write((message + "\n" + usage + "\n").data(using: .utf8)!)
    exit(2)
}

func option(_ name: String, in arguments: [String], default value: Int) -> Int {
    guard let i = arguments.firstIndex(of: name) else { return value }
    guard i + 1 < arguments.count, let v = Int(arguments[i + 1]) else { fail("\(name) needs an integer") }
    return v
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(usage)
    exit(0)
}
guard arguments.first == "solve" else { fail("unknown or missing command") }
let known: Set<String> = ["--size", "--seed"]
var index = 1
while index < arguments.count {
    guard known.contains(arguments[index]) else { fail("unknown argument \(arguments[index])") }
    index += 2
}
let n = option("--size", in: arguments, default: 1000)
let seed = option("--seed", in: arguments, default: 1)
guard n >= 1 else { fail("--size must be at least 1") }

var rng = SplitMix64(state: UInt64(truncatingIfNeeded: seed))
var a = Matrix(rows: n, columns: n) { _, _ in rng.uniform() }
for i in 0..<n { a[i, i] += Double(n) }
let exactSolution = [Double](repeating: 1, count: n)
let b = a * exactSolution

// Warm-up on a small system: starts OpenBLAS's threads and pages in its code,
// so the timing below measures the solve and not the library's start-up.
let warmUpSize = Swift.min(n, 256)
_ = try? LUFactorization(Matrix(rows: warmUpSize, columns: warmUpSize) { i, j in i == j ? 2 : 1 / Double(1 + i + j) })
    .solve([Double](repeating: 1, count: warmUpSize))

let clock = ContinuousClock()
let start = clock.now
let x: [Double]
let lu: LUFactorization
do {
    lu = try LUFactorization(a)
    x = try lu.solve(b)
} catch {
    print("solve failed: \(error)")
    exit(1)
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18

var residual = a * x
BLAS.axpy(-1, b, &residual)
let maxAbs: ([Double]) -> Double = { $0.reduce(0) { Swift.max($0, Swift.abs($1)) } }
let relativeResidual = maxAbs(residual) / (a.infinityNorm * maxAbs(x))
var error = x
BLAS.axpy(-1, exactSolution, &error)
let forwardError = maxAbs(error)
// The usual count: 2n³/3 for the factorization, 2n² for the two triangular solves.
let nd = Double(n)
let flops = 2 * nd * nd * nd / 3 + 2 * nd * nd

print("dense LU solve, n = \(n), seed = \(seed)")
print(String(format: "relative residual ‖Ax − b‖∞ / (‖A‖∞ ‖x‖∞) = %.3e", relativeResidual))
print(String(format: "forward error ‖x − 1‖∞                     = %.3e", forwardError))
print(String(format: "reciprocal condition estimate (1-norm)     = %.3e", lu.reciprocalCondition))
print(String(format: "factor + solve: %.3f ms, %.2f GFLOP/s", seconds * 1e3, flops / seconds / 1e9))
if relativeResidual > 1e-12 {
    print("FAILED: relative residual above 1e-12")
    exit(1)
}
