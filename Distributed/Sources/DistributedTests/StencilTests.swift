import AutoDiff
import DistributedImplicit
import Foundation
import LinearAlgebra
import PETScKit

/// The Bratu problem with the nine-point (Mehrstellen) Laplacian: every row
/// reads its four diagonal neighbours.
///
/// ```
/// F(x, u)_p = κ·(20 u_p − 4 Σ_{edge neighbours} u_q − Σ_{diagonal neighbours} u_q)/6 − h²·(λ eᵘᵖ + s)
/// ```
struct NinePointBratu: LocalGridConditions {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y u: GridPatch<T>) -> [T] {
        let h = 1 / Double(u.nx + 1)
        var out: [T] = []
        for j in u.ownedBox.ys {
            for i in u.ownedBox.xs {
                var edges = T(0), diagonals = T(0)
                for (di, dj) in [(-1, 0), (1, 0), (0, -1), (0, 1)] where inside(i + di, j + dj, u) {
                    edges += u[i + di, j + dj]
                }
                for (di, dj) in [(-1, -1), (1, -1), (-1, 1), (1, 1)] where inside(i + di, j + dj, u) {
                    diagonals += u[i + di, j + dj]
                }
                let lap = (T(20) * u[i, j] - T(4) * edges - diagonals) / T(6)
                out.append(x[0] * lap - T(h * h) * (x[1] * T.exp(u[i, j]) + x[2]))
            }
        }
        return out
    }

    /// Whether `(i, j)` is a grid point (outside: the boundary value 0).
    func inside<T>(_ i: Int, _ j: Int, _ u: GridPatch<T>) -> Bool { i >= 0 && i < u.nx && j >= 0 && j < u.ny }
}

/// The nine-point problem's solution at `bratuX`, solved by SNES on a box
/// grid of `grid`'s size (whose coloured finite-difference Jacobian includes
/// the diagonals) and copied into a global vector of `grid`: PETSc's split
/// over the ranks does not depend on the stencil type (checked).
func ninePointSolution(on grid: StructuredGrid) throws -> DistributedVector {
    let boxGrid = try StructuredGrid(nx: grid.nx, ny: grid.ny, box: true)
    try expect(boxGrid.ownedBox == grid.ownedBox, "box split \(boxGrid.ownedBox), star split \(grid.ownedBox)")
    let local = try boxGrid.makeLocalVector()
    let snes = try NonlinearSolve(grid: boxGrid, optionsPrefix: "t_nine_", relativeTolerance: 1e-12,
                                  absoluteTolerance: 1e-14) { u, f in
        try boxGrid.scatterToLocal(u, local)
        let patch = GridPatch(values: try local.localEntries(), ownedBox: boxGrid.ownedBox,
                              ghostedBox: boxGrid.ghostedBox, nx: boxGrid.nx, ny: boxGrid.ny)
        try f.setLocalEntries(NinePointBratu()(x: bratuX, y: patch))
    }
    let u = try boxGrid.makeGlobalVector()
    try snes.solve(u)
    let out = try grid.makeGlobalVector()
    try out.setLocalEntries(try u.localEntries())
    return out
}

/// The pattern of a stencil's local `A` on a rank owning `owned`, with
/// ghosts `ghosted`: row `p` reads `p + offset` for every offset that lands
/// in the ghosted box (the rows in owned order, the columns in ghosted order).
func stencilPattern(_ offsets: [(Int, Int)], owned: GridBox, ghosted: GridBox) throws -> SparsityPattern {
    var entries: [(row: Int, column: Int)] = []
    for j in owned.ys { for i in owned.xs {
        for (di, dj) in offsets where ghosted.contains(i + di, j + dj) {
            entries.append((owned.offset(i, j), ghosted.offset(i + di, j + dj)))
        }
    } }
    return try SparsityPattern(rows: owned.count, columns: ghosted.count, entries: entries)
}

let fivePoint = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]
let ninePoint = fivePoint + [(-1, -1), (1, -1), (-1, 1), (1, 1)]

