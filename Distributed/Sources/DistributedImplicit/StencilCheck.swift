import LinearAlgebra
import PETScKit

/// Whether local conditions read only ghost points their grid's exchange
/// provides on every partition, decided from the pattern of the local `A`
/// (owned rows × ghosted unknowns) by each entry's offset from its row.
///
/// ```
/// row = (point p, component a), p = (i, j, k) in ownedBox
/// column = (point q, component b), q = (i', j', k') in ghostedBox
/// offset d = q − p = (dx, dy, dz);  axes(d) = how many of dx, dy, dz are ≠ 0
/// q owned                      accepted at any offset (no exchange involved)
/// star:  axes(d) ≥ 2           a diagonal neighbour: refused (needs box)
///        max |d| > s           refused (needs a wider stencil)
/// box:   max |d| > s           refused (needs a wider stencil)
/// ```
///
/// The components play no part: the exchange moves every component of a
/// ghost point or none, so each component `b` of a ghost is checked by its
/// point's offset, whichever row component `a` reads it. In 1-D and 2-D
/// `dz = 0` (and `dy = 0` in 1-D).
///
/// The rule is about offsets, not only about this partition's corner
/// ghosts: a diagonal neighbour across a rank boundary is an exchanged face
/// ghost when the ranks split the grid in one direction only (always the
/// case on 2 ranks), but an unexchanged corner or edge ghost (zero, or
/// stale) as soon as they split it in two (from 4 ranks); a ghost farther
/// than `s` from its row is inside this rank's ghost layers only because
/// its row is not at the box's edge. Refusing by offset makes the error
/// appear on any partition with ghosts in the offending direction, not only
/// on the one where the numbers go wrong. Reads of owned points are never
/// refused, so a dense row over owned points passes. On one rank (no
/// ghosts) nothing is refused.
///
/// The pattern drops partials that are exactly zero at the recorded point;
/// a read of an unexchanged ghost whose partial vanishes there is still
/// caught by ``GridPatch``'s read record (``GridPatch/readsOfUnexchangedCorners``).
public enum StencilCheck {
    /// The first entry of `pattern` that reads a ghost the grid's stencil does
    /// not provide, described for the error message; `nil` when there is none.
    ///
    /// - Parameters:
    ///   - pattern: `ownedBox.count·dof × ghostedBox.count·dof`, rows in
    ///     `ownedBox` order and columns in `ghostedBox` order (`i` fastest,
    ///     then `j`, then `k`; the `dof` components of a point together).
    ///   - ownedBox: this rank's owned points.
    ///   - ghostedBox: its owned and ghost points.
    ///   - stencil: the grid's stencil type.
    ///   - stencilWidth: the grid's ghost width `s`.
    ///   - dof: unknowns per point of the rows' grid (default 1).
    ///   - columnDof: unknowns per point of the columns' grid, when the
    ///     columns are another grid function on the same boxes (the
    ///     parameter field of ``DistributedFieldImplicitFunction``); default `dof`.
    /// - Returns: e.g. `"row (3, 4) reads the ghost (4, 5) at offset (1, 1), a diagonal neighbour, …"`, or `nil`.
    public static func firstMismatch(pattern: SparsityPattern, ownedBox: GridBox, ghostedBox: GridBox,
                                     stencil: GridStencil, stencilWidth: Int, dof: Int = 1,
                                     columnDof: Int? = nil) -> String? {
        let cdof = columnDof ?? dof
        precondition(dof >= 1 && cdof >= 1 && pattern.rows == ownedBox.count * dof
                        && pattern.columns == ghostedBox.count * cdof,
                     "StencilCheck: a \(pattern.rows) × \(pattern.columns) pattern for \(ownedBox.count) owned and "
                        + "\(ghostedBox.count) ghosted points × \(dof), \(cdof) components")
        let s = stencilWidth
        let threeD = ghostedBox.zs != 0..<1
        func point(_ p: (i: Int, j: Int, k: Int)) -> String { threeD ? "(\(p.i), \(p.j), \(p.k))" : "(\(p.i), \(p.j))" }
        func component(_ c: Int, of n: Int) -> String { n == 1 ? "" : " component \(c)" }
        for g in 0..<pattern.columns {
            let q = ghostedBox.point(at: g / cdof)
            if ownedBox.contains(q.i, q.j, q.k) { continue }
            for r in pattern.rows(inColumn: g) {
                let p = ownedBox.point(at: r / dof)
                let d = (i: q.i - p.i, j: q.j - p.j, k: q.k - p.k)
                let axes = (d.i != 0 ? 1 : 0) + (d.j != 0 ? 1 : 0) + (d.k != 0 ? 1 : 0)
                let diagonal = stencil == .star && axes > 1
                let reach = Swift.max(abs(d.i), abs(d.j), abs(d.k))
                if !diagonal && reach <= s { continue }
                let read = "row \(point(p))\(component(r % dof, of: dof)) reads the ghost \(point(q))"
                    + "\(component(g % cdof, of: cdof)) "
                    + "at offset \(point(d))"
                let wider = reach > s ? "stencilWidth: \(reach)" : ""
                if diagonal {
                    return read + ", a diagonal neighbour (offset along \(axes) axes), but the grid's stencil is "
                        + "star, whose exchange fills only ghosts offset along one axis: create the grid with box: true"
                        + (wider.isEmpty ? "" : " and \(wider)")
                }
                return read + ", beyond the grid's stencil width \(s): create the grid with \(wider)"
            }
        }
        return nil
    }
}

extension GridLinearization {
    /// Refuses, on every rank alike, conditions whose local `A` reads a ghost
    /// the grid's stencil does not provide (``StencilCheck``), and agrees on
    /// the longest row of the local `A`: one reduction (collective).
    ///
    /// - Parameter pattern: ``localJacobianPattern()``.
    /// - Returns: the longest row of the local `A` on any rank, the same on
    ///   every rank (what ``DistributedRepresentation/automatic`` decides by).
    /// - Throws: ``DistributedImplicitError/stencilMismatch(_:)`` on every rank.
    public func checkStencil(pattern: SparsityPattern) throws(DistributedImplicitError) -> Int {
        let mismatch = StencilCheck.firstMismatch(pattern: pattern, ownedBox: grid.ownedBox,
                                                  ghostedBox: grid.ghostedBox, stencil: grid.stencil,
                                                  stencilWidth: grid.stencilWidth, dof: grid.dof)
        let agreed = Collective.maxima([mismatch == nil ? 0 : 1, Double(pattern.maximumNonZerosPerRow)])
        if agreed[0] > 0 { throw .stencilMismatch(mismatch ?? "on another rank") }
        return Int(agreed[1])
    }
}
