// One `import Optimality` gives the helpers and the implicit layer they build on.
@_exported import ImplicitDifferentiation
