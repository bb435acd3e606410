import Foundation
import Optimality

/// A map defined in this package over the library's public helpers:
/// `T(x, y) = P_{‖·‖₂ ≤ 1}(y − ½(y − x))`, whose fixed point is the projection of `x`.
struct BallStep: FixedPointMap {
    func callAsFunction<T: DifferentiableScalar>(x: [T], y: [T]) -> [T] {
        Projections.l2Ball(y.indices.map { y[$0] - (y[$0] - x[$0]) / T(2) }, radius: T(1))
    }
}

/// Checks that the Optimality product is usable from another package: the
/// implicit Jacobian of the ℓ2-ball projection against its closed form
/// `(I − x xᵀ/‖x‖²)/‖x‖` (for ‖x‖ > 1). Writes one line to standard error;
/// stops the program when the derivative is wrong.
func checkOptimalityFromDownstream() {
    let x = [1.5, -2.0, 0.5]
    let ball = try! L2Ball(radius: 1)
    let root = try! ImplicitFunction(fixedPointOf: BallStep(), step: 0.5, solver: { ball.project($0) })
    let j = try! root.jacobian(at: x)
    let norm = (x.reduce(0) { $0 + $1 * $1 }).squareRoot()
    var worst = 0.0
    for r in 0..<3 { for c in 0..<3 {
        let exact = ((r == c ? 1 : 0) - x[r] * x[c] / (norm * norm)) / norm
        worst = Swift.max(worst, Swift.abs(j[r, c] - exact))
    } }
    precondition(worst <= 1e-12, "Optimality from downstream: Jacobian error \(worst)")
    FileHandle.standardError.write("Optimality from downstream: ℓ2-ball projection Jacobian error \(worst)\n".data(using: .utf8)!)
}
