import Testing
import ImplicitDifferentiation
import TestSupport

/// The three ways to give conditions — generic, hand-written, finite
/// differences — on the reference scenario without byproduct (z = 2, a = 1).
@Suite struct ConditionFormsTests {
    let x = Reference.x
    var exact: Matrix { Reference.jacobian(x, a: 1) }
    static let solver: @Sendable ([Double]) -> [Double] = { Reference.solve($0, 1).y }

    /// F(x, y) = reverse(y∘y) − [x + 2; x]; B = −[I; I], A = antidiag(2y).
    static func value(_ x: [Double], _ y: [Double]) -> [Double] {
        zip(y.reversed().map { $0 * $0 }, x.map { $0 + 2 } + x).map { $0 - $1 }
    }

    @Test func handwrittenProducts() throws {
        let conditions = HandwrittenConditions(
            value: Self.value,
            jvp: { x, y, dx, dy in
                var out = [Double](repeating: 0, count: 6)
                if let dy { for i in 0..<6 { out[i] += 2 * y[5 - i] * dy[5 - i] } }
                if let dx { for i in 0..<3 { out[i] -= dx[i]; out[3 + i] -= dx[i] } }
                return out
            },
            vjp: { x, y, u in
                let ybar = (0..<6).map { j in 2 * y[j] * u[5 - j] }
                let xbar = (0..<3).map { i in -u[i] - u[3 + i] }
                return (xbar, ybar)
            })
        for (solver, rep) in [(LinearSolver.automatic, Representation.automatic),
                              (.gmres(options: tightKrylov), .operator)] {
            let f = ImplicitFunction(solver: Self.solver, conditions: conditions, linearSolver: solver,
                                     representation: rep)
            let lin = try f.linearize(at: x)
            #expect(lin.report.differentiation == "hand-written products")
            #expect(Approximate.relativeError(try lin.jacobian(), exact) <= 1e-10)
        }
    }

    @Test func handwrittenMatricesChooseTheMatrixPath() throws {
        let conditions = HandwrittenConditions(
            value: Self.value,
            jacobians: { x, y in
                var a = Matrix(rows: 6, columns: 6), b = Matrix(rows: 6, columns: 3)
                for i in 0..<6 { a[i, 5 - i] = 2 * y[5 - i] }
                for i in 0..<3 { b[i, i] = -1; b[3 + i, i] = -1 }
                return (b, a)
            })
        var f = ImplicitFunction(solver: Self.solver, conditions: conditions)
        f.options.matrixThreshold = 0   // would pick .operator, but A is given as a matrix
        let lin = try f.linearize(at: x)
        #expect(lin.plan.representation == .matrix)
        #expect(Approximate.relativeError(try lin.jacobian(), exact) <= 1e-12)
    }

    @Test func finiteDifferencesOnlyWhenAsked() throws {
        let f = ImplicitFunction(solver: Self.solver, conditions: FiniteDifferenceConditions(Self.value))
        let lin = try f.linearize(at: x)
        #expect(lin.report.differentiation == "central finite differences")
        #expect(Approximate.relativeError(try lin.jacobian(), exact) <= 1e-6)
        var rng = SeededRandom(seed: 2)
        let ybar = rng.vector(6)
        #expect(Approximate.relativeError(try lin.vjp(ybar), exact.transposedTimes(ybar)) <= 1e-6)
    }

    @Test func genericConditionsUseAutomaticDifferentiation() throws {
        struct Plain: ImplicitConditions {
            func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
                zip(y.reversed().map { $0 * $0 }, x.map { $0 + T(2) } + x).map { $0 - $1 }
            }
        }
        let lin = try ImplicitFunction(solver: Self.solver, conditions: Plain()).linearize(at: x)
        #expect(lin.report.differentiation == "automatic differentiation")
        #expect(Approximate.relativeError(try lin.jacobian(), exact) <= 1e-12)
    }
}

@Suite struct BlockLayoutTests {
    @Test func packUnpackAndBlocks() throws {
        let layout = BlockLayout(["weights": 3, "bias": 2])
        #expect(layout.count == 5)
        #expect(layout.range(of: "bias") == 3..<5)
        let flat = try layout.pack(["weights": [1.0, 2, 3], "bias": [4.0, 5]])
        #expect(flat == [1, 2, 3, 4, 5])
        #expect(layout.block("bias", of: flat) == [4, 5])
        #expect(try layout.unpack(flat)["weights"] == [1, 2, 3])
        #expect(layout.description == "weights[3], bias[2]")
    }

    /// Two named inputs (scale s, shift t) and the output y = √(s·t + t):
    /// conditions y² − s·t − t, read through the layout in generic code.
    @Test func namedBlocksInsideConditions() throws {
        struct Conditions: ImplicitConditions {
            let layout = BlockLayout(["s": 2, "t": 2])
            func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
                let s = layout.block("s", of: x), t = layout.block("t", of: x)
                return (0..<2).map { i in y[i] * y[i] - s[i] * t[i] - t[i] }
            }
        }
        let layout = BlockLayout(["s": 2, "t": 2])
        let f = ImplicitFunction(solver: { x in
            let s = layout.block("s", of: x), t = layout.block("t", of: x)
            return (0..<2).map { (s[$0] * t[$0] + t[$0]).squareRoot() }
        }, conditions: Conditions())
        let x = try layout.pack(["s": [1.0, 2], "t": [3.0, 0.5]])
        let j = try f.jacobian(at: x)
        // ∂y_i/∂s_i = t_i/(2y_i), ∂y_i/∂t_i = (s_i + 1)/(2y_i)
        let y = try f(x)
        let ds = layout.range(of: "s").lowerBound, dt = layout.range(of: "t").lowerBound
        for i in 0..<2 {
            #expect(abs(j[i, ds + i] - [3.0, 0.5][i] / (2 * y[i])) <= 1e-12)
            #expect(abs(j[i, dt + i] - ([1.0, 2][i] + 1) / (2 * y[i])) <= 1e-12)
        }
    }
}
