import Testing
import ImplicitDifferentiation
import TestSupport

// Issue 16's fuzz-style property: random small conditions with random defects
// (wrong scale, perturbed y, singular and near-singular A, NaN entries, false
// structure declarations) under every solver and representation. Every
// outcome must be a typed ImplicitDifferentiationError or a Jacobian that
// matches central finite differences of the whole forward solver — never a
// wrong number. Seeded; a failure is shrunk on the sizes.

/// `F(x, y) = s · (M y + c·y∘y∘y − N x)` (`M` is `m × m`, `N` is `m × n`).
struct CubicLinearConditions: ImplicitConditions {
    let m: Matrix, n: Matrix, c: Double, s: Double
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        (0..<m.rows).map { i in
            var f = T(c) * y[i] * y[i] * y[i]
            for j in 0..<m.columns { f = f + T(m[i, j]) * y[j] }
            for j in 0..<n.columns { f = f - T(n[i, j]) * x[j] }
            return T(s) * f
        }
    }
}

/// One fuzz case: sizes, a seed for the matrices, and the defect.
struct DefectCase: CustomStringConvertible {
    enum Defect: Int, CaseIterable { case none, scale, perturbedY, singular, inconsistent, nearSingular, nanX, nanY, nanM, falseSPD, trueSPD, indefiniteSPD }
    var m: Int, n: Int, seed: UInt64, defect: Defect, solver: Int, representation: Int, exponent: Int

    static let solvers: [LinearSolver] = [.automatic, .lu, .cholesky, .qr, .svd, .gmres(options: tightKrylov),
                                          .bicgstab(options: tightKrylov), .cg(options: tightKrylov), .lsmr(options: tightKrylov)]
    static let representations: [Representation] = [.automatic, .matrix, .operator]

    var description: String {
        "DefectCase(m: \(m), n: \(n), seed: \(seed), defect: .\(defect), solver: \(Self.solvers[solver]), "
            + "representation: .\(Self.representations[representation]), exponent: \(exponent))"
    }

    /// The conditions, the input, the forward solver and the tolerance the derivative must meet.
    func build() -> (conditions: CubicLinearConditions, x: [Double], solve: @Sendable ([Double]) -> [Double],
                     structure: OperatorStructure, tolerance: Double) {
        var rng = SeededRandom(seed: seed)
        var a = rng.matrix(m, m), b = rng.matrix(m, n)
        for i in 0..<m { a[i, i] += Double(m) }   // well conditioned unless a defect says otherwise
        var c = 0.0, s = 1.0, tolerance = 1e-6, structure: OperatorStructure = []
        var x = rng.vector(n, 0.5, 1.5)
        let combine = (rng.uniform(), rng.uniform())
        switch defect {
        case .none: c = 0.1
        case .scale:
            s = Double(sign: .plus, exponent: exponent, significand: 1)
            x = x.map { Double(sign: .plus, exponent: -exponent / 2, significand: $0) }
        case .singular, .inconsistent, .nearSingular:
            if m >= 2 {
                let eta = defect == .nearSingular ? 1e-6 : 0
                for j in 0..<m { a[m - 1, j] = combine.0 * a[0, j] + combine.1 * a[1 % m, j] + eta * rng.uniform() }
                if defect != .inconsistent {
                    for j in 0..<n { b[m - 1, j] = combine.0 * b[0, j] + combine.1 * b[1 % m, j] }
                }
                tolerance = defect == .nearSingular ? 1e-3 : 1e-6
            }
        case .falseSPD: structure = [.symmetric, .positiveDefinite]; a[0, m - 1] += 1
        case .trueSPD:
            structure = [.symmetric, .positiveDefinite]
            a = a.transposed() * a
            for i in 0..<m { a[i, i] += 1 }
        case .indefiniteSPD:   // symmetric, declared positive definite, with a negative eigenvalue
            structure = [.symmetric, .positiveDefinite]
            a = a + a.transposed()
            a[m - 1, m - 1] = -3 * Double(m)
        case .nanM: a[rng.int(0...(m - 1)), rng.int(0...(m - 1))] = .nan
        case .perturbedY: c = 0.05; tolerance = 1e-5   // an accepted y is off by up to ~2κ·1e-6 (ResidualTolerance)
        case .nanX, .nanY: c = 0.05
        }
        if defect == .nanX { x[rng.int(0...(n - 1))] = .nan }
        let perturbation = defect == .perturbedY
            ? rng.vector(m).map { $0 * Double(sign: .plus, exponent: -Int(exponent.magnitude % 40), significand: 1) } : nil
        let nanIndex = defect == .nanY ? rng.int(0...(m - 1)) : nil
        let conditions = CubicLinearConditions(m: a, n: b, c: c, s: s)
        let (aa, bb, cc) = (a, b, c)
        let solve: @Sendable ([Double]) -> [Double] = { x in
            var y = Self.solve(aa, bb, cc, x)
            if let p = perturbation { for i in y.indices { y[i] += p[i] * Swift.max(1, Swift.abs(y[i])) } }
            if let k = nanIndex, k < y.count { y[k] = .nan }
            return y
        }
        return (conditions, x, solve, structure, tolerance)
    }

