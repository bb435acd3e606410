import AutoDiff
import DistributedImplicit
import Foundation
import LinearAlgebra
import PETScKit

/// The pattern of a 3-D stencil's local `A` on a rank owning `owned` with
/// ghosts `ghosted` and `dof` components per point: component `a` of row
/// `p` reads component `b` of `p + offset` for every `(offset, a, b)` in
/// `couplings` that lands in the ghosted box.
func stencilPattern3D(_ couplings: [(offset: (Int, Int, Int), a: Int, b: Int)], owned: GridBox, ghosted: GridBox,
                      dof: Int = 1) throws -> SparsityPattern {
    var entries: [(row: Int, column: Int)] = []
    for k in owned.zs { for j in owned.ys { for i in owned.xs {
        for (d, a, b) in couplings where ghosted.contains(i + d.0, j + d.1, k + d.2) {
            entries.append((owned.offset(i, j, k) * dof + a, ghosted.offset(i + d.0, j + d.1, k + d.2) * dof + b))
        }
    } } }
    return try SparsityPattern(rows: owned.count * dof, columns: ghosted.count * dof, entries: entries)
}

/// Offsets whose entries lie in `-reach...reach` along each axis, with at most `axes` of them non-zero.
func offsets3D(reach: Int = 1, axes: Int) -> [(Int, Int, Int)] {
    var out: [(Int, Int, Int)] = []
    for dk in -reach...reach { for dj in -reach...reach { for di in -reach...reach {
        let n = (di != 0 ? 1 : 0) + (dj != 0 ? 1 : 0) + (dk != 0 ? 1 : 0)
        if n <= axes { out.append((di, dj, dk)) }
    } } }
    return out
}

/// Entries of the 7-point star's matrix on an `nx × ny × nz` grid.
func sevenPointEntries(_ nx: Int, _ ny: Int, _ nz: Int) -> Int {
    nx * ny * nz + 2 * ((nx - 1) * ny * nz + nx * (ny - 1) * nz + nx * ny * (nz - 1))
}

