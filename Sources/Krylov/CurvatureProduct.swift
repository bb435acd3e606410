import LinearAlgebra

/// An operator whose product can also return `xᵀA x` (conjugate gradients' curvature), summed
/// in the pass that forms `A x` where its storage allows it, so that CG skips a separate dot product.
///
/// ```
/// applyReturningCurvature:            y ← A x,  returns xᵀy
/// applyTransposedReturningCurvature:  y ← Aᵀx,  returns xᵀy
/// ```
///
/// ``ConjugateGradient`` asks for it by a dynamic cast; an operator without it costs one dot product more.
protocol CurvatureProduct {
    /// Writes `y = A x` and returns `xᵀy` (square operators).
    func applyReturningCurvature(_ x: [Double], into y: inout [Double]) -> Double
    /// Writes `y = Aᵀ x` and returns `xᵀy` (square operators).
    func applyTransposedReturningCurvature(_ x: [Double], into y: inout [Double]) -> Double
}

extension SparseMatrixOperator: CurvatureProduct {
    /// `y = A x` by diagonals with `xᵀy` in the same pass when the operator holds the diagonal form;
    /// otherwise by columns (a scatter, which cannot sum `xᵀy` as it goes), then `xᵀy`; for an exactly
    /// symmetric `A`, the gather of `Aᵀx` with `xᵀy` in the same pass.
    func applyReturningCurvature(_ x: [Double], into y: inout [Double]) -> Double {
        if let diagonals { return diagonals.multiplyReturningDot(x, into: &y, transposed: false) }
        if productsByGather { return matrix.multiplyTransposedReturningDot(x, into: &y) }
        matrix.multiply(x, into: &y)
        return BLAS.dot(x, y)
    }

    /// `y = Aᵀ x` by diagonals, or by columns (a gather per column), `xᵀy` summed in the same pass.
    func applyTransposedReturningCurvature(_ x: [Double], into y: inout [Double]) -> Double {
        if let diagonals { return diagonals.multiplyReturningDot(x, into: &y, transposed: true) }
        return matrix.multiplyTransposedReturningDot(x, into: &y)
    }
}

extension TransposedOperator: CurvatureProduct where Base: CurvatureProduct {
    /// `y = Aᵀ x`, `xᵀy`: the base's transposed product.
    func applyReturningCurvature(_ x: [Double], into y: inout [Double]) -> Double {
        base.applyTransposedReturningCurvature(x, into: &y)
    }

    /// `y = A x`, `xᵀy`: the base's product.
    func applyTransposedReturningCurvature(_ x: [Double], into y: inout [Double]) -> Double {
        base.applyReturningCurvature(x, into: &y)
    }
}

