import ImplicitDifferentiation

// Use case 8: a nested implicit function (an implicit function inside the
// conditions of another) and a second derivative through one. It needs the
// composition support of issue 6 (an ImplicitFunction evaluated on duals and
// on the tape), which is not in this branch yet.

extension Examples {
    /// Use case 8 (listed, not runnable yet: it needs composition support).
    public static let nested = Example(
        name: "nested", title: "nested implicit function and a Hessian through one",
        sizeMeaning: "m = n = size", defaultSize: 10, testSize: 5, benchmarkSizes: [10, 100, 1000],
        unavailableReason: "requires composition support (issue 6: an ImplicitFunction evaluated on duals "
            + "and on the tape), not merged into this branch"
    ) { (_: Int) -> ExampleProblem<Void> in
        preconditionFailure("nested: requires composition support")
    }
}