func grid3DTests() -> [TestCase] { [
    TestCase(name: "3-D grid: the DMDA splits 7 × 6 × 5 points into boxes that tile the grid, with ghost layers of the stencil width") {
        let grid = try StructuredGrid(nx: 7, ny: 6, nz: 5, stencilWidth: 2)
        try expect(grid.dimension == 3 && grid.count == 210 && grid.dof == 1 && grid.stencil == .star
                   && grid.stencilWidth == 2, "grid \(grid.dimension)-D, \(grid.count) points, \(grid.stencil)")
        let o = grid.ownedBox, g = grid.ghostedBox
        try expect(Int(Collective.sum([Double(o.count)])[0]) == 210, "owned boxes do not add up to the grid")
        for (own, ghost, n) in [(o.xs, g.xs, 7), (o.ys, g.ys, 6), (o.zs, g.zs, 5)] {
            try expect(ghost.lowerBound == max(0, own.lowerBound - 2) && ghost.upperBound == min(n, own.upperBound + 2),
                       "owned \(own), ghosted \(ghost) of \(n)")
        }
        try expect(try grid.makeGlobalVector().localCount == grid.ownedUnknowns
                   && (try grid.makeLocalVector()).localCount == grid.ghostedUnknowns, "vector sizes")
    },
    TestCase(name: "3-D grid with 2 unknowns per point: the ghost exchange fills every ghost component with its owner's (box stencil, natural order)") {
        let grid = try StructuredGrid(nx: 5, ny: 4, nz: 6, dof: 2, box: true)
        let natural = (0..<grid.unknownCount).map { Double($0) * 0.25 + 1 }
        let v = try grid.globalVector(natural: natural)
        let local = try grid.makeLocalVector()
        try grid.scatterToLocal(v, local)
        let entries = try local.localEntries()
        let g = grid.ghostedBox
        try expect(entries.count == 2 * g.count, "\(entries.count) local entries, ghosted box \(g.count) × 2")
        for k in g.zs { for j in g.ys { for i in g.xs { for c in 0..<2 {
            try expect(entries[g.offset(i, j, k) * 2 + c] == natural[grid.naturalIndex(i, j, k, component: c)],
                       "point (\(i), \(j), \(k)) component \(c)")
        } } } }
        try expect(try grid.naturalEntries(v) == natural, "natural round trip")
        let indices = try grid.ghostedGlobalIndices()
        try expect(indices.count == grid.ghostedUnknowns && indices.allSatisfy { $0 >= 0 }, "mapping \(indices.count)")
    },
    TestCase(name: "3-D grid: adding ghosts into their owners is the transpose of the exchange, ⟨P v, w⟩ = ⟨v, Pᵀ w⟩ (dof 2, width 2)") {
        let grid = try StructuredGrid(nx: 6, ny: 5, nz: 7, dof: 2, stencilWidth: 2)
        let v = try grid.globalVector(natural: (0..<grid.unknownCount).map { cos(Double($0)) })
        let local = try grid.makeLocalVector()
        try grid.scatterToLocal(v, local)
        let pv = try local.localEntries()
        let w = (0..<pv.count).map { sin(Double($0 * (PETSc.rank + 2))) }
        let lhs = Collective.sum([zip(pv, w).reduce(0) { $0 + $1.0 * $1.1 }])[0]
        try local.setLocalEntries(w)
        let ptw = try grid.makeGlobalVector()
        try grid.addLocalToGlobal(local, ptw)
        let rhs = try v.dot(ptw)
        try expect(abs(lhs - rhs) <= 1e-12 * max(1, abs(lhs)), "⟨P v, w⟩ = \(lhs), ⟨v, Pᵀ w⟩ = \(rhs)")
    },
    TestCase(name: "GridPatch in 3-D: reads by (i, j, k) and component, records star ghosts offset along two or three axes only") {
        let owned = GridBox(xs: 2..<4, ys: 2..<4, zs: 2..<4), ghosted = GridBox(xs: 1..<5, ys: 1..<5, zs: 1..<5)
        let values = (0..<2 * ghosted.count).map(Double.init)
        let star = GridPatch(values: values, ownedBox: owned, ghostedBox: ghosted, nx: 9, ny: 9, nz: 9, dof: 2,
                             stencil: .star)
        try expect(star[3, 1, 2, component: 1] == Double(2 * ghosted.offset(3, 1, 2) + 1), "component read")
        _ = star[1, 2, 3, component: 0] + star[3, 4, 2, component: 1] + star[2, 3, 1, component: 0] + star[2, 2, 2, component: 1]
        try expect(star.readsOfUnexchangedCorners == 0, "face or owned reads recorded")
        _ = star[1, 1, 2, component: 0] + star[4, 4, 4, component: 1]
        try expect(star.readsOfUnexchangedCorners == 2 && star.firstUnexchangedGhost! == (1, 1, 2),
                   "edge/corner reads: \(star.readsOfUnexchangedCorners), first \(String(describing: star.firstUnexchangedGhost))")
        _ = star[0, 2, 2, component: 0]
        try expect(star.readsOutsideGhosts == 1, "outside reads \(star.readsOutsideGhosts)")
        let box = GridPatch(values: values, ownedBox: owned, ghostedBox: ghosted, nx: 9, ny: 9, nz: 9, dof: 2)
        _ = box[1, 1, 2, component: 0] + box[4, 4, 4, component: 1]
        try expect(box.readsOfUnexchangedCorners == 0 && box.readsOutsideGhosts == 0, "box edge/corner reads recorded")
    },
    TestCase(name: "StencilCheck in 3-D on an inner rank: accepts 7-point on star and 27-point on box, refuses edge and corner neighbours on star and offset 2 on width 1, per component") {
        let owned = GridBox(xs: 4..<7, ys: 4..<7, zs: 4..<7), ghosted = GridBox(xs: 3..<8, ys: 3..<8, zs: 3..<8)
        func check(_ offsets: [(Int, Int, Int)], _ stencil: GridStencil, dof: Int = 1,
                   components: [(Int, Int)] = [(0, 0)]) throws -> String? {
            let couplings = offsets.flatMap { d in components.map { (offset: d, a: $0.0, b: $0.1) } }
            return StencilCheck.firstMismatch(pattern: try stencilPattern3D(couplings, owned: owned, ghosted: ghosted,
                                                                            dof: dof),
                                              ownedBox: owned, ghostedBox: ghosted, stencil: stencil, stencilWidth: 1,
                                              dof: dof)
        }
        let seven = offsets3D(axes: 1), nineteen = offsets3D(axes: 2), twentySeven = offsets3D(axes: 3)
        try expect(seven.count == 7 && nineteen.count == 19 && twentySeven.count == 27, "offset sets")
        try expect(try check(seven, .star) == nil, "7-point on star refused")
        try expect(try check(twentySeven, .box) == nil, "27-point on box refused")
        let edge = try check(nineteen, .star)
        try expect(edge?.contains("diagonal neighbour (offset along 2 axes)") == true && edge?.contains("box: true") == true,
                   "19-point on star: \(String(describing: edge))")
        let corner = try check(seven + [(1, 1, 1)], .star)
        try expect(corner?.contains("offset (1, 1, 1)") == true && corner?.contains("3 axes") == true,
                   "corner on star: \(String(describing: corner))")
        let far = try check(seven + [(0, 0, 2), (0, 0, -2)], .box)
        try expect(far?.contains("stencilWidth: 2") == true, "offset 2 on width 1: \(String(describing: far))")
        let all = [(0, 0), (0, 1), (1, 0), (1, 1)]
        try expect(try check(seven, .star, dof: 2, components: all) == nil, "7-point, components coupled, refused")
        let coupledEdge = try check(seven + [(1, 0, 1)], .star, dof: 2, components: [(0, 0), (1, 0)])
        try expect(coupledEdge?.contains("component") == true && coupledEdge?.contains("diagonal neighbour") == true,
                   "edge read by a coupled component: \(String(describing: coupledEdge))")
    },
    TestCase(name: "3-D Bratu (7-point star, 7 × 6 × 5): JVP, VJP and Jacobian equal the single-process library's, shell (CG) and assembled (CG + GAMG)") {
        let grid = try StructuredGrid(nx: 7, ny: 6, nz: 5)
        let u = try snesSolution(StarBratu(), on: grid)
        var lins: [DistributedImplicitLinearization] = []
        for representation in [DistributedRepresentation.shell, .assembled] {
            let lin = try linearize(StarBratu(), on: grid, solution: u, representation: representation, symmetric: true)
            if let a = lin.assembled {
                try expect(a.globalNonZeros == sevenPointEntries(7, 6, 5), "entries \(a.globalNonZeros)")
                try expect(lin.krylov.kind == "cg + gamg", lin.krylov.kind)
            }
            lins.append(lin)
        }
        try expectMatchSingleProcess(lins, conditions: StarBratu(), grid: grid)
    },
    TestCase(name: "3-D Bratu (7-point star, 10 × 9 × 8): JVP, VJP and Jacobian equal the single-process library's, shell and assembled, GMRES") {
        let grid = try StructuredGrid(nx: 10, ny: 9, nz: 8)
        let u = try snesSolution(StarBratu(), on: grid)
        var lins: [DistributedImplicitLinearization] = []
        for representation in [DistributedRepresentation.shell, .assembled] {
            let lin = try linearize(StarBratu(), on: grid, solution: u, representation: representation, symmetric: false)
            lins.append(lin)
        }
        try expectMatchSingleProcess(lins, conditions: StarBratu(), grid: grid)
    },
    TestCase(name: "3-D Bratu: A v from tape sweeps equals the closed form κ L v − h² λ eᵘ∘v, and the products are adjoint") {
        let grid = try StructuredGrid(nx: 6, ny: 7, nz: 5)
        let lin = try linearize(StarBratu(), on: grid, solution: try snesSolution(StarBratu(), on: grid),
                                representation: .shell, symmetric: true)
        let u = try grid.naturalEntries(lin.solution)
        let v = (0..<grid.count).map { sin(0.7 * Double($0)) }
        let av = try grid.makeGlobalVector()
        try lin.conditions.applyA(try grid.globalVector(natural: v), into: av)
        let got = try grid.naturalEntries(av)
        let h = 1 / Double(grid.nx + 1)
        var want = [Double](repeating: 0, count: grid.count)
        for k in 0..<grid.nz { for j in 0..<grid.ny { for i in 0..<grid.nx {
            let p = grid.naturalIndex(i, j, k)
            var lap = 6 * v[p]
            for (di, dj, dk) in offsets3D(axes: 1) where (di, dj, dk) != (0, 0, 0) {
                let a = i + di, b = j + dj, c = k + dk
                if a >= 0 && a < grid.nx && b >= 0 && b < grid.ny && c >= 0 && c < grid.nz {
                    lap -= v[grid.naturalIndex(a, b, c)]
                }
            }
            want[p] = bratuX[0] * lap - h * h * bratuX[1] * exp(u[p]) * v[p]
        } } }
        try expect(relativeError(got, want) <= 1e-13, "A v relative error \(relativeError(got, want))")
        try expectAdjoint(lin, grid: grid)
    },
    TestCase(name: "3-D box grid: 27-point conditions equal the single-process library's, shell and assembled (6 × 5 × 7)") {
        let grid = try StructuredGrid(nx: 6, ny: 5, nz: 7, box: true)
        try expect(grid.stencil == .box, "stencil \(grid.stencil)")
        let u = try snesSolution(BoxBratu3D(), on: grid)
        var lins: [DistributedImplicitLinearization] = []
        for representation in [DistributedRepresentation.shell, .assembled] {
            let lin = try linearize(BoxBratu3D(), on: grid, solution: u, representation: representation, symmetric: true)
            if let a = lin.assembled {
                try expect(a.globalNonZeros == (3 * 6 - 2) * (3 * 5 - 2) * (3 * 7 - 2), "entries \(a.globalNonZeros)")
            }
            lins.append(lin)
        }
        try expectMatchSingleProcess(lins, conditions: BoxBratu3D(), grid: grid)
    },
    TestCase(name: "3-D star grid: 27-point conditions are stencilMismatch on every rank, shell, assembled and automatic (one rank: no ghosts, exact)") {
        let grid = try StructuredGrid(nx: 6, ny: 5, nz: 7)
        let boxGrid = try StructuredGrid(nx: 6, ny: 5, nz: 7, box: true)
        let u = try transplant(try snesSolution(BoxBratu3D(), on: boxGrid), from: boxGrid, to: grid)
        for representation in [DistributedRepresentation.shell, .assembled, .automatic] {
            if PETSc.size == 1 {
                let lin = try linearize(BoxBratu3D(), on: grid, solution: u,
                                        representation: representation == .automatic ? .assembled : representation,
                                        symmetric: true)
                try expectMatchesSingleProcess(lin, conditions: BoxBratu3D(), grid: grid)
                continue
            }
            try expectFailure("stencilMismatch (\(representation))", {
                guard case let .stencilMismatch(s) = $0 else { return false }
                return s == "on another rank" || s.contains("box: true")
            }) { _ = try linearize(BoxBratu3D(), on: grid, solution: u, representation: representation, symmetric: true) }
        }
    },
    TestCase(name: "3-D fourth-order (13-point) conditions: ghost width 1 is stencilOutsideGhosts on every rank without a hang (one rank: exact); width 2 equals the single-process library's") {
        let narrow = try StructuredGrid(nx: 7, ny: 6, nz: 8)
        let wide = try StructuredGrid(nx: 7, ny: 6, nz: 8, stencilWidth: 2)
        let conditions = StarBratu(fourthOrder: true)
        let u = try snesSolution(conditions, on: wide)
        var lins: [DistributedImplicitLinearization] = []
        for representation in [DistributedRepresentation.shell, .assembled] {
            let lin = try linearize(conditions, on: wide, solution: u, representation: representation, symmetric: true)
            lins.append(lin)
        }
        try expectMatchSingleProcess(lins, conditions: conditions, grid: wide)
        let onNarrow = try transplant(u, from: wide, to: narrow)
        for representation in [DistributedRepresentation.shell, .assembled] {
            if PETSc.size == 1 {
                let lin = try linearize(conditions, on: narrow, solution: onNarrow, representation: representation,
                                        symmetric: true)
                try expectMatchesSingleProcess(lin, conditions: conditions, grid: narrow)
                continue
            }
            try expectFailure(.stencilOutsideGhosts(stencilWidth: 1)) {
                _ = try linearize(conditions, on: narrow, solution: onNarrow, representation: representation,
                                  symmetric: true)
            }
        }
    },
] }

