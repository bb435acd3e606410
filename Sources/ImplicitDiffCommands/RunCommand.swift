import ArgumentParser
import Foundation
import ImplicitDifferentiation
import ImplicitExamples

/// `implicit-diff run <example|group|all> [options]`.
public struct RunCommand: ParsableCommand {
    /// The subcommand's name, abstract and discussion.
    public static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run examples and check their derivatives.",
        discussion: """
            For each example: the chosen plan (representation, solver, why), the forward residual, each \
            derivative's error against its reference, the Krylov statistics, and the time of the forward solve \
            against the derivative. Exits non-zero when any example fails (an error above its tolerance, a \
            refused plan, a Krylov solve that did not converge).
            """)

    /// An example name, a group (`sqrt`) or `all`.
    @Argument(help: "An example name (see `list`), a group (sqrt), or all.")
    public var example: String

    /// `--size N`.
    @Option(help: "Problem size (see `list` for its meaning per example); default: the example's.")
    public var size: Int?

    /// `--linear-solver`.
    @Option(help: "auto|lu|band-lu|cholesky|qr|svd|gmres|bicgstab|cg|lsmr")
    public var linearSolver: LinearSolver = .automatic

    /// `--representation`.
    @Option(help: "auto|matrix|operator|sparse")
    public var representation: Representation = .automatic

    /// `--mode`.
    @Option(help: "jvp|vjp|jacobian|all")
    public var mode: DerivativeMode = .all

    /// `--tolerance`: Krylov relative tolerance.
    @Option(help: "Relative tolerance of the Krylov solves (atol = 0).")
    public var tolerance: Double = 1e-12

    /// `--max-iterations`: Krylov iteration cap.
    @Option(help: "Krylov iteration cap (default: the method's).")
    public var maxIterations: Int?

    /// `--restart`: GMRES restart length.
    @Option(help: "GMRES restart length.")
    public var restart: Int = 30

    /// `--verbose`: residual histories and the library's report.
    @Flag(help: "Print each Krylov solve's residual history, the library's report, and progress (progress is also shown when standard error is a terminal).")
    public var verbose = false

    /// `--allow-large`: run a size whose memory estimate is above the limit.
    @Flag(help: "Run even when the size's memory estimate is above 4 GiB (the library still refuses arrays above its own limit).")
    public var allowLarge = false

    /// `--unit-square`: the 2-D Bratu example unscaled on the unit square, IC(0)-preconditioned.
    @Flag(help: "bratu2d: solve unscaled on the unit square (condition number ≈ 0.4 (N+1)²) with IC(0)-preconditioned Krylov solves.")
    public var unitSquare = false

    /// `--json`: the same as JSON on standard output.
    @Flag(help: "Write the results as JSON on standard output instead of text.")
    public var json = false

    /// Creates the command (the parser calls this).
    public init() {}

    /// The settings these flags describe.
    public var settings: RunSettings {
        var settings = RunSettings(linearSolver: linearSolver, representation: representation, mode: mode,
                                   tolerance: tolerance, maxIterations: maxIterations, restart: restart,
                                   recordHistory: verbose)
        settings.unitSquare = unitSquare
        return settings
    }

    /// Rejects an unknown example and a size below 1 before running anything.
    public func validate() throws {
        if Examples.select(example).isEmpty {
            throw ValidationError("unknown example '\(example)'; try `implicit-diff list`")
        }
        if let size, size < 1 { throw ValidationError("--size must be at least 1") }
        if let size, !allowLarge {
            for e in Examples.select(example) {
                if let why = ExampleSizeEstimate(e, size: size, settings: settings).refusal(limit: Self.memoryLimit) {
                    throw ValidationError("--size \(size) for \(e.name): \(why)")
                }
            }
        }
    }

    /// The memory a size may need without `--allow-large` (4 GiB, the library's default `maxMatrixBytes`).
    public static var memoryLimit: Int { 4 << 30 }

    /// Runs the selection and exits non-zero when any example failed.
    public func run() throws {
        let outcome = execute(emit: { print($0) })
        if !outcome.passed { throw ExitCode(1) }
    }

    /// The command's core, without the process around it: runs the
    /// selected examples, writes text or JSON through `emit`, and reports
    /// whether everything passed.
    ///
    /// - Parameter emit: receives the output, one chunk (a line or the JSON) at a time.
    /// - Returns: the runs and the overall verdict.
    public func execute(emit: (String) -> Void) -> (runs: [ExampleRun], passed: Bool) {
        let selection = Examples.select(example)
        let settings = self.settings
        let verbose = self.verbose, json = self.json
        // Progress lines go to standard error, with --verbose or when it is a terminal.
        let showProgress = !json && (verbose || isatty(2) != 0)
        var runs: [ExampleRun] = []
        let clock = ContinuousClock()
        let start = clock.now
        for e in selection {
            if e.unavailableReason != nil && example == "all" {
                if !json { emit("== \(e.name): skipped, \(e.unavailableReason!)\n") }
                continue
            }
            let estimate = ExampleSizeEstimate(e, size: size ?? e.defaultSize, settings: settings)
            if estimate.factorizationSeconds() >= 1 && !json {
                emit("note: \(e.name) at size \(size ?? e.defaultSize) runs a dense factorization of about "
                     + "\(Report.sci(estimate.factorizationFlops)) flops, roughly \(Int(estimate.factorizationSeconds().rounded(.up))) s at 10 GFLOP/s")
            }
            let run = e.run(size: size, settings: settings, progress: { line in
                if showProgress { FileHandle.standardError.write(Data("  … \(line)\n".utf8)) }
            })
            runs.append(run)
            if !json { for line in Report.lines(run, verbose: verbose) { emit(line) } }
        }
        let wall = clock.now - start
        let passed = !runs.isEmpty && runs.allSatisfy(\.passed)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            struct Output: Encodable { var passed: Bool; var wallSeconds: Double; var runs: [ExampleRun] }
            let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
            let data = (try? encoder.encode(Output(passed: passed, wallSeconds: seconds, runs: runs))) ?? Data()
            emit(String(decoding: data, as: UTF8.self))
        } else if runs.count > 1 {
            for line in Report.table(runs) { emit(line) }
            emit("wall time: \(Report.time(wall)); \(runs.filter(\.passed).count) of \(runs.count) passed")
        }
        return (runs, passed)
    }
}
