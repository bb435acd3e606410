import LinearAlgebra
import PETScKit

/// Whether local conditions read only ghost points their grid's exchange
/// provides on every partition, decided from the pattern of the local `A`
/// (owned rows × ghosted points) by each entry's offset from its row.
///
/// ```
/// row p = (i, j) in ownedBox, column q = (k, l) in ghostedBox, (dx, dy) = (k − i, l − j)
/// q owned                     accepted at any offset (no exchange involved)
/// star:  dx ≠ 0 and dy ≠ 0    a diagonal neighbour: refused (needs box)
///        max(|dx|, |dy|) > s  refused (needs a wider stencil)
/// box:   max(|dx|, |dy|) > s  refused (needs a wider stencil)
/// ```
///
/// The rule is about offsets, not only about this partition's corner
/// ghosts: a diagonal neighbour across a rank boundary is an exchanged edge
/// ghost when the ranks split the grid in one direction only (always the
/// case on 2 ranks), but an unexchanged corner ghost (zero, or stale) as soon
/// as they split it in both (from 4 ranks); a ghost farther than `s` from its
/// row is inside this rank's ghost layers only because its row is not at the
/// box's edge. Refusing by offset makes the error appear on any partition
/// with ghosts in the offending direction, not only on the one where the
/// numbers go wrong. Reads of owned points are never refused, so a dense row
/// over owned points passes. On one rank (no ghosts) nothing is refused.
///
/// The pattern drops partials that are exactly zero at the recorded point;
/// a read of a corner ghost whose partial vanishes there is still caught by
/// ``GridPatch``'s read record (``GridPatch/readsOfUnexchangedCorners``).
public enum StencilCheck {
    /// The first entry of `pattern` that reads a ghost the grid's stencil does
    /// not provide, described for the error message; `nil` when there is none.
    ///
    /// - Parameters:
    ///   - pattern: `ownedBox.count × ghostedBox.count`, rows in `ownedBox`
    ///     order and columns in `ghostedBox` order (`i` fastest).
    ///   - ownedBox: this rank's owned points.
    ///   - ghostedBox: its owned and ghost points.
    ///   - stencil: the grid's stencil type.
    ///   - stencilWidth: the grid's ghost width `s`.
    /// - Returns: e.g. `"row (3, 4) reads the ghost (4, 5) at offset (1, 1), a diagonal neighbour, …"`, or `nil`.
    public static func firstMismatch(pattern: SparsityPattern, ownedBox: GridBox, ghostedBox: GridBox,
                                     stencil: GridStencil, stencilWidth: Int) -> String? {
        precondition(pattern.rows == ownedBox.count && pattern.columns == ghostedBox.count,
                     "StencilCheck: a \(pattern.rows) × \(pattern.columns) pattern for \(ownedBox.count) owned and \(ghostedBox.count) ghosted points")
        let s = stencilWidth, gx = ghostedBox.xs.count, ox = ownedBox.xs.count
        for g in 0..<pattern.columns {
            let k = ghostedBox.xs.lowerBound + g % gx, l = ghostedBox.ys.lowerBound + g / gx
            if ownedBox.contains(k, l) { continue }
            for r in pattern.rows(inColumn: g) {
                let i = ownedBox.xs.lowerBound + r % ox, j = ownedBox.ys.lowerBound + r / ox
                let dx = abs(k - i), dy = abs(l - j)
                let diagonal = stencil == .star && dx != 0 && dy != 0
                let reach = Swift.max(dx, dy)
                if !diagonal && reach <= s { continue }
                let read = "row (\(i), \(j)) reads the ghost (\(k), \(l)) at offset (\(k - i), \(l - j))"
                let wider = reach > s ? "stencilWidth: \(reach)" : ""
                if diagonal {
                    return read + ", a diagonal neighbour, but the grid's stencil is star, whose exchange never "
                        + "fills corner ghosts: create the grid with box: true" + (wider.isEmpty ? "" : " and \(wider)")
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
                                                  stencilWidth: grid.stencilWidth)
        let agreed = Collective.maxima([mismatch == nil ? 0 : 1, Double(pattern.maximumNonZerosPerRow)])
        if agreed[0] > 0 { throw .stencilMismatch(mismatch ?? "on another rank") }
        return Int(agreed[1])
    }
}