/// `⟨w, A v⟩ = ⟨Aᵀ w, v⟩` and `⟨w, B ẋ⟩ = ⟨Bᵀ w, ẋ⟩` for `lin`'s shell products, to 1e-12 relative.
func expectAdjoint(_ lin: DistributedImplicitLinearization, grid: StructuredGrid) throws {
    let v = try grid.globalVector(natural: (0..<grid.unknownCount).map { sin(0.3 * Double($0)) })
    let w = try grid.globalVector(natural: (0..<grid.unknownCount).map { cos(1.3 * Double($0)) })
    let av = try grid.makeGlobalVector(), atw = try grid.makeGlobalVector()
    try lin.conditions.applyA(v, into: av)
    try lin.conditions.applyAT(w, into: atw)
    let l1 = try w.dot(av), r1 = try atw.dot(v)
    try expect(abs(l1 - r1) <= 1e-12 * max(1, abs(l1)), "⟨w, A v⟩ = \(l1), ⟨Aᵀ w, v⟩ = \(r1)")
    let xDot = [0.2, -1.0, 0.5]
    let bx = try grid.makeGlobalVector()
    try lin.conditions.applyB(xDot, into: bx)
    let btw = try lin.conditions.applyBT(w)
    let l2 = try w.dot(bx), r2 = zip(btw, xDot).reduce(0) { $0 + $1.0 * $1.1 }
    try expect(abs(l2 - r2) <= 1e-12 * max(1, abs(l2)), "⟨w, B ẋ⟩ = \(l2), ⟨Bᵀ w, ẋ⟩ = \(r2)")
}
