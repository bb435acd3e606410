import AutoDiff
import PETScKit

/// Conditions `F(x, y) = 0` on a structured grid, written *locally*: the
/// residual rows of the points this rank owns, from its owned and ghost
/// values of `y` and a small parameter vector `x` replicated on every rank,
/// generic over the scalar like `DifferentiableScalar` code
/// elsewhere in the library.
///
/// The invariant is `F(x, y(x)) = 0` on every owned row of every rank:
///
/// ```swift
/// struct Poisson: LocalGridConditions {
///     func callAsFunction<T: DifferentiableScalar>(x: [T], y: GridPatch<T>) -> [T] {
///         var out: [T] = []
///         for j in y.ownedBox.ys { for i in y.ownedBox.xs {
///             var lap = T(4) * y[i, j]
///             if i > 0 { lap -= y[i - 1, j] }      // outside the grid: boundary value 0
///             if i < y.nx - 1 { lap -= y[i + 1, j] }
///             if j > 0 { lap -= y[i, j - 1] }
///             if j < y.ny - 1 { lap -= y[i, j + 1] }
///             out.append(lap - x[0])
///         } }
///         return out
///     }
/// }
/// ```
///
/// Rows come in the owned box's order (`i` fastest, then `j`, then `k`), one
/// per owned point and component, the components of a point together
/// (``GridPatch``). Constants enter as `T(k)`.
public protocol LocalGridConditions: Sendable {
    /// The residual rows of `y.ownedBox`: `ownedBox.count · dof` of them, point by point (`i` fastest), components together.
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: GridPatch<T>) -> [T]
}

extension LocalGridConditions {
    /// `F(x, y)` on the whole grid in one process (the patch is the grid):
    /// the same conditions as global ones, for checks against the
    /// single-process library.
    ///
    /// - Parameters:
    ///   - x: the parameters.
    ///   - y: every unknown in natural order (`nx·ny·nz·dof` values, the
    ///     components of a point together, then `i` fastest, then `j`, then `k`).
    ///   - nx: points along the first axis.
    ///   - ny: points along the second axis (1 in 1-D).
    ///   - nz: points along the third axis (1 in 1-D and 2-D).
    ///   - dof: unknowns per point.
    /// - Returns: every row, in the order of `y`.
    public func wholeGrid<T: DifferentiableScalar>(x: [T], y: [T], nx: Int, ny: Int, nz: Int = 1,
                                                   dof: Int = 1) -> [T] {
        let all = GridBox(xs: 0..<nx, ys: 0..<ny, zs: 0..<nz)
        return self(x: x, y: GridPatch(values: y, ownedBox: all, ghostedBox: all, nx: nx, ny: ny, nz: nz, dof: dof))
    }
}
