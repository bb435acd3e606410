// One `import ImplicitDifferentiation` gives the whole public API.
@_exported import LinearAlgebra
@_exported import Krylov
@_exported import AutoDiff
