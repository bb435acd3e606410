// The 2-D Bratu example on PETSc: scripts/run-distributed -n 2 --size 200
// Options: --size N (grid N × N), --no-fd (skip the finite-difference check),
// and any PETSc option (-snes_monitor, -implicit_ksp_type cg, -implicit_pc_type jacobi, …).
import DistributedExamples
import Foundation
import PETScKit

var size = 64
var fdCheck = true
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    if a == "--size", let v = args.next(), let n = Int(v), n >= 2 { size = n }
    if a == "--no-fd" { fdCheck = false }
}

do {
    try PETSc.initialize()
} catch {
    FileHandle.standardError.write("distributed-bratu: \(error)\n".data(using: .utf8)!)
    exit(2)
}
var status: Int32 = 0
do {
    let r = try BratuDerivativeRun.run(size: size, finiteDifferenceCheck: fdCheck)
    if PETSc.rank == 0 {
        func f(_ v: Double) -> String { String(format: "%.12e", v) }
        print("2-D Bratu on a \(size) × \(size) DMDA (\(size * size) unknowns), \(PETSc.size) rank(s), x = (κ, λ, s) = (1, 2, 1)")
        print("forward  SNES: \(r.newtonIterations) Newton steps, \(r.forwardLinearIterations) linear iterations, \(String(format: "%.3f", r.forwardSeconds)) s")
        print("plan     shell operator A (tape sweeps + ghost exchange), \(r.krylovSummary)")
        print("residual ‖F(x, y)‖₂ = \(f(r.residualNorm))")
        print("J(u)     = \(f(r.objective))")
        print("dJ/dx    = [\(r.gradient.map(f).joined(separator: ", "))]")
        if fdCheck {
            print("central FD of SNES = [\(r.finiteDifferences.map(f).joined(separator: ", "))]")
            print("relative error = \(String(format: "%.2e", r.relativeError))")
        }
        print("derivative \(String(format: "%.3f", r.derivativeSeconds)) s = \(String(format: "%.3f", r.derivativeSeconds / r.forwardSeconds)) × forward (recording, residual check, KSP setup: \(String(format: "%.3f", r.recordingSeconds)) s)")
    }
    if fdCheck && !(r.relativeError <= 1e-5) { status = 1 }
} catch {
    if PETSc.rank == 0 { print("distributed-bratu: \(error)") }
    status = 1
}
PETSc.finalize()
exit(status)
