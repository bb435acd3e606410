import RealModule

/// `Double` is the scalar of plain evaluation: no derivative is carried.
extension Double: DifferentiableScalar {
    /// The value itself.
    @inlinable @inline(__always)
    public var primal: Double { self }

    /// `|x|`.
    @inlinable @inline(__always)
    public static func abs(_ x: Double) -> Double { Swift.abs(x) }

    /// The larger of `a` and `b` (`a` at a tie).
    @inlinable @inline(__always)
    public static func max(_ a: Double, _ b: Double) -> Double { b > a ? b : a }

    /// The smaller of `a` and `b` (`a` at a tie).
    @inlinable @inline(__always)
    public static func min(_ a: Double, _ b: Double) -> Double { b < a ? b : a }

    /// Evaluates `function` at `x`.
    @inlinable
    public static func callExternal<E: ExternalFunction>(_ function: E, _ x: [Double]) -> [Double] {
        function.value(x)
    }
}
