import DistributedExamples
import DistributedImplicit
import Foundation
import ImplicitDifferentiation
import PETScKit

let bratuX = [1.0, 2.0, 1.0]

/// JVP, VJP and the parameter Jacobian of the distributed Bratu problem
/// against the single-process library's ImplicitFunction (dense LU) on the
/// same conditions evaluated on the whole grid.
///
/// - Parameters:
///   - kind: the KSP and PC expected to run.
///   - optionsPrefix: the KSP's options prefix (tests that set options use their own).
/// - Returns: the linearization, for further comparisons.
@discardableResult
func compareWithSingleProcess(n: Int, twoD: Bool, declareSymmetric: Bool = true,
                              representation: DistributedRepresentation, kind: String,
                              optionsPrefix: String = "implicit_") throws -> DistributedImplicitLinearization {
    let problem = try BratuProblem(n: n, twoD: twoD)
    let grid = problem.grid
    var f = problem.implicitFunction()
    f.options.relativeTolerance = 1e-13
    f.options.symmetricPositiveDefinite = declareSymmetric
    f.options.representation = representation
    f.options.optionsPrefix = optionsPrefix
    let lin = try f.linearize(at: bratuX)
    try expect(lin.representation == (representation == .shell ? .shell : .assembled), "ran \(lin.representation)")
    try expect(lin.krylov.kind == kind, "KSP \(lin.krylov.kind), expected \(kind)")
    try expectMatchesSingleProcess(lin, conditions: BratuGridConditions(), grid: grid)
    return lin
}

/// JVP, VJP and the parameter Jacobian of `lin` (linearized at `bratuX`)
/// against the single-process library's ImplicitFunction (dense LU) on
/// `conditions` evaluated on the whole grid, each to 1e-10 relative.
func expectMatchesSingleProcess<C: LocalGridConditions>(_ lin: DistributedImplicitLinearization, conditions: C,
                                                         grid: StructuredGrid) throws {
    try expectMatchSingleProcess([lin], conditions: conditions, grid: grid)
}

/// Like ``expectMatchesSingleProcess(_:conditions:grid:)`` for several
/// linearizations at the same solution (e.g. shell and assembled), against
/// one reference linearization (one dense LU).
func expectMatchSingleProcess<C: LocalGridConditions>(_ lins: [DistributedImplicitLinearization], conditions: C,
                                                       grid: StructuredGrid) throws {
    let u = try grid.naturalEntries(lins[0].solution)
    let reference = try ImplicitFunction(solver: { _ in u },
                                         conditions: WholeGridConditions(conditions, nx: grid.nx, ny: grid.ny,
                                                                         nz: grid.nz, dof: grid.dof),
                                         linearSolver: .lu).linearize(at: bratuX)
    let tangent = [0.3, -0.7, 1.1]
    let ybar = (0..<grid.unknownCount).map { cos(Double($0)) }
    let jvpRef = try reference.jvp(tangent)
    let vjpRef = try reference.vjp(ybar)
    let jacRef = try reference.jacobian()
    for lin in lins {
        let ran = "\(lin.representation)"
        try expect(try grid.naturalEntries(lin.solution) == u, "\(ran): another solution")
        let jvp = try grid.naturalEntries(try lin.jvp(tangent: tangent))
        try expect(relativeError(jvp, jvpRef) <= 1e-10, "\(ran): JVP relative error \(relativeError(jvp, jvpRef))")
        let vjp = try lin.vjp(cotangent: try grid.globalVector(natural: ybar))
        try expect(relativeError(vjp, vjpRef) <= 1e-10,
                   "\(ran): VJP relative error \(relativeError(vjp, vjpRef)): \(vjp) vs \(vjpRef)")
        let columns = try lin.jacobian()
        for k in 0..<3 {
            let col = try grid.naturalEntries(columns[k])
            try expect(relativeError(col, jacRef.column(k)) <= 1e-10,
                       "\(ran): Jacobian column \(k) relative error \(relativeError(col, jacRef.column(k)))")
        }
    }
}

func implicitTests() -> [TestCase] { [
    TestCase(name: "shell: JVP, VJP and Jacobian equal the single-process library's on a 5 × 5 grid") {
        try compareWithSingleProcess(n: 5, twoD: true, representation: .shell, kind: "cg + jacobi")
    },
    TestCase(name: "shell: JVP, VJP and Jacobian equal the single-process library's on a 12 × 12 grid") {
        try compareWithSingleProcess(n: 12, twoD: true, representation: .shell, kind: "cg + jacobi")
    },
    TestCase(name: "shell: JVP, VJP and Jacobian equal the single-process library's on a 12 × 12 grid with GMRES") {
        try compareWithSingleProcess(n: 12, twoD: true, declareSymmetric: false, representation: .shell,
                                     kind: "gmres + jacobi")
    },
    TestCase(name: "shell: JVP, VJP and Jacobian equal the single-process library's on a 1-D grid of 31 points") {
        try compareWithSingleProcess(n: 31, twoD: false, representation: .shell, kind: "cg + jacobi")
    },
    TestCase(name: "A v from tape sweeps equals the closed form κ L v − h² λ eᵘ∘v") {
        let problem = try BratuProblem(n: 10)
        let grid = problem.grid
        var f = problem.implicitFunction()
        f.options.representation = .shell
        let lin = try f.linearize(at: bratuX)
        let u = try grid.naturalEntries(lin.solution)
        let v = (0..<grid.count).map { sin(0.7 * Double($0)) }
        let av = try grid.makeGlobalVector()
        try lin.conditions.applyA(try grid.globalVector(natural: v), into: av)
        let got = try grid.naturalEntries(av)
        let h = 1 / Double(grid.nx + 1), nx = grid.nx, ny = grid.ny
        var want = [Double](repeating: 0, count: grid.count)
        for j in 0..<ny { for i in 0..<nx {
            let p = i + nx * j
            var lap = 4 * v[p]
            if i > 0 { lap -= v[p - 1] }
            if i < nx - 1 { lap -= v[p + 1] }
            if j > 0 { lap -= v[p - nx] }
            if j < ny - 1 { lap -= v[p + nx] }
            want[p] = bratuX[0] * lap - h * h * bratuX[1] * exp(u[p]) * v[p]
        } }
        try expect(relativeError(got, want) <= 1e-13, "relative error \(relativeError(got, want))")
    },
    TestCase(name: "the distributed products are adjoint: ⟨w, A v⟩ = ⟨Aᵀ w, v⟩ and ⟨w, B ẋ⟩ = ⟨Bᵀ w, ẋ⟩") {
        let problem = try BratuProblem(n: 11)
        let grid = problem.grid
        let lin = try problem.implicitFunction().linearize(at: bratuX)
        let v = try grid.globalVector(natural: (0..<grid.count).map { sin(0.3 * Double($0)) })
        let w = try grid.globalVector(natural: (0..<grid.count).map { cos(1.3 * Double($0)) })
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
    },
    TestCase(name: "dJ/dx equals central finite differences of the whole SNES solve on a 12 × 12 grid") {
        let run = try BratuDerivativeRun.run(size: 12)
        try expect(run.relativeError <= 1e-6, "gradient \(run.gradient) vs FD \(run.finiteDifferences): \(run.relativeError)")
        try expect(run.residualNorm <= 1e-10, "residual \(run.residualNorm)")
    },
] }
