import ArgumentParser
import ImplicitDifferentiation
import ImplicitExamples

/// The `implicit-diff` command: runs the use cases of the examples library
/// (`list`, `run`), and the dense-LU `solve` job.
public struct ImplicitDiff: ParsableCommand {
    /// The command's name, abstract and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "implicit-diff",
        abstract: "Implicit differentiation on OpenBLAS/LAPACK: worked examples and their derivatives.",
        discussion: """
            `implicit-diff run all` runs every example at its default size and checks each derivative \
            against its reference (closed form: relative error ≤ 1e-8; finite differences: ≤ 1e-6). \
            The exit status is non-zero when any example fails.
            """,
        subcommands: [ListCommand.self, RunCommand.self, SolveCommand.self])

    /// Creates the command (the parser calls this).
    public init() {}
}

extension DerivativeMode: ExpressibleByArgument {}

/// `implicit-diff list`: the examples, their sizes and what `--size` means.
public struct ListCommand: ParsableCommand {
    /// The subcommand's name and abstract.
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "List the examples.")

    /// Creates the command (the parser calls this).
    public init() {}

    /// Prints one block per example.
    public func run() throws {
        for line in ListCommand.lines() { print(line) }
    }

    /// The listing, one string per line.
    public static func lines() -> [String] {
        var out: [String] = []
        for e in Examples.all {
            out.append("\(e.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(e.title)")
            var sizes = "             --size: \(e.sizeMeaning); default \(e.defaultSize), "
            sizes += "benchmark \(e.benchmarkSizes.map(String.init).joined(separator: ", "))"
            out.append(sizes)
            if let why = e.unavailableReason { out.append("             not runnable: \(why)") }
        }
        out.append("groups: sqrt (the three square roots), all")
        return out
    }
}
