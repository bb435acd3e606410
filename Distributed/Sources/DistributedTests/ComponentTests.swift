import AutoDiff
import DistributedImplicit
import Foundation
import PETScKit

func componentTests() -> [TestCase] { [
    TestCase(name: "two species (dof 2) on a 9 × 8 grid: JVP, VJP and Jacobian equal the single-process library's, shell and assembled (GMRES)") {
        let grid = try StructuredGrid(nx: 9, ny: 8, dof: 2)
        let u = try snesSolution(TwoSpecies(), on: grid)
        var lins: [DistributedImplicitLinearization] = []
        for representation in [DistributedRepresentation.shell, .assembled] {
            let lin = try linearize(TwoSpecies(), on: grid, solution: u, representation: representation, symmetric: false)
            if let a = lin.assembled {
                // Each species' 5-point stencil, plus the two couplings at every point.
                let fivePoint = 5 * 9 * 8 - 2 * 8 - 2 * 9
                try expect(a.globalNonZeros == 2 * fivePoint + 2 * grid.count, "entries \(a.globalNonZeros)")
            }
            lins.append(lin)
        }
        try expectMatchSingleProcess(lins, conditions: TwoSpecies(), grid: grid)
    },
    TestCase(name: "two species (dof 2) on a 16 × 13 grid: JVP, VJP and Jacobian equal the single-process library's, shell and assembled") {
        let grid = try StructuredGrid(nx: 16, ny: 13, dof: 2)
        let u = try snesSolution(TwoSpecies(), on: grid)
        var lins: [DistributedImplicitLinearization] = []
        for representation in [DistributedRepresentation.shell, .assembled] {
            let lin = try linearize(TwoSpecies(), on: grid, solution: u, representation: representation, symmetric: false)
            lins.append(lin)
        }
        try expectMatchSingleProcess(lins, conditions: TwoSpecies(), grid: grid)
    },
    TestCase(name: "two species (dof 2) on a 6 × 5 × 4 grid: JVP, VJP and Jacobian equal the single-process library's, shell and assembled") {
        let grid = try StructuredGrid(nx: 6, ny: 5, nz: 4, dof: 2)
        let u = try snesSolution(TwoSpecies(), on: grid)
        var lins: [DistributedImplicitLinearization] = []
        for representation in [DistributedRepresentation.shell, .assembled] {
            let lin = try linearize(TwoSpecies(), on: grid, solution: u, representation: representation, symmetric: false)
            if let a = lin.assembled {
                try expect(a.globalNonZeros == 2 * sevenPointEntries(6, 5, 4) + 2 * grid.count,
                           "entries \(a.globalNonZeros)")
            }
            lins.append(lin)
        }
        try expectMatchSingleProcess(lins, conditions: TwoSpecies(), grid: grid)
    },
    TestCase(name: "two species (dof 2): A v from tape sweeps equals the closed form, the products are adjoint, rows are point-major") {
        let grid = try StructuredGrid(nx: 8, ny: 7, dof: 2)
        let lin = try linearize(TwoSpecies(), on: grid, solution: try snesSolution(TwoSpecies(), on: grid),
                                representation: .shell, symmetric: false)
        let w = try grid.naturalEntries(lin.solution)
        let v = (0..<grid.unknownCount).map { sin(0.7 * Double($0)) }
        let av = try grid.makeGlobalVector()
        try lin.conditions.applyA(try grid.globalVector(natural: v), into: av)
        let got = try grid.naturalEntries(av)
        let h2 = 1 / Double((grid.nx + 1) * (grid.nx + 1))
        func lap(_ i: Int, _ j: Int, _ c: Int) -> Double {
            var out = 4 * v[grid.naturalIndex(i, j, component: c)]
            for (a, b) in [(i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)]
            where a >= 0 && a < grid.nx && b >= 0 && b < grid.ny { out -= v[grid.naturalIndex(a, b, component: c)] }
            return out
        }
        var want = [Double](repeating: 0, count: grid.unknownCount)
        for j in 0..<grid.ny { for i in 0..<grid.nx {
            let p = grid.naturalIndex(i, j)
            let u0 = w[p], v0 = w[p + 1], du = v[p], dv = v[p + 1]
            want[p] = bratuX[0] * lap(i, j, 0) - h2 * (bratuX[1] * exp(u0) * du - dv)
            want[p + 1] = lap(i, j, 1) + h2 * (dv - v0 * du - u0 * dv - du)
        } }
        try expect(relativeError(got, want) <= 1e-13, "A v relative error \(relativeError(got, want))")
        try expectAdjoint(lin, grid: grid)
    },
    TestCase(name: "three species (dof 3) on a 27-point box stencil: automatic assembles rows of 81 entries, and the derivatives equal the single-process library's") {
        let grid = try StructuredGrid(nx: 3, ny: 4, nz: 3, dof: 3, box: true)
        let u = try snesSolution(ThreeSpeciesBox(), on: grid)
        var f = DistributedImplicitFunction(grid: grid, conditions: ThreeSpeciesBox()) { _ in u }
        f.options.relativeTolerance = 1e-13
        let lin = try f.linearize(at: bratuX)
        try expect(lin.representation == .assembled, lin.plan)
        try expect(lin.assembled!.globalNonZeros == 9 * (3 * 3 - 2) * (3 * 4 - 2) * (3 * 3 - 2),
                   "entries \(lin.assembled!.globalNonZeros)")
        // The rows of 81 entries (interior points) lie on some rank, not on every rank of a split.
        let colours = Collective.maxima([Double(lin.assembled!.localColors)])[0]
        try expect(colours >= 81, "colours \(colours) at most on any rank")
        try expectMatchesSingleProcess(lin, conditions: ThreeSpeciesBox(), grid: grid)
    },
    TestCase(name: "two species (dof 2): one row missing on the last rank is wrongResidualCount on every rank") {
        struct OneRowShort: LocalGridConditions {
            func callAsFunction<T: DifferentiableScalar>(x: [T], y: GridPatch<T>) -> [T] {
                var rows = TwoSpecies()(x: x, y: y)
                if y.ownedBox.contains(y.nx - 1, y.ny - 1) { rows.removeLast() }
                return rows
            }
        }
        let grid = try StructuredGrid(nx: 6, ny: 6, dof: 2)
        let u = try snesSolution(TwoSpecies(), on: grid)
        try expectFailure(.wrongResidualCount) {
            _ = try linearize(OneRowShort(), on: grid, solution: u, representation: .shell, symmetric: false)
        }
    },
] }
