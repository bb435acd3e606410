import CPETSc
import Foundation
import PETScKit

/// A 1-D convection–diffusion matrix, `2` on the diagonal, `−1 − c` below,
/// `−1 + c` above (`c = 0.3`; its transpose has `−c`), as MPIAIJ.
func convectionDiffusion(n: Int, c: Double) throws -> AssembledMatrix {
    let local = n / PETSc.size + (PETSc.rank < n % PETSc.size ? 1 : 0)
    let A = try AssembledMatrix(localRows: local, localColumns: local, diagonalNonzeros: 3, offDiagonalNonzeros: 2)
    for i in A.ownedRows {
        var cols = [i], vals = [2.0]
        if i > 0 { cols.append(i - 1); vals.append(-1 - c) }
        if i < n - 1 { cols.append(i + 1); vals.append(-1 + c) }
        try A.add(row: i, columns: cols, values: vals)
    }
    try A.assemble()
    return A
}

/// A vector with entry `sin(g + 1)` at global index `g`, in `A`'s row layout.
func sineVector(like A: AssembledMatrix) throws -> DistributedVector {
    let rows = A.ownedRows
    let v = try DistributedVector(localCount: rows.count)
    try v.setLocalEntries(rows.map { sin(Double($0 + 1)) })
    return v
}

func wrapperTests() -> [TestCase] { [
    TestCase(name: "an assembled MPIAIJ matrix solves A x = b and Aᵀ w = c to the known x and w") {
        let n = 40
        let A = try convectionDiffusion(n: n, c: 0.3)
        let At = try convectionDiffusion(n: n, c: -0.3)
        let xStar = try sineVector(like: A)
        let b = try xStar.duplicate(), c = try xStar.duplicate()
        try A.multiply(xStar, into: b)
        try At.multiply(xStar, into: c)
        let ksp = try KrylovSolve(operator_: A, optionsPrefix: "t_aij_", relativeTolerance: 1e-13)
        let x = try xStar.duplicate(), w = try xStar.duplicate()
        try ksp.solve(b, into: x)
        try ksp.solveTransposed(c, into: w)
        try x.addScaled(-1, xStar)
        try w.addScaled(-1, xStar)
        let ex = try x.normInfinity(), ew = try w.normInfinity()
        try expect(ex <= 1e-10 && ew <= 1e-10, "‖x − x*‖∞ = \(ex), ‖w − x*‖∞ = \(ew)")
        try expect(ksp.solves == 2 && ksp.iterations > 0, ksp.report)
    },
    TestCase(name: "a shell operator's products equal the assembled matrix's, and KSP solves with it both ways") {
        let n = 40
        let A = try convectionDiffusion(n: n, c: 0.3)
        let At = try convectionDiffusion(n: n, c: -0.3)
        let xStar = try sineVector(like: A)
        let shell = try ShellOperator(localRows: xStar.localCount, localColumns: xStar.localCount,
                                      multiply: { v, out in try A.multiply(v, into: out) },
                                      multiplyTransposed: { v, out in try At.multiply(v, into: out) })
        let b = try xStar.duplicate(), c = try xStar.duplicate()
        try A.multiply(xStar, into: b)
        try At.multiply(xStar, into: c)
        let ksp = try KrylovSolve(operator_: shell, optionsPrefix: "t_shell_", defaultPreconditioner: "none",
                                  relativeTolerance: 1e-13)
        let x = try xStar.duplicate(), w = try xStar.duplicate()
        try ksp.solve(b, into: x)
        try ksp.solveTransposed(c, into: w)
        try x.addScaled(-1, xStar)
        try w.addScaled(-1, xStar)
        let ex = try x.normInfinity(), ew = try w.normInfinity()
        try expect(ex <= 1e-10 && ew <= 1e-10, "‖x − x*‖∞ = \(ex), ‖w − x*‖∞ = \(ew)")
        try expect(ksp.kind == "gmres + none", "kind \(ksp.kind)")
    },
    TestCase(name: "a KSP capped at 2 iterations throws DIVERGED_ITS on every rank, never an iterate") {
        try PETSc.setOption("-t_cap_ksp_max_it", "2")
        defer { try? PETSc.clearOption("-t_cap_ksp_max_it") }
        let A = try convectionDiffusion(n: 60, c: 0.3)
        let b = try sineVector(like: A)
        let ksp = try KrylovSolve(operator_: A, optionsPrefix: "t_cap_", defaultPreconditioner: "none")
        let x = try b.duplicate()
        do {
            try ksp.solve(b, into: x)
            throw Expectation(description: "the capped solve returned")
        } catch let PETScError.kspNotConverged(reason, iterations, residual) {
            try expect(reason == "DIVERGED_ITS" && iterations == 2 && residual > 0,
                       "\(reason), \(iterations) iterations, ‖r‖ = \(residual)")
        }
    },
    TestCase(name: "a PETSc call with a bad argument comes back as a typed error, not an abort") {
        let v = try DistributedVector(localCount: 3)
        let w = try DistributedVector(localCount: 4)
        do {
            _ = try v.dot(w)
            throw Expectation(description: "VecDot of different sizes returned")
        } catch let PETScError.call(function, code, _) {
            try expect(function == "VecDot" && code != 0, "\(function) \(code)")
        }
    },
    TestCase(name: "the DMDA ghost exchange fills ghosts with their owners' values (2-D, natural order)") {
        let grid = try StructuredGrid(nx: 7, ny: 5, stencilWidth: 1, box: true)
        let natural = (0..<grid.count).map { Double($0) * 0.5 + 1 }
        let v = try grid.globalVector(natural: natural)
        let local = try grid.makeLocalVector()
        try grid.scatterToLocal(v, local)
        let entries = try local.localEntries()
        let g = grid.ghostedBox
        try expect(entries.count == g.count, "\(entries.count) local entries, ghosted box \(g.count)")
        for j in g.ys { for i in g.xs {
            try expect(entries[g.offset(i, j)] == natural[i + grid.nx * j], "point (\(i), \(j))")
        } }
        try expect(try grid.naturalEntries(v) == natural, "natural round trip")
    },
    TestCase(name: "adding ghosts into their owners is the transpose of the ghost exchange: ⟨P v, w⟩ = ⟨v, Pᵀ w⟩") {
        let grid = try StructuredGrid(nx: 9, ny: 6, stencilWidth: 2)
        let v = try grid.globalVector(natural: (0..<grid.count).map { cos(Double($0)) })
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
] }
