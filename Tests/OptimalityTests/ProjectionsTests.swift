import Testing
import Optimality
import TestSupport

/// Each projection: its value against a closed form, its Jacobian (in the
/// point and in the set's parameters) against a closed form or central finite
/// differences away from kinks, on Dual, DualN and the tape.
@Suite struct ProjectionsTests {
    struct Box: DifferentiableFunction {          // x = (v…, lower, upper)
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            let n = x.count - 2
            return Projections.box(Array(x[0..<n]), lower: x[n], upper: x[n + 1])
        }
    }
    struct NonNegative: DifferentiableFunction {
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] { Projections.nonNegative(x) }
    }
    struct Simplex: DifferentiableFunction {      // x = (v…, r)
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            Projections.simplex(Array(x.dropLast()), radius: x.last!)
        }
    }
    struct L1: DifferentiableFunction {           // x = (v…, r)
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            Projections.l1Ball(Array(x.dropLast()), radius: x.last!)
        }
    }
    struct L2: DifferentiableFunction {           // x = (v…, r)
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            Projections.l2Ball(Array(x.dropLast()), radius: x.last!)
        }
    }
    struct LInfinity: DifferentiableFunction {    // x = (v…, r)
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            Projections.lInfinityBall(Array(x.dropLast()), radius: x.last!)
        }
    }
    struct Plane: DifferentiableFunction {        // x = (v (n), a (n), b)
        let halfSpace: Bool
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            let n = (x.count - 1) / 2
            let v = Array(x[0..<n]), a = Array(x[n..<(2 * n)])
            return halfSpace ? Projections.halfSpace(v, normal: a, offset: x[2 * n])
                             : Projections.hyperplane(v, normal: a, offset: x[2 * n])
        }
    }
    struct Affine: DifferentiableFunction {       // x = (v (n), b (p))
        let set: AffineSet
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            let n = set.matrix.columns
            return set.project(Array(x[0..<n]), rhs: Array(x[n...]))
        }
    }

    struct Section: DifferentiableFunction {      // x = (v (n), b); l = −0.2, u = 1, a = (1, 2, 0.5, 1, 1.5)
        static let a = [1.0, 2, 0.5, 1, 1.5]
        func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
            let n = x.count - 1
            return Projections.boxSection(Array(x[0..<n]), lower: [T](repeating: T(-0.2), count: n),
                                          upper: [T](repeating: T(1), count: n), weights: Self.a.map { T($0) },
                                          total: x[n])
        }
    }

    /// `[diag(inside) | below | above]` for the box.
    @Test func boxClampsAndItsJacobianSelectsTheReturnedPiece() {
        let v = [-2.0, 0.3, 4, -0.5], x = v + [-1, 1]
        let reference = Matrix(rows: 4, columns: 6) { i, j in
            if j < 4 { return i == j && abs(v[i]) < 1 ? 1 : 0 }
            return (j == 4 && v[i] < -1) || (j == 5 && v[i] > 1) ? 1 : 0
        }
        ScalarChecks.expect(Box(), at: x, value: [-1, 0.3, 1, -0.5], jacobian: reference, tolerance: 0)
    }

    @Test func nonNegativeOrthantKeepsThePositiveEntries() {
        let v = [-2.0, 0.3, 4, -0.5]
        ScalarChecks.expect(NonNegative(), at: v, value: [0, 0.3, 4, 0],
                            jacobian: .diagonal(v.map { $0 > 0 ? 1 : 0 }), tolerance: 0)
    }

    @Test func simplexJacobianInThePointAndTheRadius() {
        let v = [0.9, -0.3, 0.5, 0.45, -1, 0.2], r = 1.3
        let p = Projections.simplex(v, radius: r)
        #expect(abs(p.reduce(0, +) - r) <= 1e-15 && p.allSatisfy { $0 >= 0 })
        let s = p.map { $0 > 0 ? 1.0 : 0 }, k = s.reduce(0, +)
        #expect(k == 4)
        let reference = Matrix(rows: 6, columns: 7) { i, j in
            j == 6 ? s[i] / k : (i == j ? s[i] : 0) - s[i] * s[j] / k
        }
        ScalarChecks.expect(Simplex(), at: v + [r], jacobian: reference, tolerance: 1e-15)
    }

    @Test func l1BallProjectsOutsideAndIsTheIdentityInside() {
        let v = [0.9, -0.7, 0.05, -0.3, 0.6], r = 1.5
        let p = Projections.l1Ball(v, radius: r)
        #expect(abs(p.reduce(0) { $0 + abs($1) } - r) <= 1e-14)
        // On the support the sign pattern is kept and the entries shrink by one τ.
        let tau = abs(v[0]) - abs(p[0])
        for i in v.indices where p[i] != 0 { #expect(abs(abs(v[i]) - abs(p[i]) - tau) <= 1e-14 && p[i] * v[i] > 0) }
        let x = v + [r]
        ScalarChecks.expect(L1(), at: x, jacobian: ScalarChecks.finiteDifferences(L1(), at: x), tolerance: 1e-8)
        // Closed form on the support S with signs σ: diag(s) − (σ∘s)(σ∘s)ᵀ/|S|, ∂/∂r = σ∘s/|S|.
        let sigma = v.map { $0 < 0 ? -1.0 : 1 }, s = p.map { $0 != 0 ? 1.0 : 0 }, k = s.reduce(0, +)
        let closed = Matrix(rows: 5, columns: 6) { i, j in
            j == 5 ? sigma[i] * s[i] / k : (i == j ? s[i] : 0) - sigma[i] * s[i] * sigma[j] * s[j] / k
        }
        ScalarChecks.expect(L1(), at: x, jacobian: closed, tolerance: 1e-15)
        let inside = [0.2, -0.3, 0.1]
        ScalarChecks.expect(L1(), at: inside + [1], value: inside,
                            jacobian: Matrix(rows: 3, columns: 4) { i, j in i == j ? 1 : 0 }, tolerance: 0)
    }

    @Test func l2BallScalesOutsidePointsOntoTheSphere() {
        let v = [1.0, -2, 0.5], r = 0.8
        let norm = (v.reduce(0) { $0 + $1 * $1 }).squareRoot()
        let reference = Matrix(rows: 3, columns: 4) { i, j in
            j == 3 ? v[i] / norm : r / norm * ((i == j ? 1 : 0) - v[i] * v[j] / (norm * norm))
        }
        ScalarChecks.expect(L2(), at: v + [r], value: v.map { r * $0 / norm }, jacobian: reference, tolerance: 1e-14)
        let inside = [0.1, 0.2, -0.3]
        ScalarChecks.expect(L2(), at: inside + [1], value: inside,
                            jacobian: Matrix(rows: 3, columns: 4) { i, j in i == j ? 1 : 0 }, tolerance: 0)
    }

    @Test func lInfinityBallClampsEachCoordinate() {
        let v = [1.5, -0.2, -2, 0.7], r = 1.0
        let reference = Matrix(rows: 4, columns: 5) { i, j in
            j == 4 ? (abs(v[i]) > r ? (v[i] > 0 ? 1 : -1) : 0) : (i == j && abs(v[i]) < r ? 1 : 0)
        }
        ScalarChecks.expect(LInfinity(), at: v + [r], value: [1, -0.2, -1, 0.7], jacobian: reference, tolerance: 0)
    }

    @Test func hyperplaneAndHalfSpace() {
        let v = [1.0, 2, -1], a = [0.5, -1, 2], b = 0.25
        let x = v + a + [b]
        let p = Projections.hyperplane(v, normal: a, offset: b)
        #expect(abs(zip(a, p).reduce(0) { $0 + $1.0 * $1.1 } - b) <= 1e-15)
        ScalarChecks.expect(Plane(halfSpace: false), at: x,
                            jacobian: ScalarChecks.finiteDifferences(Plane(halfSpace: false), at: x), tolerance: 1e-8)
        // aᵀv = −3.5 ≤ b: inside the half-space, the identity on v and nothing else.
        let inside = Matrix(rows: 3, columns: 7) { i, j in i == j ? 1 : 0 }
        ScalarChecks.expect(Plane(halfSpace: true), at: x, value: v, jacobian: inside, tolerance: 0)
        // Outside (aᵀv' = 5.5 > b): the hyperplane's Jacobian; in v it is I − a aᵀ/‖a‖².
        let outside = [1.0, -2, 1] + a + [b]
        let aa = a.reduce(0) { $0 + $1 * $1 }
        let j = AD.jacobian(of: Plane(halfSpace: true), at: outside, mode: .reverse)
        for r in 0..<3 { for c in 0..<3 {
            #expect(abs(j[r, c] - ((r == c ? 1 : 0) - a[r] * a[c] / aa)) <= 1e-15)
        } }
        ScalarChecks.expect(Plane(halfSpace: true), at: outside,
                            jacobian: ScalarChecks.finiteDifferences(Plane(halfSpace: false), at: outside),
                            tolerance: 1e-8)
    }

    @Test func boxSectionProjectionAndItsJacobianOnTheFreeSet() {
        let v = [0.9, 1.4, -0.8, 0.3, 0.2], b = 1.5, a = Section.a
        let x = v + [b]
        let p = Section()(x)
        #expect(abs(zip(a, p).reduce(0) { $0 + $1.0 * $1.1 } - b) <= 1e-14)
        #expect(p.allSatisfy { $0 >= -0.2 && $0 <= 1 })
        // Optimality: pᵢ = clamp(vᵢ − τaᵢ) with one τ for the free coordinates.
        let free = p.indices.filter { p[$0] > -0.2 && p[$0] < 1 }
        #expect(free.count >= 2 && free.count < 5)
        let tau = (v[free[0]] - p[free[0]]) / a[free[0]]
        for i in free { #expect(abs((v[i] - p[i]) / a[i] - tau) <= 1e-14) }
        // ∂P_F/∂v_F = I − a_F a_Fᵀ/‖a_F‖², ∂P_F/∂b = a_F/‖a_F‖², zero rows outside F.
        let aa = free.reduce(0) { $0 + a[$1] * a[$1] }
        let reference = Matrix(rows: 5, columns: 6) { i, j in
            guard free.contains(i) else { return 0 }
            if j == 5 { return a[i] / aa }
            return free.contains(j) ? (i == j ? 1 : 0) - a[i] * a[j] / aa : 0
        }
        ScalarChecks.expect(Section(), at: x, jacobian: reference, tolerance: 1e-14)
        ScalarChecks.expect(Section(), at: x, jacobian: ScalarChecks.finiteDifferences(Section(), at: x), tolerance: 1e-8)
    }

    @Test func affineSetProjectionSatisfiesTheConstraintsAndMovesAlongTheRowSpace() throws {
        let a = Matrix(rows: [[1, 1, 1, 1], [1, -1, 0, 2]]), b = [1.0, 0.5]
        let set = try AffineSet(matrix: a, rhs: b)
        let v = [0.3, -1, 2, 0.4]
        let p = set.project(v)
        #expect(Approximate.relativeError(a * p, b) <= 1e-15)
        // v − P(v) = Aᵀc for some c: orthogonal to the null space of A, e.g. to (1, 1, −2, 0) and (2, 0, −1, −1).
        let d = zip(v, p).map { $0 - $1 }
        #expect(abs(d[0] + d[1] - 2 * d[2]) <= 1e-14 && abs(2 * d[0] - d[2] - d[3]) <= 1e-14)
        let x = v + b
        ScalarChecks.expect(Affine(set: set), at: x,
                            jacobian: ScalarChecks.finiteDifferences(Affine(set: set), at: x), tolerance: 1e-8)
    }
}
