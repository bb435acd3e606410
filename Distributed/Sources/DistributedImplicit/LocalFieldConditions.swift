import AutoDiff
import PETScKit

/// Conditions `F(x, y) = 0` on a structured grid whose parameters are a grid
/// function too, written *locally*: the residual rows of the points this
/// rank owns, from its owned and ghost values of `y` and of the parameter
/// field `x` (a coefficient, a source, a material property per point),
/// generic over the scalar like ``LocalGridConditions``.
///
/// The invariant is `F(x, y(x)) = 0` on every owned row of every rank:
///
/// ```swift
/// struct VariableDiffusion: LocalFieldConditions {   // x: (κ_p, s_p) per point, dof 2
///     func callAsFunction<T: DifferentiableScalar>(x: GridPatch<T>, y u: GridPatch<T>) -> [T] {
///         var out: [T] = []
///         for j in u.ownedBox.ys { for i in u.ownedBox.xs {
///             var flux = T(0)
///             for (a, b) in [(i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)] {
///                 let inside = a >= 0 && a < u.nx && b >= 0 && b < u.ny
///                 let kappa = inside ? (x[i, j, component: 0] + x[a, b, component: 0]) / T(2) : x[i, j, component: 0]
///                 flux += kappa * (u[i, j] - (inside ? u[a, b] : T(0)))
///             }
///             out.append(flux - x[i, j, component: 1])
///         } }
///         return out
///     }
/// }
/// ```
///
/// `x` and `y` live on two grids of the same sizes and split over the ranks
/// (``DistributedFieldImplicitFunction``), each with its own `dof`, ghost
/// width and stencil; rows come as for ``LocalGridConditions``.
public protocol LocalFieldConditions: Sendable {
    /// The residual rows of `y.ownedBox` (`ownedBox.count · y.dof` of them, as for ``LocalGridConditions``).
    func callAsFunction<T: DifferentiableScalar>(x: GridPatch<T>, y: GridPatch<T>) -> [T]
}

extension LocalFieldConditions {
    /// `F(x, y)` on the whole grid in one process (the patches are the grid),
    /// for checks against the single-process library.
    ///
    /// - Parameters:
    ///   - x: every parameter in natural order (`nx·ny·nz·xDof` values).
    ///   - y: every unknown in natural order (`nx·ny·nz·yDof` values).
    ///   - nx: points along the first axis.
    ///   - ny: points along the second axis (1 in 1-D).
    ///   - nz: points along the third axis (1 in 1-D and 2-D).
    ///   - xDof: parameters per point.
    ///   - yDof: unknowns per point.
    /// - Returns: every row, in the order of `y`.
    public func wholeGrid<T: DifferentiableScalar>(x: [T], y: [T], nx: Int, ny: Int, nz: Int = 1, xDof: Int = 1,
                                                   yDof: Int = 1) -> [T] {
        let all = GridBox(xs: 0..<nx, ys: 0..<ny, zs: 0..<nz)
        return self(x: GridPatch(values: x, ownedBox: all, ghostedBox: all, nx: nx, ny: ny, nz: nz, dof: xDof),
                    y: GridPatch(values: y, ownedBox: all, ghostedBox: all, nx: nx, ny: ny, nz: nz, dof: yDof))
    }
}
