import ImplicitDiffCommands

// The package's main job:
//
//     implicit-diff list
//     implicit-diff run <example|sqrt|all> [--size N] [--linear-solver …] [--representation …]
//                       [--mode jvp|vjp|jacobian|all] [--tolerance …] [--max-iterations …] [--verbose] [--json]
//     implicit-diff solve [--size N] [--seed S]
//
// The commands live in the ImplicitDiffCommands library so that the tests can run them.
ImplicitDiff.main()
