import AutoDiff
import LinearAlgebra
import TestSupport
import Testing

/// g(a, b) = (a·b, sin a + b²), known to the AD layer only through `ExternalFunction`.
struct ExternalG: ExternalFunction {
    func value(_ x: [Double]) -> [Double] { [x[0] * x[1], Double.sin(x[0]) + x[1] * x[1]] }
    func jvp<T: DifferentiableScalar>(at x: [T], value y: [T], tangent dx: [T]) -> [T] {
        [x[1] * dx[0] + x[0] * dx[1], T.cos(x[0]) * dx[0] + T(2) * x[1] * dx[1]]
    }
    func vjp(at x: [Double], value y: [Double], cotangent u: [Double]) -> [Double] {
        [x[1] * u[0] + Double.cos(x[0]) * u[1], x[0] * u[0] + 2 * x[1] * u[1]]
    }
}

/// Code before and after an external call; `traced` runs g inline instead.
struct AroundExternal: DifferentiableFunction {
    var traced = false
    func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        let input = [-(x[0] + x[1]) * T(2), x[2] * x[2]]   // a scaled variable enters the custom node
        let z = traced ? [input[0] * input[1], T.sin(input[0]) + input[1] * input[1]]
                       : T.callExternal(ExternalG(), input)
        return [z[0] * x[0], T.exp(T(0.3) * z[1]) - x[1], z[1] / T(2)]
    }
}

@Suite("Tape: custom nodes, external functions, concurrency, second order")
struct TapeTests {
    let x = [0.4, -0.7, 1.1]

