import ImplicitDifferentiation

/// Runs an example: plan, forward solve, linearization, derivatives, and
/// their comparison with the references. Shared by the command line, the
/// tests and the benchmarks.
enum ExampleRunner {
    /// The plan for the settings as the size rule previews it (for the memory
    /// check before the forward solve), and the solver and representation to
    /// hand to the library: unchanged when both are `.automatic` (the library's
    /// cost model decides, with ``krylovOptions(_:)`` for the Krylov methods it
    /// picks); otherwise an explicit Krylov method gets the settings' options,
    /// and an automatic solver with an explicit representation is resolved here.
    static func resolve(settings: RunSettings, equations k: Int, unknowns m: Int, structure: OperatorStructure)
        throws(ImplicitDifferentiationError) -> (solver: LinearSolver, representation: Representation, preview: SolvePlan)
    {
        let requested = try settings.withOptions(settings.linearSolver)
        let preview = SolvePlan.choose(representation: settings.representation, solver: requested, rows: k,
                                       unknowns: m, structure: structure, givesMatrices: false,
                                       threshold: settings.matrixThreshold)
        if settings.linearSolver == .automatic && settings.representation == .automatic {
            return (.automatic, .automatic, preview)
        }
        if settings.linearSolver == .automatic && !preview.solver.isDirect {
            return (try settings.withOptions(preview.solver), preview.representation, preview)
        }
        return (requested, settings.representation, preview)
    }

    /// The function's options: the threshold and memory limit, and the
    /// settings' Krylov options for the methods the library's automatic plan picks.
    static func options(_ settings: RunSettings) throws(ImplicitDifferentiationError) -> ImplicitFunctionOptions {
        ImplicitFunctionOptions(matrixThreshold: settings.matrixThreshold, maxMatrixBytes: settings.maxMatrixBytes,
                                krylovOptions: try settings.krylovOptions())
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func run<B: Sendable>(_ p: ExampleProblem<B>, example: Example, size: Int, settings: RunSettings,
                                 progress: @Sendable (String) -> Void) -> ExampleRun {
        var run = ExampleRun(example: example, size: size, inputs: p.input.count, unknowns: p.unknowns,
                             equations: p.equations)
        let clock = ContinuousClock()
        do throws(ImplicitDifferentiationError) {
            // 1. The plan, and the memory check before any work.
            let (solver, representation, preview) = try resolve(
                settings: settings, equations: p.equations, unknowns: p.unknowns, structure: p.structure)
            run.representation = preview.representation.description
            run.solver = preview.solver.description
            run.reason = preview.reason
            if preview.representation == .matrix {
                let (cells, overflow) = p.equations.multipliedReportingOverflow(by: p.unknowns)
                let bytes = overflow ? Int.max : cells.multipliedReportingOverflow(by: 8).partialValue
                if overflow || cells > Int.max / 8 || bytes > settings.maxMatrixBytes {
                    // The library's own refusal, raised before the forward solve
                    // rather than after it (linearize would throw the same).
                    throw .representationTooLarge(bytes: overflow ? Int.max : bytes, limit: settings.maxMatrixBytes)
                }
            }

            // 2. The forward solve, once; the implicit function reuses its result.
            progress("forward solve (m = \(p.unknowns), n = \(p.input.count)) …")
            let start = clock.now
            let out: (y: [Double], byproduct: B)
            do { out = try p.solve(p.input) } catch { throw .forwardSolverFailed(error) }
            run.forwardSeconds = seconds(clock.now - start)
            run.facts = p.facts(out.y, out.byproduct)
            let input = p.input
            let memo: ExampleProblem<B>.Solver = { x in x == input ? out : try p.solve(x) }
            let options = try Self.options(settings)
            let function = p.makeFunction(memo, solver, representation, options)

            // 3. Linearize: residual check, then factor A or record the tape.
            progress("linearize (\(preview.representation), \(preview.solver)) …")
            let t0 = clock.now
            let lin = try function.linearize(at: p.input)
            run.linearizeSeconds = seconds(clock.now - t0)
            var derivativeSeconds = run.linearizeSeconds!
            let report0 = lin.report
            run.representation = lin.plan.representation.description
            run.solver = lin.plan.solver.description
            run.reason = lin.plan.reason
            if settings.linearSolver == .automatic && !lin.plan.solver.isDirect {
                run.reason! += " (Krylov options from --tolerance/--max-iterations)"
            }
            run.note = report0.note
            run.forwardResidual = report0.residualNorm
            run.residualBound = report0.residualBound

            // 4. The derivatives and their references.
            for check in p.checks where settings.mode.includes(check.mode) {
                if let why = check.skipReason {
                    run.derivatives.append(DerivativeResult(
                        mode: check.mode, quantity: check.quantity, reference: check.reference, relativeError: nil,
                        tolerance: check.tolerance, passed: true, seconds: 0, krylovIterations: 0,
                        krylov: nil, skipped: why))
                    progress("\(check.mode.rawValue): skipped (\(why))")
                    continue
                }
                progress("\(check.mode.rawValue): \(check.quantity) …")
                let before = lin.report
                let t = clock.now
                let value = try check.compute(lin)
                let elapsed = seconds(clock.now - t)
                derivativeSeconds += elapsed
                let after = lin.report
                let iterations = after.krylovIterations - before.krylovIterations
                let applied = after.operatorApplications - before.operatorApplications
                let krylov = (iterations > 0 || applied > 0) ? after.lastKrylovStatistics.map(KrylovSummary.init) : nil
                let expected = check.expected(lin)
                let error = relativeError(value, expected)
                run.krylovIterations += iterations
                run.derivatives.append(DerivativeResult(
                    mode: check.mode, quantity: check.quantity, reference: check.reference, relativeError: error,
                    tolerance: check.tolerance, passed: error <= check.tolerance,
                    seconds: elapsed, krylovIterations: iterations, krylov: krylov, skipped: nil))
            }
            run.derivativeSeconds = derivativeSeconds
            run.report = lin.report.description
        } catch {
            run.error = error
            run.failure = error.description
        }
        return run
    }

    static func benchmarkPair<B: Sendable>(_ p: ExampleProblem<B>, settings: RunSettings)
        -> (forward: @Sendable () -> Void, derivative: @Sendable () -> Void)
    {
        let out = try! p.solve(p.input)
        let input = p.input
        let plan = try! resolve(settings: settings, equations: p.equations, unknowns: p.unknowns, structure: p.structure)
        let function = p.makeFunction({ x in x == input ? out : try p.solve(x) }, plan.solver, plan.representation,
                                      try! options(settings))
        let check = p.checks.first { $0.mode == .vjp && $0.skipReason == nil }
            ?? p.checks.first { $0.mode == .jvp && $0.skipReason == nil }!
        return (forward: { _ = try! p.solve(input) },
                derivative: { _ = try! check.compute(try! function.linearize(at: input)) })
    }
}
