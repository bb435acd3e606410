// Conditions written against `DifferentiableScalar` use the operators and
// functions of swift-numerics' `AlgebraicField` and `ElementaryFunctions`
// (`/`, `T.exp`, …), so importing AutoDiff makes them visible.
@_exported import RealModule
