import AutoDiff
import DistributedExamples
import DistributedImplicit
import Foundation
import PETScKit

/// Bratu conditions spoiled on the last rank only (the rank owning the
/// grid's last point), in one of several ways.
struct SpoiledOnLastRank: LocalGridConditions {
    enum Spoil: Sendable { case nan, missingRow, wideStencil }
    let spoil: Spoil

    func callAsFunction<T: DifferentiableScalar>(x: [T], y: GridPatch<T>) -> [T] {
        var rows = BratuGridConditions()(x: x, y: y)
        let last = y.ownedBox.contains(y.nx - 1, y.ny - 1)
        guard last else { return rows }
        switch spoil {
        case .nan: rows[rows.count - 1] = T(Double.nan)
        case .missingRow: rows.removeLast()
        case .wideStencil:
            let i = y.ownedBox.xs.lowerBound - 2, j = y.ownedBox.ys.lowerBound
            if i >= 0 { rows[0] = rows[0] + y[i, j] * T(0) } else {
                rows[0] = rows[0] + y[y.ownedBox.xs.lowerBound, j - 2] * T(0)
            }
        }
        return rows
    }
}

/// Runs `body`, which must throw `expected` on this rank.
func expectFailure(_ expected: DistributedImplicitError, _ body: () throws -> Void) throws {
    do {
        try body()
        throw Expectation(description: "no error; expected \(expected)")
    } catch let e as DistributedImplicitError {
        try expect(e == expected, "got \(e); expected \(expected)")
    }
}

/// Like ``expectFailure(_:_:)`` for errors compared by a predicate.
func expectFailure(_ what: String, _ matches: (DistributedImplicitError) -> Bool, _ body: () throws -> Void) throws {
    do {
        try body()
        throw Expectation(description: "no error; expected \(what)")
    } catch let e as DistributedImplicitError {
        try expect(matches(e), "got \(e); expected \(what)")
    }
}

/// The Bratu solution at `bratuX` on an `n × n` grid, solved once by SNES.
func spoiledFunction(_ spoil: SpoiledOnLastRank.Spoil, n: Int = 8) throws
    -> DistributedImplicitFunction<SpoiledOnLastRank>
{
    let problem = try BratuProblem(n: n)
    let u = try problem.solve(bratuX)
    return DistributedImplicitFunction(grid: problem.grid, conditions: SpoiledOnLastRank(spoil: spoil)) { _ in u }
}

