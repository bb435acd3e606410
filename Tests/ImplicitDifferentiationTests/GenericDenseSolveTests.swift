import Testing
@testable import ImplicitDifferentiation
import TestSupport

@Suite struct GenericDenseSolveTests {
    // Needs pivoting: a zero in the leading position.
    let a = Matrix(rows: [[0, 2, 1], [3, 1, -1], [1, -1, 4]])
    let b: [Double] = [1, -2, 0.5]

    @Test func squareSolveMatchesLAPACK() throws {
        let v = try genericDenseSolve(a.elements, rows: 3, columns: 3, b).get()
        #expect(Approximate.relativeError(v, try LUFactorization(a).solve(b)) <= 1e-14)
    }

    @Test func dualSolveDifferentiatesTheSolution() throws {
        // d(A⁻¹b) = A⁻¹(ḃ − Ȧ v) for a perturbation Ȧ = E, ḃ = e.
        let e = Matrix(rows: [[0.1, 0, 0.3], [0, -0.2, 0], [0.5, 0, 0.1]]), eb: [Double] = [0.3, 0.1, -0.4]
        let ad = (0..<9).map { Dual(a.elements[$0], tangent: e.elements[$0]) }
        let bd = (0..<3).map { Dual(b[$0], tangent: eb[$0]) }
        let v = try genericDenseSolve(ad, rows: 3, columns: 3, bd).get()
        let plain = try LUFactorization(a).solve(b)
        let rhs = zip(eb, e * plain).map { $0 - $1 }
        let expected = try LUFactorization(a).solve(rhs)
        #expect(Approximate.relativeError(v.map(\.tangent), expected) <= 1e-13)
    }

    @Test func singularIsReported() {
        let s = Matrix(rows: [[1, 2], [2, 4]])
        let r = genericDenseSolve(s.elements, rows: 2, columns: 2, [1.0, 2])
        guard case .failure(.singularJacobian) = r else { Issue.record("expected singular, got \(r)"); return }
    }

    @Test func overdeterminedConsistentAndInconsistent() throws {
        let tall = Matrix(rows: [[1, 0], [0, 2], [1, 1]])
        let v = try genericDenseSolve(tall.elements, rows: 3, columns: 2, tall * [1.5, -0.5]).get()
        #expect(Approximate.relativeError(v, [1.5, -0.5]) <= 1e-13)
        let r = genericDenseSolve(tall.elements, rows: 3, columns: 2, [1.0, 0, 0])
        guard case .failure(.inconsistentLinearization) = r else { Issue.record("expected inconsistent, got \(r)"); return }
    }
}
