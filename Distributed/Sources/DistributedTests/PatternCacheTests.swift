import AutoDiff
import DistributedExamples
import DistributedImplicit
import Foundation
import PETScKit

/// Where ``GrowingBratu`` adds its dependence: per rank, switched between linearizations
/// (`@unchecked Sendable`: each rank runs its tests on one thread).
final class GrowthSwitch: @unchecked Sendable {
    /// The owned point whose value row 0 starts to depend on (global grid indices), and its value there.
    var point: (i: Int, j: Int, value: Double)?
    /// Whether the extra dependence is in the conditions.
    var grown = false
}

/// Bratu conditions whose first owned row gains a dependence on one far
/// owned point when ``GrowthSwitch/grown`` is set: `+ (y_p − y_p*)`, zero at
/// the solution (the residual check passes) with derivative 1 in column `p`.
struct GrowingBratu: LocalGridConditions {
    let growth: GrowthSwitch
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: GridPatch<T>) -> [T] {
        var rows = BratuGridConditions()(x: x, y: y)
        if growth.grown, let p = growth.point { rows[0] = rows[0] + (y[p.i, p.j] - T(p.value)) }
        return rows
    }
}

func patternCacheTests() -> [TestCase] { [
    TestCase(name: "fixedLocalPattern: the second linearization keeps the pattern and its derivatives at another x equal a fresh linearization's, both representations") {
        let problem = try BratuProblem(n: 16)
        for representation in [DistributedRepresentation.assembled, .shell] {
            var f = problem.implicitFunction()
            f.options.representation = representation
            f.options.relativeTolerance = 1e-13
            f.fixedLocalPattern = true
            let first = try f.linearize(at: bratuX)
            let x2 = [1.2, 1.5, 0.8]
            let second = try f.linearize(at: x2)
            try expect(!first.localPatternReused && second.localPatternReused,
                       "\(representation): kept \(first.localPatternReused), \(second.localPatternReused)")
            try expect(second.plan.contains("pattern kept"), second.plan)
            if representation == .assembled {
                try expect(second.assembled?.coloring.colors == first.assembled?.coloring.colors, "colouring not kept")
            }
            var fresh = problem.implicitFunction()
            fresh.options.representation = representation
            fresh.options.relativeTolerance = 1e-13
            let reference = try fresh.linearize(at: x2)
            try expect(!reference.localPatternReused, "an undeclared function kept a pattern")
            try expectSameDerivatives(second, reference, grid: problem.grid)
        }
    },
    TestCase(name: "fixedLocalPattern, partly checked: a new dependence on the last rank only, in a colour its row lacks, is localJacobianFailed on every rank") {
        let problem = try BratuProblem(n: 16)
        let u = try problem.solve(bratuX)
        let growth = GrowthSwitch()
        var f = DistributedImplicitFunction(grid: problem.grid, conditions: GrowingBratu(growth: growth)) { _ in u }
        f.options.symmetricPositiveDefinite = true
        f.options.representation = .assembled
        f.fixedLocalPattern = true
        let first = try f.linearize(at: bratuX)
        // An owned point whose colour none of row 0's columns has: the kept colouring cannot hide it.
        let a = first.assembled!, pattern = first.conditions.localJacobianPattern()
        let grid = problem.grid, gx = grid.ghostedBox.xs.count
        let rowColors = Set((0..<pattern.columns).filter { pattern.rows(inColumn: $0).contains(0) }
            .map { a.coloring.colors[$0] })
        let owned = try u.localEntries(), ox = grid.ownedBox.xs.count
        for g in 0..<pattern.columns where !rowColors.contains(a.coloring.colors[g]) {
            let k = grid.ghostedBox.xs.lowerBound + g % gx, l = grid.ghostedBox.ys.lowerBound + g / gx
            guard grid.ownedBox.contains(k, l) else { continue }
            let r = (k - grid.ownedBox.xs.lowerBound) + (l - grid.ownedBox.ys.lowerBound) * ox
            growth.point = (k, l, owned[r])
            break
        }
        try expect(growth.point != nil, "no owned point of a colour row 0 lacks")
        growth.grown = PETSc.rank == PETSc.size - 1
        try expectFailure("localJacobianFailed", { if case .localJacobianFailed = $0 { true } else { false } }) {
            _ = try f.linearize(at: bratuX)
        }
        var undeclared = f
        undeclared.fixedLocalPattern = false
        let fresh = try undeclared.linearize(at: bratuX)
        try expect(!fresh.localPatternReused && fresh.representation == .assembled, fresh.plan)
    },
] }
