// The 2-D Bratu example on PETSc: scripts/run-distributed -n 2 --size 200
// Options: --size N (grid N × N), --representation assembled|shell|automatic
// (default automatic), --no-fd (skip the finite-difference check), --reuse-pc
// (the derivative's KSP applies the SNES's last preconditioner), --again (time a
// second linearization at the same x with the local pattern kept), and any
// PETSc option (-snes_monitor, -implicit_ksp_type cg, -implicit_pc_type gamg, …).
import DistributedExamples
import DistributedImplicit
import Foundation
import PETScKit

var size = 64
var fdCheck = true
var reusePreconditioner = false
var linearizeAgain = false
var representation = DistributedRepresentation.automatic
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    if a == "--size", let v = args.next(), let n = Int(v), n >= 2 { size = n }
    if a == "--no-fd" { fdCheck = false }
    if a == "--reuse-pc" { reusePreconditioner = true }
    if a == "--again" { linearizeAgain = true }
    if a == "--representation", let v = args.next() {
        switch v {
        case "assembled": representation = .assembled
        case "shell": representation = .shell
        case "automatic": representation = .automatic
        default:
            FileHandle.standardError.write(Data("distributed-bratu: --representation assembled|shell|automatic\n".utf8))
            exit(2)
        }
    }
}

do {
    try PETSc.initialize()
} catch {
    FileHandle.standardError.write("distributed-bratu: \(error)\n".data(using: .utf8)!)
    exit(2)
}
var status: Int32 = 0
do {
    let r = try BratuDerivativeRun.run(size: size, representation: representation, finiteDifferenceCheck: fdCheck,
                                        reusePreconditioner: reusePreconditioner, linearizeAgain: linearizeAgain)
    if PETSc.rank == 0 {
        func f(_ v: Double) -> String { String(format: "%.12e", v) }
        func s(_ v: Double) -> String { String(format: "%.3f", v) }
        func mb(_ b: Int) -> String { String(format: "%.0f MB", Double(b) / 1e6) }
        let t = r.timings
        print("2-D Bratu on a \(size) × \(size) DMDA (\(size * size) unknowns), \(PETSc.size) rank(s), x = (κ, λ, s) = (1, 2, 1)")
        print("forward  SNES: \(r.newtonIterations) Newton steps, \(r.forwardLinearIterations) linear iterations, \(s(r.forwardSeconds)) s (\(s(r.newtonStepSeconds)) s per Newton step)")
        print("plan     \(r.representation): \(r.plan)")
        print("residual ‖F(x, y)‖₂ = \(f(r.residualNorm))")
        print("J(u)     = \(f(r.objective))")
        print("dJ/dx    = [\(r.gradient.map(f).joined(separator: ", "))]")
        if fdCheck {
            print("central FD of SNES = [\(r.finiteDifferences.map(f).joined(separator: ", "))]")
            print("relative error = \(String(format: "%.2e", r.relativeError))")
        }
        print("derivative \(s(r.derivativeSeconds)) s = \(s(r.derivativeSeconds / r.forwardSeconds)) × forward = \(s(r.derivativeSeconds / r.newtonStepSeconds)) Newton steps (recording + residual check \(s(t.recording)) s, pattern + stencil check \(s(t.stencilCheck)) s, assembly \(s(t.assembly)) s, KSP setup \(s(t.solverSetup)) s, adjoint solve + Bᵀw \(s(r.adjointSeconds)) s)")
        if let seconds = r.againSeconds, let a = r.againTimings {
            print("again    linearization + adjoint at the same x, pattern kept: \(s(seconds)) s = \(s(seconds / r.newtonStepSeconds)) Newton steps (recording + residual check \(s(a.recording)) s, pattern + stencil check \(s(a.stencilCheck)) s, assembly \(s(a.assembly)) s, KSP setup \(s(a.solverSetup)) s)")
        }
        print("memory   peak resident (VmHWM) \(mb(r.peakMemoryMax)) max over ranks, \(mb(r.peakMemorySum)) summed over \(PETSc.size) rank(s)")
    }
    if fdCheck && !(r.relativeError <= 1e-5) { status = 1 }
} catch {
    if PETSc.rank == 0 { print("distributed-bratu: \(error)") }
    status = 1
}
PETSc.finalize()
exit(status)
