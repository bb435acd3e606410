import CPETSc
import DistributedExamples
import DistributedImplicit
import Foundation
import PETScKit

/// The `PC` a KSP applies.
func preconditionerHandle(of ksp: KrylovSolve) throws -> PC {
    var pc: PC?
    try expect(KSPGetPC(ksp.handle, &pc) == 0 && pc != nil, "KSPGetPC failed")
    return pc!
}

/// JVP, VJP and Jacobian of two linearizations at the same point, each to `1e-10` relative.
func expectSameDerivatives(_ a: DistributedImplicitLinearization, _ b: DistributedImplicitLinearization,
                           grid: StructuredGrid) throws {
    let tangent = [0.3, -0.7, 1.1]
    let ja = try grid.naturalEntries(try a.jvp(tangent: tangent))
    let jb = try grid.naturalEntries(try b.jvp(tangent: tangent))
    try expect(relativeError(ja, jb) <= 1e-10, "JVP: \(relativeError(ja, jb))")
    let ybar = try grid.globalVector(natural: (0..<grid.count).map { cos(0.7 * Double($0)) })
    let va = try a.vjp(cotangent: ybar), vb = try b.vjp(cotangent: ybar)
    try expect(relativeError(va, vb) <= 1e-10, "VJP: \(relativeError(va, vb)): \(va) vs \(vb)")
    let ca = try a.jacobian(), cb = try b.jacobian()
    for k in ca.indices {
        let e = relativeError(try grid.naturalEntries(ca[k]), try grid.naturalEntries(cb[k]))
        try expect(e <= 1e-10, "Jacobian column \(k): \(e)")
    }
}

/// The derivative with the SNES's own preconditioner (options `-t_fwd_…`
/// for the forward) against the one that builds its own, and against the
/// single-process library's; the KSP must apply the SNES's `PC` object itself.
func compareReuse(n: Int, representation: DistributedRepresentation, forwardOptions: [String: String],
                  kind: String) throws {
    for (k, v) in forwardOptions { try PETSc.setOption(k, v) }
    defer { for k in forwardOptions.keys { try? PETSc.clearOption(k) } }
    let problem = try BratuProblem(n: n, snesPrefix: "t_fwd_")
    var own = problem.implicitFunction()
    own.options.representation = representation
    own.options.relativeTolerance = 1e-13
    let reference = try own.linearize(at: bratuX)
    var f = problem.implicitFunction(reusingForwardPreconditioner: true)
    f.options.representation = representation
    f.options.relativeTolerance = 1e-13
    let lin = try f.linearize(at: bratuX)
    let snesPC = try problem.forwardPreconditioner().handle
    try expect(lin.krylov.reusedPreconditioner?.handle == snesPC, "the KSP did not keep the SNES's PC")
    try expect(try preconditionerHandle(of: lin.krylov) == snesPC, "the KSP applies another PC than the SNES's")
    try expect(lin.krylov.kind == kind, "KSP \(lin.krylov.kind), expected \(kind)")
    try expect(lin.plan.contains("PC reused"), lin.plan)
    try expectSameDerivatives(lin, reference, grid: problem.grid)
    try expectMatchesSingleProcess(lin, conditions: BratuGridConditions(), grid: problem.grid)
}

/// A preconditioner (Jacobi) set up on a diagonal matrix with `localRows`
/// rows and columns on this rank.
func diagonalPreconditioner(localRows: Int) throws -> ReusablePreconditioner {
    let a = try AssembledMatrix(localRows: localRows, localColumns: localRows, diagonalNonzeros: 1,
                                offDiagonalNonzeros: 0)
    for i in a.ownedRows { try a.add(row: i, columns: [i], values: [2]) }
    try a.assemble()
    let ksp = try KrylovSolve(operator_: a, optionsPrefix: "t_diag_", defaultPreconditioner: "jacobi")
    return try ReusablePreconditioner(retaining: try preconditionerHandle(of: ksp), owner: ksp)
}

