/// A linear map `A: Rⁿ → Rᵐ` known only through its products `A x` (and,
/// optionally, `Aᵀ x`).
///
/// The invariant: ``apply(_:into:)`` writes `y = A x` for `x` of length
/// ``columns`` into `y` of length ``rows``, and ``applyTransposed(_:into:)``
/// writes `y = Aᵀ x` for `x` of length ``rows`` into `y` of length
/// ``columns``. Krylov solvers call them once or twice per iteration with
/// buffers allocated before the loop, so a conforming type must overwrite
/// `y` in place and must not reallocate it (no `y = …` assignment of a new
/// array, no `append`).
///
/// ```
/// apply:            y ← A x      x ∈ Rⁿ, y ∈ Rᵐ   (m = rows, n = columns)
/// applyTransposed:  y ← Aᵀ x     x ∈ Rᵐ, y ∈ Rⁿ
/// ```
///
/// Declared ``structure`` (symmetric, positive definite) is unchecked; see
/// ``OperatorStructure``.
public protocol LinearOperator {
    /// The number of rows `m ≥ 0`: the length of `A x`.
    var rows: Int { get }
    /// The number of columns `n ≥ 0`: the length of `x` in `A x`.
    var columns: Int { get }
    /// Declared, unchecked structure. Defaults to `[]`.
    var structure: OperatorStructure { get }
    /// `true` when ``applyTransposed(_:into:)`` is implemented. Defaults to `false`.
    var supportsTranspose: Bool { get }

    /// Writes `y = A x`.
    ///
    /// - Parameters:
    ///   - x: length ``columns``.
    ///   - y: length ``rows``; overwritten in place, never reallocated.
    func apply(_ x: [Double], into y: inout [Double])

    /// Writes `y = Aᵀ x`.
    ///
    /// The default implementation stops with a `preconditionFailure` naming the
    /// operator type: check ``supportsTranspose`` first.
    ///
    /// - Parameters:
    ///   - x: length ``rows``.
    ///   - y: length ``columns``; overwritten in place, never reallocated.
    func applyTransposed(_ x: [Double], into y: inout [Double])
}

extension LinearOperator {
    /// No declared structure.
    public var structure: OperatorStructure { [] }

    /// `false`: operators without a transpose.
    public var supportsTranspose: Bool { false }

    /// Stops with a clear message: this operator has no transpose.
    public func applyTransposed(_ x: [Double], into y: inout [Double]) {
        preconditionFailure("\(type(of: self)) does not implement applyTransposed(_:into:) "
            + "(supportsTranspose is false); give the operator a transpose, e.g. "
            + "ClosureOperator(…, applyTransposed:), to solve with Aᵀ or to use LSMR")
    }

    /// `y = A x` as a new array (convenience; allocates, so keep it out of loops).
    ///
    /// - Parameter x: length ``columns``.
    /// - Returns: `A x`, length ``rows``.
    public func applied(to x: [Double]) -> [Double] {
        precondition(x.count == columns, "\(type(of: self)).applied(to:): x has length \(x.count), expected \(columns)")
        var y = [Double](repeating: 0, count: rows)
        apply(x, into: &y)
        return y
    }

    /// `y = Aᵀ x` as a new array (convenience; allocates).
    ///
    /// - Parameter x: length ``rows``.
    /// - Returns: `Aᵀ x`, length ``columns``.
    public func transposeApplied(to x: [Double]) -> [Double] {
        precondition(x.count == rows, "\(type(of: self)).transposeApplied(to:): x has length \(x.count), expected \(rows)")
        var y = [Double](repeating: 0, count: columns)
        applyTransposed(x, into: &y)
        return y
    }
}

/// Checks the lengths of an operator product (shared by the concrete operators).
@inline(__always)
func checkApply(_ name: String, _ x: [Double], _ xCount: Int, _ y: [Double], _ yCount: Int) {
    precondition(x.count == xCount, "\(name): x has length \(x.count), expected \(xCount)")
    precondition(y.count == yCount, "\(name): y has length \(y.count), expected \(yCount)")
}