    @Test("an external function is one custom node; every mode matches tracing through it")
    func externalFunction() {
        let ext = AroundExternal(), tr = AroundExternal(traced: true)
        let reference = AD.jacobian(of: tr, at: x, mode: .forward)
        #expect(Approximate.relativeError(AD.jacobian(of: ext, at: x, mode: .reverse), reference) < 1e-13)
        #expect(Approximate.relativeError(AD.jacobian(of: ext, at: x, mode: .forward), reference) < 1e-13)
        let v = [0.3, -1.2, 0.8]
        let lin = AD.linearize(ext, at: x)
        #expect(lin.value == tr(x) || Approximate.relativeError(lin.value, tr(x)) < 1e-15)
        #expect(Approximate.relativeError(lin.jvp(v), AD.jvp(of: tr, at: x, tangent: v).tangent) < 1e-13)
        #expect(Approximate.relativeError(AD.jvp(of: ext, at: x, tangent: v).tangent,
                                          AD.jvp(of: tr, at: x, tangent: v).tangent) < 1e-13)
        let fd = FiniteDifferences.jacobian(of: plain(ext), at: x)
        #expect(Approximate.relativeError(fd, reference) < 1e-8)
        // One custom node: the tape holds 2 placeholder outputs for g, not its operations.
        let tracedNodes = AD.linearize(tr, at: x).recording.nodeCount
        #expect(lin.recording.nodeCount < tracedNodes)
    }

    @Test("nested duals differentiate an external function's generic JVP (second order)")
    func externalSecondOrder() {
        func hessianEntry<F: DifferentiableFunction>(_ f: F, _ i: Int, _ j: Int, output k: Int) -> Double {
            let xs = (0..<3).map { l in
                Dual<Dual<Double>>(Dual(x[l], tangent: l == i ? 1 : 0), tangent: Dual(l == j ? 1 : 0, tangent: 0))
            }
            return f(xs)[k].tangent.tangent
        }
        for k in 0..<3 {
            for i in 0..<3 {
                for j in 0..<3 {
                    let a = hessianEntry(AroundExternal(), i, j, output: k)
                    let b = hessianEntry(AroundExternal(traced: true), i, j, output: k)
                    #expect(Swift.abs(a - b) <= 1e-13 * Swift.max(1, Swift.abs(b)))
                }
            }
        }
    }

    @Test("recordCustom: a hand-written node inside a recording")
    func recordCustom() {
        let tape = Tape()
        let xs = tape.inputs([2, 3])
        let s = xs[0] * xs[1]                                   // 6
        // c(s, x1) = (s², s + 10·x1), by hand
        let (sv, x1v) = (s.value, xs[1].value)
        let c = TapeScalar.recordCustom(inputs: [s, xs[1]], outputValues: [sv * sv, sv + 10 * x1v],
                                        jvp: { d in [2 * sv * d[0], d[0] + 10 * d[1]] },
                                        vjp: { u in [2 * sv * u[0] + u[1], 10 * u[1]] })
        let out = [c[0] - xs[0], c[1] * TapeScalar(2)]
        let lin = Linearization(tape.finish(inputs: xs, outputs: out))
        // out0 = (x0 x1)² − x0, out1 = 2(x0 x1 + 10 x1)
        let J = Matrix(rows: [[2 * 6 * 3 - 1, 2 * 6 * 2], [2 * 3, 2 * (2 + 10)]])
        #expect(lin.jacobian() == J)
        #expect(lin.value == [36 - 2, 2 * (6 + 30)])
        #expect(lin.vjp([1, 0]) == [35, 24])
        #expect(lin.jvp([0, 1]) == [24, 24])
        #expect(lin.vjp([1, 0]) == [35, 24] && lin.vjp([0, 1]) == [6, 24])   // adjoint scratch is clean again
        // Constant inputs only: nothing recorded.
        let k = TapeScalar.recordCustom(inputs: [TapeScalar(1)], outputValues: [5], jvp: { $0 }, vjp: { $0 })
        #expect(k[0].isConstant && k[0].value == 5)
    }

    @Test("reverse over forward: Dual<TapeScalar> gives Hessian-vector products")
    func hessianVectorProduct() {
        let f = Rosenbrock(), x = [0.3, 0.9, -0.4, 1.2], v = [1.0, -0.5, 0.25, 2.0]
        let tape = Tape()
        let xs = tape.inputs(x)
        let y = f(zip(xs, v).map { Dual<TapeScalar>($0, tangent: TapeScalar($1)) })[0]
        let lin = Linearization(tape.finish(inputs: xs, outputs: [y.tangent]))   // y.tangent = ∇f·v
        let hv = lin.vjp([1])
        // forward over forward, column by column
        let H = (0..<4).map { j in
            f((0..<4).map { i in
                Dual<Dual<Double>>(Dual(x[i], tangent: v[i]), tangent: Dual(i == j ? 1 : 0, tangent: 0))
            })[0].tangent.tangent
        }
        #expect(Approximate.relativeError(hv, H) < 1e-13)
        let fd = FiniteDifferences.jvp(of: Rosenbrock.gradient, at: x, tangent: v)
        #expect(Approximate.relativeError(hv, fd) < 1e-8)
    }

    @Test("a tape records again after finish; recordings are independent")
    func tapeReuse() {
        let tape = Tape(capacity: 4)   // grows while recording
        var results: [[Double]] = []
        for shift in 0..<3 {
            let x = (0..<50).map { Double($0) / 50 + Double(shift) }
            let xs = tape.inputs(x)
            let lin = Linearization(tape.finish(inputs: xs, outputs: BandedMap()(xs)))
            #expect(lin.jacobian() == AD.jacobian(of: BandedMap(), at: x, mode: .reverse))
            results.append(lin.vjp([Double](repeating: 1, count: 50)))
        }
        #expect(results[0] != results[1])
    }

    @Test("8 concurrent tasks linearize and sweep; results equal the sequential ones bit for bit")
    func concurrentLinearizations() async {
        let n = 400
        func work(_ k: Int) -> [[Double]] {
            var rng = SeededRandom(seed: UInt64(100 + k))
            let x = rng.vector(n, -0.8, 0.8), v = rng.vector(n), u = rng.vector(n)
            let lin = AD.linearize(BandedMap(), at: x)
            let bl = AD.linearize(Coupled(), x: Array(x[0..<7]), y: Array(x[7..<12]))
            return [lin.value, lin.jvp(v), lin.vjp(u), AD.jvp(of: BandedMap(), at: x, tangent: v).tangent,
                    bl.jvp(dx: Array(v[0..<7]), dy: Array(v[7..<12])), bl.vjp(Array(u[0..<6])).y]
        }
        let sequential = (0..<8).map(work)
        let concurrent = await withTaskGroup(of: (Int, [[Double]]).self) { group in
            for k in 0..<8 { group.addTask { (k, work(k)) } }
            var out = [[[Double]]](repeating: [], count: 8)
            for await (k, r) in group { out[k] = r }
            return out
        }
        #expect(concurrent == sequential)
    }

    @Test("one linearization swept from 8 tasks at once")
    func sharedLinearization() async {
        var rng = SeededRandom(seed: 9)
        let x = rng.vector(500, -0.8, 0.8)
        let lin = AD.linearize(BandedMap(), at: x)
        let directions = (0..<8).map { _ in rng.vector(500) }
        let sequential = directions.map { [lin.jvp($0), lin.vjp($0)] }
        let concurrent = await withTaskGroup(of: (Int, [[Double]]).self) { group in
            for k in 0..<8 { group.addTask { (k, [lin.jvp(directions[k]), lin.vjp(directions[k])]) } }
            var out = [[[Double]]](repeating: [], count: 8)
            for await (k, r) in group { out[k] = r }
            return out
        }
        #expect(concurrent == sequential)
    }

    @Test("an infinite partial does not leak into other outputs' sweeps")
    func infinitePartial() {
        struct F: DifferentiableFunction {
            func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { [T.sqrt(x[1]), x[0] * x[0]] }
        }
        let lin = AD.linearize(F(), at: [3, 0])
        #expect(lin.vjp([0, 1]) == [6, 0])
        #expect(lin.vjp([1, 0]) == [0, .infinity])
        #expect(lin.vjp([0, 1]) == [6, 0])
        // Forward mode computes ∞·0 = NaN for the sqrt output, exactly as duals do.
        let forward = lin.jvp([1, 0]), dual = AD.jvp(of: F(), at: [3, 0], tangent: [1, 0]).tangent
        #expect(forward[0].isNaN && dual[0].isNaN && forward[1] == 6 && dual[1] == 6)
    }

    @Test("scale folding: linear operations with constants record no node")
    func scaleFolding() {
        let tape = Tape()
        let xs = tape.inputs([1.5])
        let before = tape.nodeCount
        let y = -(TapeScalar(3) * xs[0] - TapeScalar(1)) / TapeScalar(4) + TapeScalar(2)
        #expect(tape.nodeCount == before)   // all folded into the scale
        let z = TapeScalar.exp(y)
        #expect(tape.nodeCount == before + 1)
        let lin = Linearization(tape.finish(inputs: xs, outputs: [y, z]))
        #expect(lin.jvp([1])[0] == -0.75)
        #expect(Swift.abs(lin.jvp([1])[1] - (-0.75 * Double.exp(y.value))) < 1e-15)
        #expect(lin.vjp([1, 0]) == [-0.75])
    }
}

