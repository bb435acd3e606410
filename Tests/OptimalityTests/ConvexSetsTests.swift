import Testing
import Optimality
import TestSupport

/// Invalid sets are typed errors at construction; valid ones project as the
/// static functions do.
@Suite struct ConvexSetsTests {
    @Test func invalidParametersAreTypedErrors() {
        #expect(throws: OptimalityError.invalidParameter("ℓ2 ball radius = 0.0 must be > 0 and finite")) {
            try L2Ball(radius: 0)
        }
        #expect(throws: OptimalityError.invalidParameter("ℓ1 ball radius = -1.0 must be > 0 and finite")) {
            try L1Ball(radius: -1)
        }
        #expect(throws: OptimalityError.invalidParameter("ℓ∞ ball radius = nan must be > 0 and finite")) {
            try LInfinityBall(radius: .nan)
        }
        #expect(throws: OptimalityError.invalidParameter("simplex radius = inf must be > 0 and finite")) {
            try SimplexSet(radius: .infinity)
        }
        #expect(throws: OptimalityError.invalidParameter(
            "box bound 0: lower = 2.0, upper = 1.0 (need lower ≤ upper, no NaN)")) {
            try BoxSet(lower: 2, upper: 1)
        }
        #expect(throws: OptimalityError.invalidParameter(
            "box bound 1: lower = nan, upper = 1.0 (need lower ≤ upper, no NaN)")) {
            try BoxSet(lower: [0, .nan], upper: [1, 1])
        }
        #expect(throws: OptimalityError.invalidParameter("normal must be finite and non-zero")) {
            try Hyperplane(normal: [0, 0], offset: 1)
        }
        #expect(throws: OptimalityError.invalidParameter("offset = nan is not finite")) {
            try HalfSpace(normal: [1, 0], offset: .nan)
        }
        #expect(throws: OptimalityError.invalidParameter("affine set: A is rank deficient (A Aᵀ is singular or nearly so)")) {
            try AffineSet(matrix: Matrix(rows: [[1, 2, 3], [2, 4, 6]]), rhs: [1, 2])
        }
        #expect(throws: OptimalityError.invalidParameter(
            "box section is empty: total = 5.0 outside [aᵀl, aᵀu] = [0.0, 3.0]")) {
            try BoxSection(lower: [0, 0], upper: [1, 1], weights: [1, 2], total: 5)
        }
        #expect(throws: OptimalityError.invalidParameter("box section weight 1 = 0.0 must be > 0 and finite")) {
            try BoxSection(lower: [0, 0], upper: [1, 1], weights: [1, 0], total: 1)
        }
        #expect(throws: OptimalityError.invalidParameter("affine set: A or b has a NaN or infinite entry")) {
            try AffineSet(matrix: Matrix(rows: [[1, 2, 3]]), rhs: [.nan])
        }
    }

    @Test func validSetsProjectAsTheStaticFunctions() throws {
        let v = [1.2, -0.4, 0.3, -2]
        #expect(try BoxSet(lower: -1, upper: 1).project(v) == Projections.box(v, lower: -1, upper: 1))
        #expect(try BoxSet(lower: [-1, 0, 0, -3], upper: [1, 1, 0.2, 3]).project(v) == [1, 0, 0.2, -2])
        #expect(NonNegativeOrthant().project(v) == [1.2, 0, 0.3, 0])
        #expect(try SimplexSet(radius: 2).project(v) == Projections.simplex(v, radius: 2))
        #expect(try L1Ball(radius: 1).project(v) == Projections.l1Ball(v, radius: 1))
        #expect(try L2Ball(radius: 1).project(v) == Projections.l2Ball(v, radius: 1))
        #expect(try LInfinityBall(radius: 1).project(v) == [1, -0.4, 0.3, -1])
        let a = [1.0, 0, 1, 0]
        #expect(try Hyperplane(normal: a, offset: 0).project(v) == Projections.hyperplane(v, normal: a, offset: 0))
        #expect(try HalfSpace(normal: a, offset: 5).project(v) == v)
        let section = try BoxSection(lower: [0, 0, 0, 0], upper: [1, 1, 1, 1], weights: [1, 1, 1, 1], total: 1)
        let simplex = Projections.simplex(v)   // the unit box section with unit weights is the simplex here
        #expect(zip(section.project(v), simplex).allSatisfy { abs($0 - $1) <= 1e-15 })
    }
}