func failureTests() -> [TestCase] { [
    TestCase(name: "a non-finite residual on the last rank only is the same nonFiniteResidual on every rank") {
        let f = try spoiledFunction(.nan)
        try expectFailure(.nonFiniteResidual) { _ = try f.linearize(at: bratuX) }
    },
    TestCase(name: "a missing residual row on the last rank only is the same wrongResidualCount on every rank") {
        let f = try spoiledFunction(.missingRow)
        try expectFailure(.wrongResidualCount) { _ = try f.linearize(at: bratuX) }
    },
    TestCase(name: "a stencil wider than the ghosts on the last rank only is stencilOutsideGhosts on every rank") {
        let f = try spoiledFunction(.wideStencil)
        try expectFailure(.stencilOutsideGhosts(stencilWidth: 1)) { _ = try f.linearize(at: bratuX) }
    },
    TestCase(name: "a forward solver that throws on the last rank only is forwardSolverFailed on every rank") {
        let problem = try BratuProblem(n: 8)
        let f = DistributedImplicitFunction(grid: problem.grid, conditions: problem.conditions) { _ in
            let v = try problem.grid.makeGlobalVector()
            if PETSc.rank == PETSc.size - 1 { throw Expectation(description: "solver gave up") }
            return v
        }
        try expectFailure("forwardSolverFailed", { if case .forwardSolverFailed = $0 { true } else { false } }) {
            _ = try f.linearize(at: bratuX)
        }
    },
    TestCase(name: "a solution whose layout is not the grid's on the last rank is forwardSolverFailed on every rank") {
        let problem = try BratuProblem(n: 8)
        let owned = problem.grid.ownedBox.count
        let last = PETSc.rank == PETSc.size - 1
        let f = DistributedImplicitFunction(grid: problem.grid, conditions: problem.conditions) { _ in
            try DistributedVector(localCount: last ? owned + 1 : owned)
        }
        try expectFailure("forwardSolverFailed(layout)", {
            if case let .forwardSolverFailed(s) = $0 { last ? s.contains("layout") : true } else { false }
        }) { _ = try f.linearize(at: bratuX) }
    },
    TestCase(name: "a SNES that does not converge is forwardSolverFailed on every rank") {
        try PETSc.setOption("-t_snes_snes_max_it", "1")
        defer { try? PETSc.clearOption("-t_snes_snes_max_it") }
        let problem = try BratuProblem(n: 8, snesPrefix: "t_snes_")
        try expectFailure("forwardSolverFailed(SNES DIVERGED_MAX_IT)", {
            if case let .forwardSolverFailed(s) = $0 { s.contains("DIVERGED_MAX_IT") } else { false }
        }) { _ = try problem.implicitFunction().linearize(at: bratuX) }
    },
    TestCase(name: "a point that is not a solution is refused by the global residual check on every rank") {
        let problem = try BratuProblem(n: 8)
        let f = DistributedImplicitFunction(grid: problem.grid, conditions: problem.conditions) { _ in
            try problem.grid.makeGlobalVector()
        }
        try expectFailure("residualTooLarge", { if case .residualTooLarge = $0 { true } else { false } }) {
            _ = try f.linearize(at: bratuX)
        }
    },
    TestCase(name: "shell: a diverged KSP in the derivative is linearSolveFailed(DIVERGED_ITS) on every rank") {
        try PETSc.setOption("-t_div_ksp_max_it", "1")
        defer { try? PETSc.clearOption("-t_div_ksp_max_it") }
        let problem = try BratuProblem(n: 12)
        var f = problem.implicitFunction()
        f.options.representation = .shell
        f.options.optionsPrefix = "t_div_"
        let lin = try f.linearize(at: bratuX)
        try expectFailure("linearSolveFailed(DIVERGED_ITS)", {
            if case let .linearSolveFailed(.kspNotConverged(reason, _, _)) = $0 { reason == "DIVERGED_ITS" } else { false }
        }) { _ = try lin.vjp(cotangent: try problem.objectiveGradient(lin.solution)) }
        try expectFailure("linearSolveFailed(DIVERGED_ITS)", {
            if case .linearSolveFailed = $0 { true } else { false }
        }) { _ = try lin.jvp(tangent: [1, 0, 0]) }
    },
    TestCase(name: "a parameter that differs on the last rank is invalidParameters on every rank before the solver runs (one rank: accepted)") {
        let problem = try BratuProblem(n: 6)
        var solverRan = false
        let f = DistributedImplicitFunction(grid: problem.grid, conditions: problem.conditions) { x in
            solverRan = true
            return try problem.solve(x)
        }
        var x = bratuX
        if PETSc.rank == PETSc.size - 1 { x[1] += 1e-9 }
        if PETSc.size == 1 {
            _ = try f.linearize(at: x)
            return try expect(solverRan, "the solver did not run")
        }
        try expectFailure("invalidParameters", { if case .invalidParameters = $0 { true } else { false } }) {
            _ = try f.linearize(at: x)
        }
        try expect(!solverRan, "the solver ran")
    },
    TestCase(name: "a NaN parameter on every rank is invalidParameters before the solver runs") {
        let problem = try BratuProblem(n: 6)
        let f = problem.implicitFunction()
        try expectFailure("invalidParameters", { if case .invalidParameters = $0 { true } else { false } }) {
            _ = try f.linearize(at: [1, .nan, 1])
        }
    },
] }
