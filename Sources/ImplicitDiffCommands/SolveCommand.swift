import ArgumentParser
import Foundation
import ImplicitDifferentiation
import TestSupport

/// `implicit-diff solve [--size N] [--seed S]`: the dense-LU job.
///
/// Builds a deterministic, well-conditioned `N × N` system `A x = b`
/// (`A = R + N·I` with `R` uniform in `[−1, 1)` from SplitMix64, `b = A·1`),
/// solves it by LU and prints the relative residual, the forward error, the
/// reciprocal condition estimate and the GFLOP/s of factor + solve (timed
/// after a small warm-up). Exits with status 1 when the relative residual
/// exceeds 1e-12.
public struct SolveCommand: ParsableCommand {
    /// The subcommand's name and abstract.
    public static let configuration = CommandConfiguration(
        commandName: "solve", abstract: "Solve a deterministic dense N × N system by LU and time it.")

    /// `--size N`, `N ≥ 1`.
    @Option(help: "Order of the dense system, N ≥ 1.")
    public var size: Int = 1000

    /// `--seed S`.
    @Option(help: "Seed of the deterministic matrix.")
    public var seed: Int = 1

    /// `--allow-large`: run an order whose memory estimate is above the limit.
    @Flag(help: "Run even when the two N × N matrices need more than 4 GiB.")
    public var allowLarge = false

    /// Creates the command (the parser calls this).
    public init() {}

    /// Rejects `N < 1`, and an `N` whose two `N × N` matrices (`A` and its
    /// LU factors) need more than 4 GiB unless `--allow-large`.
    public func validate() throws {
        if size < 1 { throw ValidationError("--size must be at least 1") }
        let (square, o1) = size.multipliedReportingOverflow(by: size)
        let (bytes, o2) = square.multipliedReportingOverflow(by: 16)
        if !allowLarge && (o1 || o2 || bytes > RunCommand.memoryLimit) {
            let need = (o1 || o2) ? "more memory than Int can count" : "about \(bytes / 1_048_576) MiB"
            throw ValidationError("--size \(size) needs \(need) for A and its LU factors (limit "
                + "\(RunCommand.memoryLimit / 1_048_576) MiB); choose a smaller --size or pass --allow-large")
        }
    }

    /// Solves, prints, and exits 1 when the residual is too large.
    public func run() throws {
        let n = size
        let seconds = 2 * Double(n) * Double(n) * Double(n) / 3 / 10e9
        if seconds >= 1 {
            print("note: the LU factorization of order \(n) takes about \(Int(seconds.rounded(.up))) s at 10 GFLOP/s")
        }
        var rng = SeededRandom(seed: UInt64(truncatingIfNeeded: seed))
        var a = Matrix(rows: n, columns: n) { _, _ in rng.uniform() }
        for i in 0..<n { a[i, i] += Double(n) }
        let exactSolution = [Double](repeating: 1, count: n)
        let b = a * exactSolution

        // Warm-up on a small system: starts OpenBLAS's threads and pages in its code.
        let warmUpSize = Swift.min(n, 256)
        _ = try? LUFactorization(Matrix(rows: warmUpSize, columns: warmUpSize) { i, j in
            i == j ? 2 : 1 / Double(1 + i + j)
        }).solve([Double](repeating: 1, count: warmUpSize))

        let clock = ContinuousClock()
        let start = clock.now
        let x: [Double]
        let lu: LUFactorization
        do {
            lu = try LUFactorization(a)
            x = try lu.solve(b)
        } catch {
            print("solve failed: \(error)")
            throw ExitCode(1)
        }
        let elapsed = clock.now - start
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18

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
        print(String(format: "factor + solve: %.3f ms, %.2f GFLOP/s", elapsedSeconds * 1e3, flops / elapsedSeconds / 1e9))
        if relativeResidual > 1e-12 {
            print("FAILED: relative residual above 1e-12")
            throw ExitCode(1)
        }
    }
}
