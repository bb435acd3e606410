import CMPI
import CPETSc

/// The PETSc library of this process: start-up, shut-down, the options
/// database, and this process's place among the MPI ranks.
///
/// ```swift
/// try PETSc.initialize()               // reads -ksp_type, -pc_type, … from the command line
/// defer { PETSc.finalize() }
/// print(PETSc.rank, PETSc.size)
/// ```
public enum PETSc {
    /// Initializes MPI and PETSc with the process's command line (so every
    /// PETSc option given to the program reaches the options database) and
    /// installs the quiet error handler that returns codes instead of
    /// printing tracebacks. Does nothing when already initialized.
    ///
    /// - Parameter arguments: extra options, e.g. `["-ksp_type", "cg"]`,
    ///   inserted after the command line's.
    /// - Throws: ``PETScError/call(function:code:message:)``.
    public static func initialize(arguments: [String] = []) throws(PETScError) {
        if cpetsc_is_initialized() == PETSC_TRUE { return }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        try check(PetscInitialize(&argc, &argv, nil, nil), "PetscInitialize")
        try check(cpetsc_push_return_error_handler(), "PetscPushErrorHandler")
        if !arguments.isEmpty {
            try check(PetscOptionsInsertString(nil, arguments.joined(separator: " ")), "PetscOptionsInsertString")
        }
    }

    /// Finalizes PETSc and MPI. Every PETSc object should be released before.
    public static func finalize() {
        guard cpetsc_is_initialized() == PETSC_TRUE, cpetsc_is_finalized() != PETSC_TRUE else { return }
        _ = PetscFinalize()
    }

    /// `true` between ``initialize(arguments:)`` and ``finalize()``.
    public static var isActive: Bool {
        cpetsc_is_initialized() == PETSC_TRUE && cpetsc_is_finalized() != PETSC_TRUE
    }

    /// This process's rank in `PETSC_COMM_WORLD`.
    public static var rank: Int {
        var r: Int32 = 0
        MPI_Comm_rank(cpetsc_comm_world(), &r)
        return Int(r)
    }

    /// The number of ranks in `PETSC_COMM_WORLD`.
    public static var size: Int {
        var s: Int32 = 0
        MPI_Comm_size(cpetsc_comm_world(), &s)
        return Int(s)
    }

    /// Sets one option in the global database, as if given on the command line.
    ///
    /// - Parameters:
    ///   - name: with its dash, e.g. `"-implicit_ksp_type"`.
    ///   - value: `nil` for a flag.
    /// - Throws: ``PETScError/call(function:code:message:)``.
    public static func setOption(_ name: String, _ value: String?) throws(PETScError) {
        try check(PetscOptionsSetValue(nil, name, value), "PetscOptionsSetValue")
    }

    /// Removes one option from the global database.
    ///
    /// - Throws: ``PETScError/call(function:code:message:)``.
    public static func clearOption(_ name: String) throws(PETScError) {
        try check(PetscOptionsClearValue(nil, name), "PetscOptionsClearValue")
    }

    /// `MPI_Wtime()`, seconds.
    public static var wallTime: Double { MPI_Wtime() }
}
