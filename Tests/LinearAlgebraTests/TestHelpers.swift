import LinearAlgebra

/// The normwise relative backward error `‖A x − b‖∞ / (‖A‖∞ ‖x‖∞)`.
func relativeResidual(_ a: Matrix, _ x: [Double], _ b: [Double]) -> Double {
    var r = a * x
    BLAS.axpy(-1, b, &r)
    let rInf = r.map(abs).max() ?? 0
    let xInf = x.map(abs).max() ?? 0
    return rInf / (a.infinityNorm * xInf)
}

/// `max_i |x_i|`.
func maxAbs(_ x: [Double]) -> Double { x.map(abs).max() ?? 0 }

/// Runs `body`, returning the `LinearAlgebraError` it throws (nil when it does not throw).
func thrownError<T>(_ body: () throws -> T) -> LinearAlgebraError? {
    do { _ = try body(); return nil } catch { return error as? LinearAlgebraError }
}

/// `true` when `error` is a `.dimensionMismatch` whose message contains every fragment.
func isDimensionMismatch(_ error: LinearAlgebraError?, mentioning fragments: String...) -> Bool {
    guard case .dimensionMismatch(let message)? = error else { return false }
    return fragments.allSatisfy { message.contains($0) }
}