    /// Newton on `M y + c y³ = N x` from the minimum-norm solution of the linear part.
    static func solve(_ a: Matrix, _ b: Matrix, _ c: Double, _ x: [Double]) -> [Double] {
        let rhs = b * x
        guard let svd = try? SVDFactorization(a), var y = try? svd.solve(rhs) else {
            return [Double](repeating: .nan, count: a.rows)
        }
        guard c != 0 else { return y }
        for _ in 0..<50 {
            var jac = a
            var f = a * y
            for i in 0..<y.count { f[i] += c * y[i] * y[i] * y[i] - rhs[i]; jac[i, i] += 3 * c * y[i] * y[i] }
            guard let step = try? LUFactorization(jac).solve(f) else { return [Double](repeating: .nan, count: a.rows) }
            for i in y.indices { y[i] -= step[i] }
        }
        return y
    }

    /// Smaller sizes first, then the plain solver and representation.
    func shrunk() -> [DefectCase] {
        var out: [DefectCase] = []
        for mm in PropertyCheck.shrink(m, toward: 1) { var c = self; c.m = mm; out.append(c) }
        for nn in PropertyCheck.shrink(n, toward: 1) { var c = self; c.n = nn; out.append(c) }
        if solver != 0 { var c = self; c.solver = 0; out.append(c) }
        if representation != 0 { var c = self; c.representation = 0; out.append(c) }
        return out
    }
}

@Suite("Fuzz: random defects give a correct derivative or a typed error")
struct DefectFuzzTests {
    /// `nil` when the outcome is a typed error or a Jacobian within tolerance of
    /// central differences of the whole solver; otherwise what went wrong.
    static func property(_ c: DefectCase) -> String? { outcome(c).failure }

    /// The property's verdict and whether the library returned a number.
    static func outcome(_ c: DefectCase) -> (failure: String?, returnedNumber: Bool) {
        let failure = check(c)
        return (failure.flatMap { $0 == "" ? nil : $0 }, failure != "")
    }

    /// `""` for a typed error, `nil` for a correct derivative, else the failure.
    static func check(_ c: DefectCase) -> String? {
        let (conditions, x, solve, structure, tolerance) = c.build()
        var f = ImplicitFunction(solver: solve, conditions: conditions, linearSolver: DefectCase.solvers[c.solver],
                                 representation: DefectCase.representations[c.representation], structure: structure)
        f.options.krylovOptions = tightKrylov
        let j: Matrix
        do { j = try f.jacobian(at: x) } catch { return "" }   // a typed error (the signature says so)
        // The reference: central differences of the whole forward solver.
        guard x.allSatisfy(\.isFinite) else { return "a Jacobian for a non-finite x" }
        var reference = Matrix(rows: c.m, columns: c.n)
        for k in 0..<c.n {
            let h = 1e-4 * Swift.abs(x[k])
            var xp = x, xm = x
            xp[k] += h
            xm[k] -= h
            let yp = solve(xp), ym = solve(xm)
            for i in 0..<c.m { reference[i, k] = (yp[i] - ym[i]) / (xp[k] - xm[k]) }
        }
        guard reference.isFinite else { return "a Jacobian \(j.elements) where the solver has no derivative" }
        let error = Approximate.relativeError(j, reference)
        return error <= tolerance ? nil : "relative error \(error) > \(tolerance): \(j.elements) vs \(reference.elements)"
    }

    @Test("2000 seeded cases: never a wrong number")
    func neverAWrongNumber() {
        var numbers = 0, errors = 0
        let failure = PropertyCheck.run(
            "correct derivative or typed error", seed: 16, cases: 2000,
            generate: { rng in
                DefectCase(m: rng.int(1...5), n: rng.int(1...4), seed: rng.next(),
                           defect: DefectCase.Defect.allCases[rng.int(0...(DefectCase.Defect.allCases.count - 1))],
                           solver: rng.int(0...(DefectCase.solvers.count - 1)),
                           representation: rng.int(0...(DefectCase.representations.count - 1)),
                           exponent: rng.int(-600...600))
            },
            shrink: { $0.shrunk() },
            property: { c in
                let o = Self.outcome(c)
                if o.returnedNumber { numbers += 1 } else { errors += 1 }
                return o.failure
            })
        if let failure { Issue.record("\(failure)") }
        // Not vacuous: both outcomes are common (seed 16: 882 derivatives checked, 1118 typed errors).
        #expect(numbers >= 500 && errors >= 500, "\(numbers) derivatives, \(errors) typed errors")
    }
}
