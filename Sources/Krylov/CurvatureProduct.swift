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

/// An operator that can form Jacobi-preconditioned CG's new direction in the pass of its product:
///
/// ```
/// applyAfterJacobiDirection:            p ← D⁻¹r + β p,  q ← A p,   returns pᵀq
/// applyTransposedAfterJacobiDirection:  p ← D⁻¹r + β p,  q ← Aᵀp,   returns pᵀq
/// ```
///
/// ``ConjugateGradient`` asks for it by a dynamic cast and uses it when ``fusesJacobiDirection``.
protocol JacobiDirectionProduct {
    /// `true` when the two methods run as one pass (otherwise the caller forms the direction itself).
    var fusesJacobiDirection: Bool { get }
    /// `p ← D⁻¹r + βp`, then `q = A p`; returns `pᵀq` (square operators, every vector of its order).
    func applyAfterJacobiDirection(beta: Double, residual: [Double], inverseDiagonal: [Double],
                                   direction: inout [Double], into q: inout [Double]) -> Double
    /// `p ← D⁻¹r + βp`, then `q = Aᵀp`; returns `pᵀq` (square operators, every vector of its order).
    func applyTransposedAfterJacobiDirection(beta: Double, residual: [Double], inverseDiagonal: [Double],
                                             direction: inout [Double], into q: inout [Double]) -> Double
}

extension SparseMatrixOperator: JacobiDirectionProduct {
    /// `true` when the operator holds a diagonal form of three or five diagonals.
    var fusesJacobiDirection: Bool { diagonals?.fusesJacobiDirection ?? false }

    /// The direction and `A p` by diagonals in one pass (see ``DiagonalOffsetMatrix``), or in two.
    func applyAfterJacobiDirection(beta: Double, residual: [Double], inverseDiagonal: [Double],
                                   direction: inout [Double], into q: inout [Double]) -> Double {
        directionAndProduct(beta: beta, residual: residual, inverseDiagonal: inverseDiagonal,
                            direction: &direction, into: &q, transposed: false)
    }

    /// The direction and `Aᵀp` by diagonals in one pass (see ``DiagonalOffsetMatrix``), or in two.
    func applyTransposedAfterJacobiDirection(beta: Double, residual: [Double], inverseDiagonal: [Double],
                                             direction: inout [Double], into q: inout [Double]) -> Double {
        directionAndProduct(beta: beta, residual: residual, inverseDiagonal: inverseDiagonal,
                            direction: &direction, into: &q, transposed: true)
    }

    /// `p ← D⁻¹r + βp`, then `q = A p` or `Aᵀp` with `pᵀq`: one pass by diagonals when the operator
    /// holds them, else the direction and then the product with its curvature.
    private func directionAndProduct(beta: Double, residual: [Double], inverseDiagonal: [Double],
                                     direction: inout [Double], into q: inout [Double], transposed: Bool) -> Double {
        if let diagonals {
            return diagonals.multiplyAfterJacobiDirection(beta: beta, residual: residual, inverseDiagonal: inverseDiagonal,
                                                          direction: &direction, into: &q, transposed: transposed)
        }
        ConjugateGradientKernels.jacobiDirection(beta, residual, inverseDiagonal, &direction)
        return transposed ? applyTransposedReturningCurvature(direction, into: &q)
                          : applyReturningCurvature(direction, into: &q)
    }
}

extension TransposedOperator: JacobiDirectionProduct where Base: JacobiDirectionProduct {
    /// The base's answer.
    var fusesJacobiDirection: Bool { base.fusesJacobiDirection }

    /// The direction and `Aᵀp`: the base's transposed pass.
    func applyAfterJacobiDirection(beta: Double, residual: [Double], inverseDiagonal: [Double],
                                   direction: inout [Double], into q: inout [Double]) -> Double {
        base.applyTransposedAfterJacobiDirection(beta: beta, residual: residual, inverseDiagonal: inverseDiagonal,
                                                 direction: &direction, into: &q)
    }

    /// The direction and `A p`: the base's pass.
    func applyTransposedAfterJacobiDirection(beta: Double, residual: [Double], inverseDiagonal: [Double],
                                             direction: inout [Double], into q: inout [Double]) -> Double {
        base.applyAfterJacobiDirection(beta: beta, residual: residual, inverseDiagonal: inverseDiagonal,
                                       direction: &direction, into: &q)
    }
}
