/// A ``LinearOperator`` given by closures: the matrix-free path
/// (Jacobian-vector products, stencils, calls into C).
///
/// ```
/// apply(x, &y):            y ← A x
/// applyTransposed(x, &y):  y ← Aᵀ x
/// ```
///
/// Each closure must overwrite every entry of its `inout` buffer, which
/// already has the right length, and must not reallocate it.
///
/// When no transpose closure is given and the operator is declared
/// ``OperatorStructure/symmetric``, the transpose reuses `apply` (the
/// declaration is trusted, unchecked); otherwise ``supportsTranspose`` is
/// `false`.
public struct ClosureOperator: LinearOperator {
    /// `m ≥ 0`.
    public let rows: Int
    /// `n ≥ 0`.
    public let columns: Int
    /// Declared, unchecked structure.
    public let structure: OperatorStructure
    @usableFromInline let applyBody: ([Double], inout [Double]) -> Void
    @usableFromInline let transposeBody: (([Double], inout [Double]) -> Void)?

    /// Creates an operator from closures.
    ///
    /// - Parameters:
    ///   - rows: `m ≥ 0`, the length of `A x`.
    ///   - columns: `n ≥ 0`, the length of `x`.
    ///   - structure: declared, unchecked structure (default `[]`).
    ///   - apply: writes `A x` into its second argument (length `m`).
    ///   - applyTransposed: writes `Aᵀ x` into its second argument (length
    ///     `n`), or `nil` (default): then the transpose is `apply` when
    ///     `structure` contains `.symmetric`, and unavailable otherwise.
    public init(rows: Int, columns: Int, structure: OperatorStructure = [],
                apply: @escaping ([Double], inout [Double]) -> Void,
                applyTransposed: (([Double], inout [Double]) -> Void)? = nil) {
        precondition(rows >= 0 && columns >= 0, "ClosureOperator: negative shape \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.structure = structure
        self.applyBody = apply
        self.transposeBody = applyTransposed
    }

    /// `true` when a transpose closure was given or the operator is declared symmetric.
    public var supportsTranspose: Bool {
        transposeBody != nil || (structure.contains(.symmetric) && rows == columns)
    }

    /// Writes `y = A x` by calling the `apply` closure.
    public func apply(_ x: [Double], into y: inout [Double]) {
        checkApply("ClosureOperator.apply", x, columns, y, rows)
        applyBody(x, &y)
    }

    /// Writes `y = Aᵀ x` by calling the transpose closure (or `apply` when
    /// declared symmetric).
    public func applyTransposed(_ x: [Double], into y: inout [Double]) {
        checkApply("ClosureOperator.applyTransposed", x, rows, y, columns)
        if let t = transposeBody {
            t(x, &y)
        } else {
            precondition(supportsTranspose, "ClosureOperator: no applyTransposed closure was given and the "
                + "operator is not declared symmetric; pass applyTransposed: to solve with Aᵀ or to use LSMR")
            applyBody(x, &y)
        }
    }
}
