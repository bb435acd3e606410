/// The failures of compressed (coloured) Jacobian evaluation.
public enum SparseJacobianError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Jacobian has a non-zero outside the pattern it was compressed
    /// with, or disagrees with a product computed independently: the pattern
    /// changed since it was detected (control flow on values). The string
    /// names the row and what differed.
    case patternMismatch(String)
    /// An entry of the Jacobian is NaN or ±∞.
    case nonFiniteEntry(row: Int, column: Int)
    /// A pattern or colouring does not fit the function's shape; the string says which.
    case dimensionMismatch(String)

    /// One line: what went wrong and what to try.
    public var description: String {
        switch self {
        case .patternMismatch(let what):
            return "the Jacobian's sparsity pattern changed since it was detected (\(what)); "
                + "detect the pattern again at this point, or use dense Jacobians"
        case .nonFiniteEntry(let row, let column):
            return "the Jacobian entry (\(row), \(column)) is not finite; check the conditions at this point"
        case .dimensionMismatch(let what):
            return "dimension mismatch: \(what)"
        }
    }
}
