import AutoDiff
import LinearAlgebra

/// An ``ImplicitFunction`` bound to its arguments, seen by the AD layer as
/// one ``ExternalFunction``: evaluated by the forward solver, differentiated
/// by the implicit function theorem. Made afresh for every generic call
/// (`ImplicitFunction+Generic.swift`); its cache holds that call's solve and
/// linearization, so the value, the JVPs of every direction and every later
/// tape sweep share one forward solve and one factorization.
///
/// ```
/// value        y = solver(x)                                   (Double)
/// jvp, T=Double  ẏ = −A⁻¹(B ẋ)    by the ImplicitLinearization  (LAPACK / Krylov)
/// jvp, other T   ẏ = −A(x,y)⁻¹(B(x,y) ẋ)  with A, B and the solve in T
/// vjp          x̄ = −Bᵀ(A⁻ᵀ ȳ)   by the ImplicitLinearization
/// ```
///
/// For `T ≠ Double` (nested duals `Dual<Dual<Double>>`, `Dual<TapeScalar>`:
/// second derivatives), the JVP itself must be differentiable in `T`: `B ẋ`
/// comes from one evaluation of the conditions on `Dual<T>` (seeded with
/// `ẋ`), `A` from `m` evaluations (seeded with unit vectors in `y`), both at
/// the `T`-valued `(x, y)`, and `A v = −B ẋ` is solved by Gaussian elimination
/// in `T` (`GenericDenseSolve.swift`): `m + 1` evaluations and `O(m³)` work,
/// meant for the small systems second derivatives are taken on.
///
/// Failures cannot be thrown here (the protocol is non-throwing): the
/// affected outputs are NaN and the error goes to the function's
/// ``ImplicitFunction/diagnostics``.
struct ImplicitExternalFunction<Arguments: Sendable, Byproduct: Sendable>: ExternalFunction {
    let function: ImplicitFunction<Arguments, Byproduct>
    let arguments: Arguments
    let cache = ImplicitCallCache<Byproduct>()

    init(_ function: ImplicitFunction<Arguments, Byproduct>, arguments: Arguments) {
        self.function = function
        self.arguments = arguments
    }

    func value(_ x: [Double]) -> [Double] {
        switch cache.solution(x, function, arguments) {
        case .success(let s): return s.y
        case .failure: return nans(function.diagnostics.lastOutputCount ?? x.count)
        }
    }

    func jvp<T: DifferentiableScalar>(at x: [T], value y: [T], tangent dx: [T]) -> [T] {
        if T.self == Double.self {
            let out = jvp(at: unsafeBitCast(x, to: [Double].self), value: unsafeBitCast(y, to: [Double].self),
                          tangents: [unsafeBitCast(dx, to: [Double].self)])[0]
            return unsafeBitCast(out, to: [T].self)
        }
        return genericJVP(x, y, dx)
    }

    func jvp(at x: [Double], value y: [Double], tangents: [[Double]]) -> [[Double]] {
        guard case .success(let lin) = cache.linearization(x, function, arguments) else {
            return tangents.map { _ in nans(y.count) }
        }
        return tangents.map { dx in
            do throws(ImplicitDifferentiationError) { return try lin.jvp(dx) } catch {
                function.diagnostics.record(error, path: "JVP", x: x)
                return nans(y.count)
            }
        }
    }

    func vjp(at x: [Double], value y: [Double], cotangent: [Double]) -> [Double] {
        guard case .success(let lin) = cache.linearization(x, function, arguments) else { return nans(x.count) }
        do { return try lin.vjp(cotangent) } catch {
            function.diagnostics.record(error, path: "VJP", x: x)
            return nans(x.count)
        }
    }

