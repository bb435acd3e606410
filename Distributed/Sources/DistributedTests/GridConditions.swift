import AutoDiff
import DistributedImplicit
import PETScKit

/// `−Δ_h` of component `c` at `(i, j, k)` along the grid's axes (x; y when
/// `ny > 1`; z when `nz > 1`), second order (`2 y_p − y_{p−e} − y_{p+e}` per
/// axis) or, with `fourthOrder`, `(30 y_p − 16 (y_{p±e}) + y_{p±2e})/12` per
/// axis; neighbours outside the grid are the boundary value 0.
func negativeLaplacian<T: DifferentiableScalar>(_ y: GridPatch<T>, _ i: Int, _ j: Int, _ k: Int,
                                                component c: Int = 0, fourthOrder: Bool = false) -> T {
    let sizes = [y.nx, y.ny, y.nz]
    var out = T(0)
    for axis in 0..<3 where sizes[axis] > 1 || axis == 0 {
        func at(_ shift: Int) -> T {
            var p = [i, j, k]
            p[axis] += shift
            return p[axis] >= 0 && p[axis] < sizes[axis] ? y[p[0], p[1], p[2], component: c] : T(0)
        }
        let centre = y[i, j, k, component: c]
        if fourthOrder {
            out += (T(30) * centre - T(16) * (at(-1) + at(1)) + at(-2) + at(2)) / T(12)
        } else {
            out += T(2) * centre - at(-1) - at(1)
        }
    }
    return out
}

/// The Bratu problem on a 1-, 2- or 3-D grid with the second-order star
/// Laplacian (7 points in 3-D) or, with `fourthOrder`, the fourth-order one
/// (13 points in 3-D, reach 2 along each axis: needs ghost width 2):
///
/// ```
/// F(x, u)_p = κ·(−Δ_h u)_p − h²·(λ eᵘᵖ + s),   h = 1/(nx + 1),  x = (κ, λ, s)
/// ```
struct StarBratu: LocalGridConditions {
    var fourthOrder = false

    func callAsFunction<T: DifferentiableScalar>(x: [T], y u: GridPatch<T>) -> [T] {
        let h = 1 / Double(u.nx + 1)
        var out: [T] = []
        out.reserveCapacity(u.ownedBox.count)
        for k in u.ownedBox.zs { for j in u.ownedBox.ys { for i in u.ownedBox.xs {
            let lap = negativeLaplacian(u, i, j, k, fourthOrder: fourthOrder)
            out.append(x[0] * lap - T(h * h) * (x[1] * T.exp(u[i, j, k]) + x[2]))
        } } }
        return out
    }
}

/// The Bratu problem with the 27-point Laplacian `(26 u_p − Σ_{26 neighbours} u_q)/3`
/// on a 3-D grid: rows read their edge and corner neighbours (offsets along
/// two and three axes), which only a box grid exchanges.
struct BoxBratu3D: LocalGridConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y u: GridPatch<T>) -> [T] {
        let h = 1 / Double(u.nx + 1)
        var out: [T] = []
        for k in u.ownedBox.zs { for j in u.ownedBox.ys { for i in u.ownedBox.xs {
            var neighbours = T(0)
            for dk in -1...1 { for dj in -1...1 { for di in -1...1 where (di, dj, dk) != (0, 0, 0) {
                let a = i + di, b = j + dj, c = k + dk
                if a >= 0 && a < u.nx && b >= 0 && b < u.ny && c >= 0 && c < u.nz { neighbours += u[a, b, c] }
            } } }
            let lap = (T(26) * u[i, j, k] - neighbours) / T(3)
            out.append(x[0] * lap - T(h * h) * (x[1] * T.exp(u[i, j, k]) + x[2]))
        } } }
        return out
    }
}

/// A two-species reaction–diffusion system on a 1-, 2- or 3-D grid, two
/// unknowns per point (`dof = 2`: component 0 is `u`, 1 is `v`), coupled at
/// each point, with the parameters in the first species only:
///
/// ```
/// F_u = κ·(−Δ_h u) − h²·(λ eᵘ − v + s)
/// F_v =   (−Δ_h v) + h²·(v − u v − u)
/// A = [κL − h²λ diag(eᵘ)    h² I              ]      (not symmetric)
///     [−h² diag(1 + v)      L + h² diag(1 − u)]
/// ```
struct TwoSpecies: LocalGridConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y w: GridPatch<T>) -> [T] {
        precondition(w.dof == 2, "TwoSpecies: dof \(w.dof)")
        let h2 = T(1 / Double((w.nx + 1) * (w.nx + 1)))
        var out: [T] = []
        out.reserveCapacity(2 * w.ownedBox.count)
        for k in w.ownedBox.zs { for j in w.ownedBox.ys { for i in w.ownedBox.xs {
            let u = w[i, j, k, component: 0], v = w[i, j, k, component: 1]
            out.append(x[0] * negativeLaplacian(w, i, j, k, component: 0) - h2 * (x[1] * T.exp(u) - v + x[2]))
            out.append(negativeLaplacian(w, i, j, k, component: 1) + h2 * (v - u * v - u))
        } } }
        return out
    }
}

