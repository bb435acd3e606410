import LinearAlgebra

/// How to evaluate one sparse Jacobian block: its pattern, a column and a
/// row colouring, and the direction with fewer passes, as an inspectable value.
///
/// ```
/// forward:  one JVP per column colour    (A S,  S seeded by column colours)
/// reverse:  one VJP per row colour       (Sᵀ A, S seeded by row colours)
/// direction = forward when columnColors ≤ rowColors, else reverse
/// ```
///
/// A dense row forces one column colour per column but few row colours (and a
/// dense column the opposite), so the cheaper side is chosen per pattern.
///
/// ```swift
/// let lin = AD.linearize(f, x: x, y: y)
/// let plan = JacobianCompression(lin.jacobianPatterns().y)
/// let a = try plan.evaluate(lin, withRespectToY: true)   // SparseMatrix, never k × m dense
/// ```
public struct JacobianCompression: Sendable {
    /// The direction of the passes.
    public enum Direction: Sendable, Hashable {
        /// One forward sweep (or dual lane) per column colour.
        case forward
        /// One reverse sweep per row colour.
        case reverse
    }

    /// The pattern of the block.
    public let pattern: SparsityPattern
    /// A colouring of the pattern's columns.
    public let columnColoring: ColumnColoring
    /// A colouring of the pattern's rows.
    public let rowColoring: ColumnColoring
    /// `true` when the pattern equals its transpose (read off once, when the rows are coloured).
    public let isStructurallySymmetric: Bool

    /// Colours `pattern`'s columns and rows.
    ///
    /// A structurally symmetric pattern has the same rows as columns, so its
    /// row colouring is its column colouring, computed once.
    ///
    /// - Parameters:
    ///   - pattern: the block's pattern (``BivariateLinearization/jacobianPatterns()``).
    ///   - order: the greedy colouring order (default ``ColumnColoring/Order/smallestLast``).
    public init(_ pattern: SparsityPattern, order: ColumnColoring.Order = .smallestLast) {
        self.pattern = pattern
        columnColoring = ColumnColoring(pattern, order: order)
        let transposed = pattern.transposed()
        isStructurallySymmetric = transposed == pattern
        rowColoring = isStructurallySymmetric ? columnColoring : ColumnColoring(transposed, order: order)
    }

    /// ``Direction/forward`` when there are no more column colours than row colours.
    public var direction: Direction {
        columnColoring.colorCount <= rowColoring.colorCount ? .forward : .reverse
    }

    /// The number of sweeps ``evaluate(_:withRespectToY:)`` makes.
    public var passes: Int { Swift.min(columnColoring.colorCount, rowColoring.colorCount) }

    /// The block from sweeps of the recording, in ``direction``.
    ///
    /// - Parameters:
    ///   - linearization: the recording of `F` at the point.
    ///   - withRespectToY: `true` for `A = ∂F/∂y`, `false` for `B = ∂F/∂x`.
    /// - Returns: the block, with ``pattern`` as its pattern.
    /// - Throws: ``SparseJacobianError`` as
    ///   ``BivariateLinearization/compressedJacobian(withRespectToY:pattern:coloring:)``.
    public func evaluate(_ linearization: BivariateLinearization,
                         withRespectToY: Bool) throws(SparseJacobianError) -> SparseMatrix {
        switch direction {
        case .forward:
            return try linearization.compressedJacobian(withRespectToY: withRespectToY, pattern: pattern,
                                                        coloring: columnColoring)
        case .reverse:
            return try linearization.compressedJacobianByRows(withRespectToY: withRespectToY, pattern: pattern,
                                                              rowColoring: rowColoring)
        }
    }
}
