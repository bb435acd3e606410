import Testing
import Optimality
import TestSupport

/// The four scalars every helper must work on, and their Jacobians of a
/// generic function: `Dual` (one JVP per column), `DualN<8>` (forward),
/// the tape (reverse); `Double` gives the value they must all carry.
enum ScalarChecks {
    /// `[(scalar name, value, Jacobian)]` for Dual, DualN and the tape.
    static func jacobians<F: DifferentiableFunction>(_ f: F, at x: [Double]) -> [(String, [Double], Matrix)] {
        let value: [Double] = f(x)
        var dual = Matrix(rows: value.count, columns: x.count)
        var dualValue = value
        for j in x.indices {
            var e = [Double](repeating: 0, count: x.count)
            e[j] = 1
            let (v, t) = AD.jvp(of: f, at: x, tangent: e)
            dual.setColumn(j, to: t)
            dualValue = v
        }
        let lin = AD.linearize(f, at: x)
        return [("Dual", dualValue, dual),
                ("DualN", value, AD.jacobian(of: f, at: x, mode: .forward)),
                ("tape", lin.value, lin.jacobian())]
    }

    /// Expects the value on `Double` to be `value` (when given) and the Jacobian on
    /// every scalar to be `reference`, each within `tolerance` (relative, Frobenius).
    static func expect<F: DifferentiableFunction>(_ f: F, at x: [Double], value expected: [Double]? = nil,
                                                  jacobian reference: Matrix, tolerance: Double,
                                                  sourceLocation: SourceLocation = #_sourceLocation) {
        let value: [Double] = f(x)
        if let expected {
            #expect(Approximate.relativeError(value, expected) <= tolerance, "value \(value) vs \(expected)",
                    sourceLocation: sourceLocation)
        }
        for (name, v, j) in jacobians(f, at: x) {
            #expect(v == value, "\(name) carries another value", sourceLocation: sourceLocation)
            let error = Approximate.relativeError(j, reference)
            #expect(error <= tolerance, "\(name): Jacobian relative error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Central finite differences of `f` on `Double`.
    static func finiteDifferences<F: DifferentiableFunction>(_ f: F, at x: [Double]) -> Matrix {
        FiniteDifferences.jacobian(of: { (v: [Double]) -> [Double] in f(v) }, at: x)
    }
}