@Suite("Same-operand folding")
struct SameOperandFoldingTests {
    @Test("u·u and u + 3u record one unary node with the summed partial")
    func sameOperandNodes() {
        let tape = Tape()
        let xs = tape.inputs([1.5, -2])
        let u = TapeScalar(2) * xs[0]                      // scaled reference, no node
        let square = u * u                                 // d/dx₀ = 2u·2 = 12
        let sum = u + TapeScalar(3) * u                    // d/dx₀ = 4·2 = 8
        let mixed = xs[0] * xs[1]                          // two parents: unchanged
        let lin = Linearization(tape.finish(inputs: xs, outputs: [square, sum, mixed]))
        #expect(lin.recording.nodeCount == 1 + 2 + 3)
        #expect(lin.jvp([1, 0]) == [12, 8, -2])
        #expect(lin.jvp([0, 1]) == [0, 0, 1.5])
        #expect(lin.vjp([1, 0, 0]) == [12, 0])
        #expect(lin.vjp([0, 1, 0]) == [8, 0])
        #expect(lin.vjp([0, 0, 1]) == [-2, 1.5])
    }
}

@Suite("Tape misuse stops with a message")
struct TapeMisuseTests {
    @Test("finish with variables that are not the tape's inputs")
    func wrongInputs() async {
        await #expect(processExitsWith: .failure) {
            let tape = Tape()
            let x = tape.inputs([1, 2])
            _ = tape.finish(inputs: [x[1], x[0]], outputs: [x[0] * x[1]])
        }
    }

    @Test("an input created after an operation")
    func lateInput() async {
        await #expect(processExitsWith: .failure) {
            let tape = Tape()
            let x = tape.input(1)
            _ = x * x
            _ = tape.input(2)
        }
    }

    @Test("variables of two tapes in one custom node")
    func twoTapes() async {
        await #expect(processExitsWith: .failure) {
            let a = Tape(), b = Tape()
            let x = a.input(1), y = b.input(2)
            _ = TapeScalar.recordCustom(inputs: [x, y], outputValues: [3], jvp: { $0 }, vjp: { $0 })
        }
    }
}