func reuseTests() -> [TestCase] { [
    TestCase(name: "reused SNES preconditioner (GAMG): assembled derivatives equal the ones with a new GAMG and the single-process library's") {
        try compareReuse(n: 16, representation: .assembled, forwardOptions: ["-t_fwd_pc_type": "gamg"],
                         kind: "cg + gamg")
    },
    TestCase(name: "reused SNES preconditioner (PETSc's default, ILU / block Jacobi): assembled derivatives equal the ones without") {
        try compareReuse(n: 12, representation: .assembled, forwardOptions: [:],
                         kind: PETSc.size == 1 ? "cg + ilu" : "cg + bjacobi")
    },
    TestCase(name: "reused SNES preconditioner (GAMG): shell derivatives equal the unpreconditioned shell's in fewer CG iterations") {
        try compareReuse(n: 16, representation: .shell, forwardOptions: ["-t_fwd_pc_type": "gamg"],
                         kind: "cg + gamg")
        try PETSc.setOption("-t_fwd_pc_type", "gamg")
        defer { try? PETSc.clearOption("-t_fwd_pc_type") }
        let problem = try BratuProblem(n: 24, snesPrefix: "t_fwd_")
        var plain = problem.implicitFunction()
        plain.options.representation = .shell
        var reused = problem.implicitFunction(reusingForwardPreconditioner: true)
        reused.options.representation = .shell
        let a = try plain.linearize(at: bratuX), b = try reused.linearize(at: bratuX)
        let ybar = try problem.objectiveGradient(a.solution)
        _ = try a.vjp(cotangent: ybar)
        _ = try b.vjp(cotangent: ybar)
        try expect(b.krylov.iterations * 3 < a.krylov.iterations,
                   "CG iterations: \(b.krylov.iterations) with the SNES's GAMG, \(a.krylov.iterations) without")
    },
    TestCase(name: "a preconditioner from the forward solve at another x (same layout) still gives the derivative at this x") {
        try PETSc.setOption("-t_fwd_pc_type", "gamg")
        defer { try? PETSc.clearOption("-t_fwd_pc_type") }
        let problem = try BratuProblem(n: 16, snesPrefix: "t_fwd_")
        let u = try problem.solve(bratuX)
        let elsewhere = try BratuProblem(n: 16, snesPrefix: "t_fwd_")
        elsewhere.keepsPreconditioner = true
        _ = try elsewhere.solve([2, 0.5, -1])
        let stale = try elsewhere.forwardPreconditioner()
        var f = DistributedImplicitFunction(grid: problem.grid, conditions: problem.conditions) { _ in u }
        f.options.symmetricPositiveDefinite = true
        f.options.relativeTolerance = 1e-13
        for representation in [DistributedRepresentation.assembled, .shell] {
            f.options.representation = representation
            f.forwardPreconditioner = { stale }
            let lin = try f.linearize(at: bratuX)
            try expect(lin.krylov.reusedPreconditioner?.handle == stale.handle, "\(representation): PC not reused")
            f.forwardPreconditioner = nil
            try expectSameDerivatives(lin, try f.linearize(at: bratuX), grid: problem.grid)
        }
    },
    TestCase(name: "a SNES that solves again after sharing its preconditioner does not change the derivative's operator, both representations") {
        try PETSc.setOption("-t_fwd_pc_type", "gamg")
        defer { try? PETSc.clearOption("-t_fwd_pc_type") }
        let problem = try BratuProblem(n: 16)
        var parameters = bratuX
        let snes = try NonlinearSolve(grid: problem.grid, optionsPrefix: "t_fwd_", relativeTolerance: 1e-12,
                                      absoluteTolerance: 1e-14) { u, f in
            try problem.residual(x: parameters, u: u, into: f)
        }
        let u = try problem.grid.makeGlobalVector()
        try snes.solve(u)
        var f = DistributedImplicitFunction(grid: problem.grid, conditions: problem.conditions) { _ in u }
        f.options.symmetricPositiveDefinite = true
        f.options.relativeTolerance = 1e-13
        for representation in [DistributedRepresentation.assembled, .shell] {
            f.options.representation = representation
            f.forwardPreconditioner = { try snes.preconditioner() }
            let lin = try f.linearize(at: bratuX)
            // The SNES solves at another x: the PC is set up again on its new Jacobian, which
            // PETSc also makes the PC's (so the KSP's) operator until our next solve resets it.
            parameters = [2, 0.5, -1]
            try snes.solve(try problem.grid.makeGlobalVector())
            parameters = bratuX
            f.forwardPreconditioner = nil
            try expectSameDerivatives(lin, try f.linearize(at: bratuX), grid: problem.grid)
            var amat: Mat?
            try expect(KSPGetOperators(lin.krylov.handle, &amat, nil) == 0
                       && amat == lin.krylov.operator_.handle, "\(representation): the KSP's operator is not A")
        }
    },
    TestCase(name: "a preconditioner of another grid size is incompatiblePreconditioner on every rank, both representations") {
        let other = try BratuProblem(n: 10)
        other.keepsPreconditioner = true
        _ = try other.solve(bratuX)
        let problem = try BratuProblem(n: 12)
        var f = problem.implicitFunction()
        f.forwardPreconditioner = { try other.forwardPreconditioner() }
        for representation in [DistributedRepresentation.assembled, .shell] {
            f.options.representation = representation
            try expectFailure("incompatiblePreconditioner", {
                if case .incompatiblePreconditioner = $0 { true } else { false }
            }) { _ = try f.linearize(at: bratuX) }
        }
        f.forwardPreconditioner = nil
        _ = try f.linearize(at: bratuX)
    },
    TestCase(name: "a preconditioner whose layout differs on the last rank only is incompatiblePreconditioner on every rank; one that fits is applied as built") {
        let problem = try BratuProblem(n: 12)
        let owned = problem.grid.ownedBox.count
        let wrong = try diagonalPreconditioner(localRows: owned + (PETSc.rank == PETSc.size - 1 ? 1 : 0))
        var f = problem.implicitFunction()
        f.options.representation = .assembled
        f.options.relativeTolerance = 1e-13
        f.forwardPreconditioner = { wrong }
        try expectFailure("incompatiblePreconditioner", {
            if case .incompatiblePreconditioner = $0 { true } else { false }
        }) { _ = try f.linearize(at: bratuX) }
        let right = try diagonalPreconditioner(localRows: owned)
        f.forwardPreconditioner = { right }
        let lin = try f.linearize(at: bratuX)
        try expect(lin.krylov.kind == "cg + jacobi" && lin.krylov.reusedPreconditioner?.handle == right.handle,
                   lin.plan)
        f.forwardPreconditioner = nil
        let reference = try f.linearize(at: bratuX)
        try expectSameDerivatives(lin, reference, grid: problem.grid)
        // Not set up again from A: the PC still divides by the diagonal it was built from (2), not by A's.
        let ones = try problem.grid.makeGlobalVector(), out = try problem.grid.makeGlobalVector()
        try ones.fill(1)
        try expect(PCApply(try preconditionerHandle(of: lin.krylov), ones.handle, out.handle) == 0, "PCApply")
        let applied = try out.localEntries()
        try expect(applied.allSatisfy { $0 == 0.5 }, "the PC was rebuilt: \(applied.prefix(3))")
    },
    TestCase(name: "no preconditioner to reuse (no forward solve yet, or a source that throws on the last rank only) is incompatiblePreconditioner on every rank") {
        let never = try BratuProblem(n: 8)
        let problem = try BratuProblem(n: 8)
        problem.keepsPreconditioner = true
        var f = problem.implicitFunction()
        f.forwardPreconditioner = { try never.forwardPreconditioner() }
        try expectFailure("incompatiblePreconditioner", {
            if case let .incompatiblePreconditioner(why) = $0 { why.contains("no forward solve") } else { false }
        }) { _ = try f.linearize(at: bratuX) }
        f.forwardPreconditioner = {
            if PETSc.rank == PETSc.size - 1 { throw PETScError.preconditionerUnavailable("test: last rank") }
            return try problem.forwardPreconditioner()
        }
        try expectFailure("incompatiblePreconditioner", {
            if case .incompatiblePreconditioner = $0 { true } else { false }
        }) { _ = try f.linearize(at: bratuX) }
        var pc: PC?
        try expect(PCCreate(cpetsc_comm_world(), &pc) == 0, "PCCreate")
        defer { PCDestroy(&pc) }
        do {
            _ = try ReusablePreconditioner(retaining: pc!, owner: nil)
            throw Expectation(description: "a PC without operators was accepted")
        } catch PETScError.preconditionerUnavailable {}
    },
] }
