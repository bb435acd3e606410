import AutoDiff
import DistributedExamples
import DistributedImplicit
import Foundation
import PETScKit

/// `diag(A)` of a shell linearization (PETSc's `MatGetDiagonal` through the
/// shell's coloured sweeps) against the assembled `A`'s, exactly: both are
/// the same partials of the same recording.
func expectSameDiagonal(shell: DistributedImplicitLinearization, assembled: DistributedImplicitLinearization,
                        label: String) throws {
    try expect(shell.representation == .shell && assembled.representation == .assembled,
               "\(label): \(shell.representation), \(assembled.representation)")
    let ds = try shell.solution.duplicate(), da = try shell.solution.duplicate()
    try shell.krylov.operator_.diagonal(into: ds)
    try assembled.krylov.operator_.diagonal(into: da)
    let s = try ds.localEntries(), a = try da.localEntries()
    try expect(a.allSatisfy { $0 != 0 }, "\(label): the assembled diagonal has a zero")
    try expect(relativeError(s, a) <= 1e-15, "\(label): shell diagonal vs assembled \(relativeError(s, a))")
}

func shellPreconditionerTests() -> [TestCase] { [
    TestCase(name: "shell: diag(A) from coloured sweeps equals the assembled A's (5-point Bratu, a dense row, two species dof 2, 27-point three species dof 3)") {
        let problem = try BratuProblem(n: 24)
        var f = problem.implicitFunction()
        f.options.representation = .shell
        let s = try f.linearize(at: bratuX)
        f.options.representation = .assembled
        try expectSameDiagonal(shell: s, assembled: try f.linearize(at: bratuX), label: "Bratu")
        var dense = try sameSolution(BratuWithDenseRow(), n: 24)
        dense.options.representation = .shell
        let ds = try dense.linearize(at: bratuX)
        dense.options.representation = .assembled
        try expectSameDiagonal(shell: ds, assembled: try dense.linearize(at: bratuX), label: "dense row")
        let grid2 = try StructuredGrid(nx: 9, ny: 8, dof: 2)
        let u2 = try snesSolution(TwoSpecies(), on: grid2)
        try expectSameDiagonal(
            shell: try linearize(TwoSpecies(), on: grid2, solution: u2, representation: .shell, symmetric: false),
            assembled: try linearize(TwoSpecies(), on: grid2, solution: u2, representation: .assembled, symmetric: false),
            label: "two species")
        let grid3 = try StructuredGrid(nx: 4, ny: 4, nz: 3, dof: 3, box: true)
        let u3 = try snesSolution(ThreeSpeciesBox(), on: grid3)
        try expectSameDiagonal(
            shell: try linearize(ThreeSpeciesBox(), on: grid3, solution: u3, representation: .shell, symmetric: false),
            assembled: try linearize(ThreeSpeciesBox(), on: grid3, solution: u3, representation: .assembled,
                                     symmetric: false),
            label: "three species")
    },
    TestCase(name: "shell: Jacobi is the default PC (CG + Jacobi, GMRES + Jacobi) and -implicit_pc_type none still wins; the derivatives agree to 1e-10") {
        let problem = try BratuProblem(n: 16)
        var f = problem.implicitFunction()
        f.options.representation = .shell
        f.options.relativeTolerance = 1e-13
        let jacobi = try f.linearize(at: bratuX)
        try expect(jacobi.krylov.kind == "cg + jacobi", "default \(jacobi.krylov.kind)")
        f.options.symmetricPositiveDefinite = false
        let gmres = try f.linearize(at: bratuX)
        try expect(gmres.krylov.kind == "gmres + jacobi", "default, not SPD: \(gmres.krylov.kind)")
        f.options.symmetricPositiveDefinite = true
        try PETSc.setOption("-t_spc_pc_type", "none")
        defer { try? PETSc.clearOption("-t_spc_pc_type") }
        f.options.optionsPrefix = "t_spc_"
        let none = try f.linearize(at: bratuX)
        try expect(none.krylov.kind == "cg + none", "with -t_spc_pc_type none: \(none.krylov.kind)")
        let grid = problem.grid
        let ybar = try grid.globalVector(natural: (0..<grid.count).map { cos(0.7 * Double($0)) })
        let tangent = [0.4, -0.9, 1.3]
        let reference = try grid.naturalEntries(try none.jvp(tangent: tangent))
        let vReference = try none.vjp(cotangent: ybar)
        for lin in [jacobi, gmres] {
            let jvp = try grid.naturalEntries(try lin.jvp(tangent: tangent))
            try expect(relativeError(jvp, reference) <= 1e-10, "\(lin.krylov.kind) JVP \(relativeError(jvp, reference))")
            let vjp = try lin.vjp(cotangent: ybar)
            try expect(relativeError(vjp, vReference) <= 1e-10, "\(lin.krylov.kind) VJP \(relativeError(vjp, vReference))")
        }
    },
    TestCase(name: "shell: on a coefficient field spanning 10⁻² … 10² (16 × 16) Jacobi cuts CG's iterations by at least a third, same VJP") {
        let grid = try StructuredGrid(nx: 16, ny: 16)
        let parameterGrid = try StructuredGrid(nx: 16, ny: 16, dof: 2)
        var natural: [Double] = []
        for p in 0..<grid.count { natural += [pow(10, 2 * sin(0.9 * Double(p))), 1] }
        let x = try parameterGrid.globalVector(natural: natural)
        let u = try fieldSolution(x, grid: grid, parameterGrid: parameterGrid)
        var f = DistributedFieldImplicitFunction(grid: grid, parameterGrid: parameterGrid,
                                                 conditions: VariableCoefficientBratu()) { _ in u }
        f.options.symmetricPositiveDefinite = true
        f.options.relativeTolerance = 1e-12
        f.options.representation = .shell
        let jacobi = try f.linearize(at: x)
        try PETSc.setOption("-t_spcf_pc_type", "none")
        defer { try? PETSc.clearOption("-t_spcf_pc_type") }
        f.options.optionsPrefix = "t_spcf_"
        let none = try f.linearize(at: x)
        try expect(jacobi.krylov.kind == "cg + jacobi" && none.krylov.kind == "cg + none",
                   "\(jacobi.krylov.kind), \(none.krylov.kind)")
        let ybar = try grid.globalVector(natural: (0..<grid.count).map { cos(Double($0)) })
        let vj = try parameterGrid.naturalEntries(try jacobi.vjp(cotangent: ybar))
        let vn = try parameterGrid.naturalEntries(try none.vjp(cotangent: ybar))
        let withJacobi = jacobi.krylov.iterations, without = none.krylov.iterations
        try expect(3 * withJacobi <= 2 * without, "CG iterations: \(withJacobi) with Jacobi, \(without) without")
        try expect(relativeError(vj, vn) <= 1e-8, "VJP with and without Jacobi \(relativeError(vj, vn))")
    },
] }
