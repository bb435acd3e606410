import LinearAlgebra

/// Error measures used by the tests' assertions.
public enum Approximate {
    /// The relative error `‖a − b‖₂ / max(‖b‖₂, tiny)`; `b` is the reference.
    public static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "relativeError: lengths \(a.count) and \(b.count) differ")
        var d = a
        BLAS.axpy(-1, b, &d)
        return BLAS.nrm2(d) / max(BLAS.nrm2(b), Double.leastNormalMagnitude)
    }

    /// The relative error between two matrices in the Frobenius norm.
    public static func relativeError(_ a: Matrix, _ b: Matrix) -> Double {
        precondition(a.rows == b.rows && a.columns == b.columns, "relativeError: shapes differ")
        return relativeError(a.elements, b.elements)
    }

    /// `|a − b| / max(|b|, tiny)` for scalars.
    public static func relativeError(_ a: Double, _ b: Double) -> Double {
        abs(a - b) / max(abs(b), Double.leastNormalMagnitude)
    }
}
