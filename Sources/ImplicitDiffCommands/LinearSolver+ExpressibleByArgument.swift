import ArgumentParser
import ImplicitDifferentiation

/// `--linear-solver auto|lu|band-lu|cholesky|qr|svd|gmres|bicgstab|cg|lsmr`,
/// parsed straight to the library's ``LinearSolver``. A Krylov method gets
/// its default options here; `RunSettings.withOptions(_:)` applies the
/// command's `--tolerance`, `--max-iterations` and `--restart`. A custom
/// method cannot be named on the command line.
extension LinearSolver: ExpressibleByArgument {
    /// The flag's spellings, in the order the help lists them.
    static let argumentNames: [(name: String, solver: LinearSolver)] = [
        ("auto", .automatic), ("lu", .lu), ("band-lu", .bandLU), ("cholesky", .cholesky), ("qr", .qr),
        ("svd", .svd), ("gmres", .gmres()), ("bicgstab", .bicgstab()), ("cg", .cg()), ("lsmr", .lsmr()),
    ]

    /// Parses one of ``argumentNames`` (`automatic` is accepted for `auto`).
    public init?(argument: String) {
        let name = argument == "automatic" ? "auto" : argument
        guard let match = LinearSolver.argumentNames.first(where: { $0.name == name }) else { return nil }
        self = match.solver
    }

    /// The spellings `init(argument:)` accepts.
    public static var allValueStrings: [String] { argumentNames.map(\.name) }

    /// The spelling of this value in help texts (its description for a custom method).
    public var defaultValueDescription: String {
        LinearSolver.argumentNames.first(where: { $0.solver == self })?.name ?? description
    }
}

/// `--representation auto|matrix|operator|sparse`, parsed straight to the library's
/// ``Representation`` (`automatic` is accepted for `auto`).
extension Representation: ExpressibleByArgument {
    /// Parses `auto`, `automatic`, `matrix`, `operator` or `sparse`.
    public init?(argument: String) {
        self.init(rawValue: argument == "auto" ? Representation.automatic.rawValue : argument)
    }

    /// The spellings the help lists.
    public static var allValueStrings: [String] { ["auto", "matrix", "operator", "sparse"] }

    /// The spelling of this value in help texts.
    public var defaultValueDescription: String { self == .automatic ? "auto" : rawValue }
}