    /// `ẏ = −A⁻¹(B ẋ)` with every quantity in `T` (see the type's documentation).
    func genericJVP<T: DifferentiableScalar>(_ x: [T], _ y: [T], _ dx: [T]) -> [T] {
        let xp = x.map(\.primal), m = y.count
        // NaN in every component: T(.nan) alone is NaN in its value only (its
        // tangents are 0, and a tape constant has no derivative at all), so it
        // multiplies a value carrying T's structure and x's dependencies.
        let poisoned = { [T](repeating: T(Double.nan) * x.reduce(T(1), +), count: m) }
        let fail = { (error: ImplicitDifferentiationError) -> [T] in
            function.diagnostics.record(error, path: "second-order JVP (\(T.self))", x: xp)
            return poisoned()
        }
        guard case .success(let solved) = cache.solution(xp, function, arguments) else { return poisoned() }
        guard let conditions = function.conditions.generic else {
            return fail(.invalidOption("derivatives in \(T.self) (second order) need conditions generic over the "
                + "scalar (ImplicitConditions); hand-written and finite-difference conditions give first derivatives only"))
        }
        let z = solved.byproduct
        // B ẋ (and F itself) from one evaluation seeded with ẋ.
        let xs = zip(x, dx).map { Dual<T>($0, tangent: $1) }
        let yc = y.map { Dual<T>($0, tangent: T(0)) }
        let fb = conditions(x: xs, y: yc, byproduct: z)
        let k = fb.count
        let value = fb.map { $0.value.primal }, yp = y.map(\.primal)
        do throws(ImplicitDifferentiationError) {
            let residualNorm = try function.checkConditions(value: value, y: yp)
            _ = try function.checkResidual(residualNorm) { (tol: Double) throws(ImplicitDifferentiationError) in
                try ResidualScale(function.conditions.localize(xp, yp, z, value), x: xp, y: yp, a: nil,
                                  admitting: residualNorm, tolerance: tol)
            }
        } catch {
            return fail(error)
        }
        // A (k × m) and the normal matrix AᵀA (m × m) on T, each element MemoryLayout<T>.stride bytes.
        let words = Swift.max(1, MemoryLayout<T>.stride / 8)
        do throws(ImplicitDifferentiationError) {
            try MemoryBudget.require("∂F/∂y (\(k) × \(m)) and its elimination on \(T.self)",
                                     [(k, m.multipliedReportingOverflow(by: words).partialValue),
                                      (m, m.multipliedReportingOverflow(by: words).partialValue)],
                                     limit: function.options.maxMatrixBytes)
        } catch {
            return fail(error)
        }
        // A, column by column, from m evaluations seeded with unit vectors in y.
        let xc = x.map { Dual<T>($0, tangent: T(0)) }
        var a = [T]()
        a.reserveCapacity(k * m)
        for j in 0..<m {
            var ys = yc
            ys[j].tangent = T(1)
            let column = conditions(x: xc, y: ys, byproduct: z)
            guard column.count == k else {
                return fail(.dimensionMismatch("the conditions returned \(k) values, then \(column.count) at the same "
                    + "point on \(T.self); F's length must not change between calls"))
            }
            a.append(contentsOf: column.map(\.tangent))
        }
        switch genericDenseSolve(a, rows: k, columns: m, fb.map { -$0.tangent }) {
        case .success(let v): return v
        case .failure(let error): return fail(error)
        }
    }
}

/// `count` NaNs.
func nans(_ count: Int) -> [Double] { [Double](repeating: .nan, count: count) }

/// The forward solve and linearization of one generic call, shared by its
/// value, its JVPs and the sweeps of a tape that recorded it. Thread-safe.
final class ImplicitCallCache<Byproduct: Sendable>: Sendable {
    typealias Solution = (y: [Double], byproduct: Byproduct)
    struct Entry: Sendable {
        let x: [Double]
        let solution: Result<Solution, ImplicitDifferentiationError>
        var linearization: Result<ImplicitLinearization<Byproduct>, ImplicitDifferentiationError>?
    }
    let entry = Locked<Entry?>(nil)

    /// The forward solve at `x` (run once; a failure is recorded once).
    func solution<A>(_ x: [Double], _ f: ImplicitFunction<A, Byproduct>, _ arguments: A)
        -> Result<Solution, ImplicitDifferentiationError>
    {
        entry.withLock { e in
            if let e, e.x == x { return e.solution }
            let s: Result<Solution, ImplicitDifferentiationError>
            do throws(ImplicitDifferentiationError) {
                let out = try f.solve(x, arguments: arguments)
                f.diagnostics.lastOutputCount = out.y.count
                s = .success(out)
            } catch {
                f.diagnostics.record(error, path: "forward solve", x: x)
                s = .failure(error)
            }
            e = Entry(x: x, solution: s, linearization: nil)
            return s
        }
    }

    /// The linearization at `x`, made once from the cached solve (a failure is recorded once).
    func linearization<A>(_ x: [Double], _ f: ImplicitFunction<A, Byproduct>, _ arguments: A)
        -> Result<ImplicitLinearization<Byproduct>, ImplicitDifferentiationError>
    {
        let solved = solution(x, f, arguments)
        return entry.withLock { e in
            if let lin = e?.linearization, e?.x == x { return lin }
            let lin: Result<ImplicitLinearization<Byproduct>, ImplicitDifferentiationError>
            switch solved {
            case .failure(let error):
                lin = .failure(error)
            case .success(let s):
                do throws(ImplicitDifferentiationError) { lin = .success(try f.linearize(at: x, solution: s.y, byproduct: s.byproduct)) } catch {
                    f.diagnostics.record(error, path: "linearization", x: x)
                    lin = .failure(error)
                }
            }
            if e?.x == x { e?.linearization = lin }
            return lin
        }
    }
}