func stencilTests() -> [TestCase] { [
    TestCase(name: "StencilCheck on an inner rank of a 2 × 2 split: refuses diagonal and too-far ghost reads, accepts the five-point stencil and owned reads") {
        let owned = GridBox(xs: 4..<8, ys: 4..<8), ghosted = GridBox(xs: 3..<9, ys: 3..<9)
        func check(_ offsets: [(Int, Int)], _ stencil: GridStencil) throws -> String? {
            StencilCheck.firstMismatch(pattern: try stencilPattern(offsets, owned: owned, ghosted: ghosted),
                                       ownedBox: owned, ghostedBox: ghosted, stencil: stencil, stencilWidth: 1)
        }
        try expect(try check(fivePoint, .star) == nil, "five-point on star refused")
        try expect(try check(ninePoint, .box) == nil, "nine-point on box refused")
        let diagonal = try check(ninePoint, .star)
        try expect(diagonal?.contains("diagonal neighbour") == true && diagonal?.contains("box: true") == true,
                   "nine-point on star: \(String(describing: diagonal))")
        let far = try check(fivePoint + [(2, 0), (-2, 0)], .box)
        try expect(far?.contains("stencilWidth: 2") == true, "offset 2 on width 1: \(String(describing: far))")
        let edgeOnly = try check([(0, 0), (1, 0)], .star)
        try expect(edgeOnly == nil, "one-sided edge reads refused: \(String(describing: edgeOnly))")
        // The first owned row reads every owned point: a dense row needs no exchange.
        var entries = (0..<owned.count).map { (row: 0, column: ghosted.offset(owned.xs.lowerBound + $0 % 4,
                                                                               owned.ys.lowerBound + $0 / 4)) }
        entries += (0..<owned.count).map { (row: $0, column: ghosted.offset(owned.xs.lowerBound + $0 % 4,
                                                                            owned.ys.lowerBound + $0 / 4)) }
        let dense = try SparsityPattern(rows: owned.count, columns: ghosted.count, entries: entries)
        try expect(StencilCheck.firstMismatch(pattern: dense, ownedBox: owned, ghostedBox: ghosted, stencil: .star,
                                              stencilWidth: 1) == nil, "a dense row over owned points refused")
    },
    TestCase(name: "GridPatch records reads of corner ghosts on a star grid only, not of edge ghosts or owned points") {
        let owned = GridBox(xs: 4..<8, ys: 4..<8), ghosted = GridBox(xs: 3..<9, ys: 3..<9)
        let values = (0..<ghosted.count).map(Double.init)
        let star = GridPatch(values: values, ownedBox: owned, ghostedBox: ghosted, nx: 20, ny: 20, stencil: .star)
        _ = star[3, 5] + star[5, 8] + star[5, 5]
        try expect(star.readsOfUnexchangedCorners == 0, "edge or owned reads recorded")
        _ = star[8, 3] + star[3, 3]
        try expect(star.readsOfUnexchangedCorners == 2 && star.firstUnexchangedCorner! == (8, 3),
                   "corners: \(star.readsOfUnexchangedCorners), first \(String(describing: star.firstUnexchangedCorner))")
        let box = GridPatch(values: values, ownedBox: owned, ghostedBox: ghosted, nx: 20, ny: 20, stencil: .box)
        _ = box[8, 3] + box[3, 3]
        try expect(box.readsOfUnexchangedCorners == 0 && box.readsOutsideGhosts == 0, "box corner reads recorded")
    },
    TestCase(name: "nine-point conditions on a box grid: JVP, VJP and Jacobian equal the single-process library's, shell and assembled (12 × 12)") {
        let grid = try StructuredGrid(nx: 12, ny: 12, box: true)
        try expect(grid.stencil == .box, "stencil \(grid.stencil)")
        let u = try ninePointSolution(on: grid)
        for representation in [DistributedRepresentation.shell, .assembled] {
            var f = DistributedImplicitFunction(grid: grid, conditions: NinePointBratu()) { _ in u }
            f.options.symmetricPositiveDefinite = true
            f.options.relativeTolerance = 1e-13
            f.options.representation = representation
            let lin = try f.linearize(at: bratuX)
            try expect(lin.representation == representation, "ran \(lin.representation)")
            if let a = lin.assembled {
                try expect(a.globalNonZeros == (3 * 12 - 2) * (3 * 12 - 2), "entries \(a.globalNonZeros)")
            }
            try expectMatchesSingleProcess(lin, conditions: NinePointBratu(), grid: grid)
        }
    },
    TestCase(name: "nine-point conditions on a star grid are stencilMismatch on every rank, shell, assembled and automatic (one rank: no ghosts, accepted and exact)") {
        let grid = try StructuredGrid(nx: 12, ny: 12)
        try expect(grid.stencil == .star, "stencil \(grid.stencil)")
        let u = try ninePointSolution(on: grid)
        for representation in [DistributedRepresentation.shell, .assembled, .automatic] {
            var f = DistributedImplicitFunction(grid: grid, conditions: NinePointBratu()) { _ in u }
            f.options.symmetricPositiveDefinite = true
            f.options.relativeTolerance = 1e-13
            f.options.representation = representation
            if PETSc.size == 1 {
                try expectMatchesSingleProcess(try f.linearize(at: bratuX), conditions: NinePointBratu(), grid: grid)
                continue
            }
            try expectFailure("stencilMismatch (\(representation))", {
                guard case let .stencilMismatch(s) = $0 else { return false }
                return s == "on another rank" || s.contains("box: true")
            }) { _ = try f.linearize(at: bratuX) }
        }
    },
] }
