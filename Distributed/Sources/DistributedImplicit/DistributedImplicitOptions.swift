/// The settings both distributed implicit functions share
/// (``DistributedImplicitFunction`` and ``DistributedFieldImplicitFunction``):
/// the residual check, the representation of `A` and the KSP's defaults.
///
/// The residual check, run on all ranks with one reduction before any
/// derivative, accepts when
///
/// ```
/// ‖F(x, y)‖₂ ≤ residualTolerance · max(1, ‖x‖₂, ‖y‖₂)
/// ```
///
/// The KSP reads PETSc's options database under ``optionsPrefix``
/// (`-implicit_ksp_type`, `-implicit_pc_type`, `-implicit_ksp_rtol`, …)
/// after these defaults are applied, so a command-line option always wins:
///
/// ```
///                      KSP                 PC
/// assembled, SPD       cg                  gamg
/// assembled            gmres               PETSc's: ilu (1 rank), bjacobi + ilu (several)
/// shell                cg (SPD) / gmres    jacobi
/// rtol = relativeTolerance
/// ```
public struct DistributedImplicitOptions: Sendable, Equatable {
    /// The residual check's relative tolerance, positive (default `1e-6`).
    public var residualTolerance: Double
    /// The KSP's options prefix (default `"implicit_"`).
    public var optionsPrefix: String
    /// Declares `A = ∂F/∂y` symmetric positive definite (unchecked): the
    /// default KSP becomes CG, and the default PC GAMG when `A` is assembled.
    /// Default `false`.
    public var symmetricPositiveDefinite: Bool
    /// The KSP's default relative tolerance, before the options are read (default `1e-10`).
    public var relativeTolerance: Double
    /// How `A` is given to the KSP (default ``DistributedRepresentation/automatic``:
    /// assembled for stencil conditions, which enables real preconditioners).
    public var representation: DistributedRepresentation

    /// Creates the options; every argument has the default documented on its property.
    ///
    /// - Parameters:
    ///   - residualTolerance: the residual check's relative tolerance.
    ///   - optionsPrefix: the prefix of the KSP's PETSc options.
    ///   - symmetricPositiveDefinite: declares `A` symmetric positive definite (unchecked).
    ///   - relativeTolerance: the KSP's default relative tolerance.
    ///   - representation: how `A` is given to the KSP.
    public init(residualTolerance: Double = 1e-6, optionsPrefix: String = "implicit_",
                symmetricPositiveDefinite: Bool = false, relativeTolerance: Double = 1e-10,
                representation: DistributedRepresentation = .automatic) {
        self.residualTolerance = residualTolerance
        self.optionsPrefix = optionsPrefix
        self.symmetricPositiveDefinite = symmetricPositiveDefinite
        self.relativeTolerance = relativeTolerance
        self.representation = representation
    }
}