/// `conditions`' solution at `bratuX` by SNES on `grid`, whose stencil must
/// cover what the conditions read (PETSc's coloured finite-difference
/// Jacobian follows the grid's stencil).
func snesSolution<C: LocalGridConditions>(_ conditions: C, on grid: StructuredGrid) throws -> DistributedVector {
    let local = try grid.makeLocalVector()
    let snes = try NonlinearSolve(grid: grid, optionsPrefix: "t_grid_", relativeTolerance: 1e-12,
                                  absoluteTolerance: 1e-14) { u, f in
        try grid.scatterToLocal(u, local)
        try f.setLocalEntries(conditions(x: bratuX, y: GridPatch(values: try local.localEntries(), grid: grid)))
    }
    let u = try grid.makeGlobalVector()
    try snes.solve(u)
    return u
}

/// `u`, a global vector of `source`, as a global vector of `grid`: the two
/// grids' splits over the ranks must be the same (checked; PETSc's split
/// does not depend on the stencil type or width).
func transplant(_ u: DistributedVector, from source: StructuredGrid, to grid: StructuredGrid) throws
    -> DistributedVector
{
    try expect(source.ownedBox == grid.ownedBox && source.dof == grid.dof,
               "source grid's split \(source.ownedBox), grid's \(grid.ownedBox)")
    let out = try grid.makeGlobalVector()
    try out.setLocalEntries(try u.localEntries())
    return out
}

/// Linearizes `conditions` at `bratuX` around the fixed solution `u` on `grid`.
func linearize<C: LocalGridConditions>(_ conditions: C, on grid: StructuredGrid, solution u: DistributedVector,
                                       representation: DistributedRepresentation, symmetric: Bool) throws
    -> DistributedImplicitLinearization
{
    var f = DistributedImplicitFunction(grid: grid, conditions: conditions) { _ in u }
    f.options.symmetricPositiveDefinite = symmetric
    f.options.relativeTolerance = 1e-13
    f.options.representation = representation
    let lin = try f.linearize(at: bratuX)
    try expect(lin.representation == representation, "ran \(lin.representation), asked \(representation)")
    return lin
}

/// Three species on a 3-D box grid, every row reading every component at
/// each of its 27 stencil points (81 entries per row of `A`):
///
/// ```
/// F_c = L₂₇ y_c + h²·(y_{c,p} − Σ_{q in the 27 points} Σ_{c' ≠ c} y_{c',q}/54)      c = 1, 2
/// F_0 = κ·L₂₇ u − h²·(λ e^{u_p} + s) + h²·(u_p − Σ_q Σ_{c' ≠ 0} y_{c',q}/54)
/// L₂₇ y = (26 y_p − Σ_{26 neighbours q} y_q)/3
/// ```
struct ThreeSpeciesBox: LocalGridConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y w: GridPatch<T>) -> [T] {
        precondition(w.dof == 3, "ThreeSpeciesBox: dof \(w.dof)")
        let h2 = T(1 / Double((w.nx + 1) * (w.nx + 1)))
        var out: [T] = []
        for k in w.ownedBox.zs { for j in w.ownedBox.ys { for i in w.ownedBox.xs {
            for c in 0..<3 {
                var same = T(0), others = T(0)
                for dk in -1...1 { for dj in -1...1 { for di in -1...1 {
                    let a = i + di, b = j + dj, d = k + dk
                    guard a >= 0 && a < w.nx && b >= 0 && b < w.ny && d >= 0 && d < w.nz else { continue }
                    if (di, dj, dk) != (0, 0, 0) { same += w[a, b, d, component: c] }
                    others += w[a, b, d, component: (c + 1) % 3] + w[a, b, d, component: (c + 2) % 3]
                } } }
                let centre = w[i, j, k, component: c]
                let lap = (T(26) * centre - same) / T(3)
                let coupling = h2 * (centre - others / T(54))
                out.append(c == 0 ? x[0] * lap - h2 * (x[1] * T.exp(centre) + x[2]) + coupling : lap + coupling)
            }
        } } }
        return out
    }
}
