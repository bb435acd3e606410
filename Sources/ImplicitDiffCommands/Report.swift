import Foundation
import ImplicitDifferentiation
import ImplicitExamples

/// Text output of `run`: one block per example and a summary table.
enum Report {
    static func ms(_ seconds: Double?) -> String {
        guard let s = seconds else { return "—" }
        return s >= 1 ? String(format: "%.2f s", s) : String(format: "%.1f ms", s * 1e3)
    }

    static func time(_ d: Duration) -> String {
        ms(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }

    static func sci(_ x: Double?) -> String {
        guard let x else { return "—" }
        return shortNumber(x)
    }

    static func lines(_ r: ExampleRun, verbose: Bool) -> [String] {
        var out = ["== \(r.example): \(r.title)",
                   "size \(r.size): m = \(r.unknowns) unknowns, n = \(r.inputs) inputs, k = \(r.equations) conditions"]
        if let rep = r.representation, let solver = r.solver {
            out.append("plan: \(rep) + \(solver) — \(r.reason ?? "")")
        }
        if let note = r.note { out.append("note: \(note)") }
        if r.forwardSeconds != nil {
            var line = "forward solve: \(ms(r.forwardSeconds))"
            if let res = r.forwardResidual {
                line += ", residual ‖F(x, y)‖ = \(sci(res))"
                if let b = r.residualBound { line += " (bound \(sci(b)))" }
            }
            out.append(line)
        }
        for f in r.facts { out.append("  \(f)") }
        if let l = r.linearizeSeconds { out.append("linearize: \(ms(l))") }
        for d in r.derivatives {
            let mode = d.mode.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
            if let why = d.skipped {
                out.append("\(mode) skipped: \(why)")
                continue
            }
            out.append("\(mode) \(d.quantity)")
            out.append("          error \(sci(d.relativeError)) vs \(d.reference.rawValue) (tolerance "
                       + "\(sci(d.tolerance))) \(d.passed ? "ok" : "FAILED"), \(ms(d.seconds))")
            if let k = d.krylov {
                var line = "          Krylov: \(k.description)"
                if d.krylovIterations != k.iterations { line += " (last solve; \(d.krylovIterations) iterations in all)" }
                out.append(line)
                if verbose, let h = k.history {
                    out.append("          residual history: " + h.map { sci($0) }.joined(separator: " "))
                }
            }
        }
        if let f = r.failure { out.append("FAILED: \(f)") }
        if r.forwardSeconds != nil, let d = r.derivativeSeconds {
            out.append("time: forward \(ms(r.forwardSeconds)), derivatives \(ms(d)) (linearize + products, "
                       + "references excluded)")
        }
        if verbose, let report = r.report {
            out.append("library report:")
            out.append(contentsOf: report.split(separator: "\n").map { "  \($0)" })
        }
        out.append("result: \(r.passed ? "PASS" : "FAIL")")
        out.append("")
        return out
    }

    static func table(_ runs: [ExampleRun]) -> [String] {
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: Swift.max(n, s.count), withPad: " ", startingAt: 0) }
        func left(_ s: String, _ n: Int) -> String { String(repeating: " ", count: Swift.max(0, n - s.count)) + s }
        var out = [pad("example", 12) + left("size", 7) + left("m", 9) + "  " + pad("plan", 26)
                   + left("forward", 10) + left("derivative", 12) + left("Krylov it", 10) + left("worst error", 13)
                   + "  result"]
        for r in runs {
            let plan = r.representation.map { "\($0) + \((r.solver ?? "").split(separator: "(").first ?? "")" } ?? "—"
            out.append(pad(r.example, 12) + left("\(r.size)", 7) + left("\(r.unknowns)", 9) + "  " + pad(plan, 26)
                       + left(ms(r.forwardSeconds), 10) + left(ms(r.derivativeSeconds), 12)
                       + left("\(r.krylovIterations)", 10) + left(sci(r.worstError), 13)
                       + "  " + (r.passed ? "PASS" : "FAIL"))
        }
        return out
    }
}
