"""Rows of scripts/bench-peers that time one derivative given the solution y.

Rebuilds the problems of Sources/Benchmarks/PeerGivenSolutionBenchmarks.swift
from the same closed-form formulas, checks that the Swift side's y solves
them (residual of our own F), computes a reference derivative by a direct
solve of our own (scipy.sparse for the 2-D grid, dense numpy for lse), then
times each peer setting with the black box returning that y:

  jaxopt      custom_root with its default linear solver (solve_normal_cg),
              and with solve_cg (bratu2d, SPD) or solve_gmres / solve_lu (lse);
  optimistix  ImplicitAdjoint's implicit_jvp with lineax AutoLinearSolver
              (dense LU / Cholesky on the materialized A) and with CG (bratu2d,
              tagged positive semidefinite) or GMRES (lse).

Every Krylov solve runs to 1e-10 relative (the Swift side's setting), so all
derivatives agree with the reference to 1e-8. Returns table rows.
"""
import functools
import os
import statistics
import sys
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import jaxopt
import lineax as lx
import numpy as np
import optimistix as optx
import scipy.sparse as sp
import scipy.sparse.linalg as spla

TOL = 1e-10
GOALS = {"bratu2d": 3.0, "lse": 1.0}


def median_time(fn, *args, reps):
    jax.block_until_ready(fn(*args))   # compile + warm-up
    if reps > 1:
        jax.block_until_ready(fn(*args))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rel(a, b):
    a, b = np.asarray(a).ravel(), np.asarray(b).ravel()
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


# ---- problems -------------------------------------------------------------

def bratu2d(n):
    """F(u, θ) = L u + θ∘eᵘ − f on an n × n grid, p = i + n·j (i fastest)."""
    h = 1.0 / (n + 1)
    p = np.arange(n * n)
    s, t = (p % n + 1) * h, (p // n + 1) * h
    theta = 1 + 0.5 * np.sin(2 * np.pi * s) * np.cos(np.pi * t)
    f = 1 + 2 * np.sin(np.pi * s) * np.sin(np.pi * t) + 0.5 * np.cos(7 * np.pi * s * t)

    def F(u, th):
        g = u.reshape(n, n)   # g[j, i]
        lap = 4 * g
        lap = lap.at[:, 1:].add(-g[:, :-1]).at[:, :-1].add(-g[:, 1:])
        lap = lap.at[1:, :].add(-g[:-1, :]).at[:-1, :].add(-g[1:, :])
        return lap.ravel() + th * jnp.exp(u) - f

    one = sp.diags([-np.ones(n - 1), 2 * np.ones(n), -np.ones(n - 1)], [-1, 0, 1])
    laplacian = (sp.kron(sp.identity(n), one) + sp.kron(one, sp.identity(n))).tocsc()

    def reference(u, op, v):   # x̄ = −eᵘ∘A⁻ᵀ v, A = L + diag(θ eᵘ)
        a = (laplacian + sp.diags(theta * np.exp(u))).tocsc()
        return -np.exp(u) * spla.spsolve(a.T.tocsc(), v)

    return F, theta, reference


def lse(m):
    i = np.arange(1, m + 1, dtype=np.float64)
    cost = 1 + np.sin(0.618 * np.outer(i, i))
    x = 0.5 * np.sin(0.37 * i)

    def F(y, x):
        return y - 0.5 * jnp.log(jnp.sum(jnp.exp(x[None, :] - cost - 0.5 * y[None, :]), axis=1))

    def reference(y, op, v):   # A = I + ¼P, B = −½P
        e = np.exp(x[None, :] - cost - 0.5 * y[None, :])
        p = e / e.sum(axis=1, keepdims=True)
        a, b = np.eye(m) + 0.25 * p, -0.5 * p
        return -b.T @ np.linalg.solve(a.T, v) if op == "vjp" else -np.linalg.solve(a, b @ v)

    return F, x, reference


# ---- peer settings ---------------------------------------------------------

def jaxopt_settings(problem):
    cg = functools.partial(jaxopt.linear_solve.solve_cg, tol=TOL, atol=0.0, maxiter=100_000)
    normal = functools.partial(jaxopt.linear_solve.solve_normal_cg, tol=TOL, atol=0.0, maxiter=100_000)
    gmres = functools.partial(jaxopt.linear_solve.solve_gmres, tol=TOL, atol=0.0, restart=30, maxiter=100_000)
    if problem == "bratu2d":
        return {"jaxopt default (normal CG)": normal, "jaxopt CG": cg}
    return {"jaxopt default (normal CG)": normal, "jaxopt GMRES": gmres, "jaxopt LU": jaxopt.linear_solve.solve_lu}


def optx_settings(problem, m, dense_limit):
    settings = {}
    if m <= dense_limit:
        settings["optimistix Auto (dense " + ("Cholesky" if problem == "bratu2d" else "LU") + ")"] = \
            lx.AutoLinearSolver(well_posed=None)
    if problem == "bratu2d":
        settings["optimistix CG"] = lx.CG(rtol=TOL, atol=0.0, max_steps=100_000)
    else:
        settings["optimistix GMRES"] = lx.GMRES(rtol=TOL, atol=0.0, restart=30, max_steps=100_000)
    return settings


def _primal(inputs):   # the black box: returns the stored y
    _, y, _ = inputs
    return y, None


def _rewrite(root, _, inputs):
    fn, _, x = inputs
    return fn(root, x)


def peer_functions(problem, F, y, m, dense_limit):
    """{setting: {op: jitted (x, v) -> derivative}} with the black box returning y."""
    y = jnp.asarray(y)
    # bratu2d: the gradient of ½‖u‖² (v is unused, ȳ = u); lse: VJP / JVP with v.
    scalar = problem == "bratu2d"
    fns = {}
    for name, solve in jaxopt_settings(problem).items():
        @jaxopt.implicit_diff.custom_root(F, solve=solve)
        def solver(init, x):
            del init
            return y

        def root(x, solver=solver):
            return solver(y, x)

        if scalar:
            fns[name] = {"vjp": jax.jit(jax.grad(lambda x, v, root=root: 0.5 * jnp.sum(root(x) ** 2)))}
        else:
            fns[name] = {"vjp": jax.jit(lambda x, v, root=root: jax.vjp(root, x)[1](v)[0])}
    tags = frozenset({lx.symmetric_tag, lx.positive_semidefinite_tag}) if problem == "bratu2d" else frozenset()
    for name, linear_solver in optx_settings(problem, m, dense_limit).items():
        def root(x, linear_solver=linear_solver):
            # As optx.root_find with ImplicitAdjoint does: F closure-converted into the inputs.
            inputs = (eqx.filter_closure_convert(F, y, x), y, x)
            return optx.internal.implicit_jvp(_primal, _rewrite, inputs, tags, linear_solver)[0]

        if scalar:
            fns[name] = {"vjp": jax.jit(jax.grad(lambda x, v, root=root: 0.5 * jnp.sum(root(x) ** 2)))}
        else:
            fns[name] = {"vjp": jax.jit(lambda x, v, root=root: jax.vjp(root, x)[1](v)[0]),
                         "jvp": jax.jit(lambda x, v, root=root: jax.jvp(root, (x,), (v,))[1])}
    return fns


# ---- driver ----------------------------------------------------------------

def run(records):
    """Returns (rows, failures); rows are dicts for the table."""
    dense_limit = int(os.environ.get("PEERS_DENSE_MAX_M", "10000"))
    rows, failures = [], []
    for rec in records:
        problem, m, y = rec["problem"], rec["size"], np.asarray(rec["solution"])
        F, x, reference = bratu2d(rec["grid"]) if problem == "bratu2d" else lse(m)
        residual = float(np.max(np.abs(F(jnp.asarray(y), jnp.asarray(x)))))
        if not residual <= 1e-10:
            failures.append(f"{problem} m={m}: the Swift solution has residual {residual:.1e} in our F")
        v = y if problem == "bratu2d" else np.cos(0.91 * np.arange(1, m + 1))
        # The floor: one plain F on each side (ours measured by the Swift half, theirs jitted here).
        their_f = median_time(jax.jit(F), jnp.asarray(y), jnp.asarray(x), reps=55)
        ours_f = rec.get("plainSeconds")
        fns = peer_functions(problem, F, y, m, dense_limit)
        for op in sorted({r["op"] for r in rec["rows"]}):
            ref = reference(y, op, v)
            theirs = {}
            for name, ops in fns.items():
                if op not in ops:
                    continue
                reps = 1 if "Auto" in name and m >= 2500 else (5 if m >= 10_000 else 11)
                t0 = time.perf_counter()
                out = ops[op](jnp.asarray(x), jnp.asarray(v))
                e = rel(out, ref)
                if not e <= 1e-8:
                    failures.append(f"{problem} m={m} {op} {name}: relative difference {e:.2e} to the reference")
                theirs[name] = (median_time(ops[op], jnp.asarray(x), jnp.asarray(v), reps=reps), e)
                print(f"  measured {problem} m={m} {op} {name}: {theirs[name][0]:.4g} s "
                      f"(first call incl. compile {time.perf_counter() - t0:.3g} s)", file=sys.stderr, flush=True)
            best = min(theirs, key=lambda k: theirs[k][0])
            for r in (r for r in rec["rows"] if r["op"] == op):
                e = rel(r["derivative"], ref)
                if not e <= 1e-8:
                    failures.append(f"{problem} m={m} {op} ours ({r['variant']}): relative difference {e:.2e}")
                rows.append({"problem": problem, "m": m, "grid": rec.get("grid"), "op": op,
                             "variant": r["variant"], "plan": r["plan"], "ours": r["seconds"], "ours_err": e,
                             "best": best, "best_time": theirs[best][0], "peers": theirs,
                             "ratio": theirs[best][0] / r["seconds"], "goal": GOALS[problem],
                             "their_f": their_f, "ours_f": ours_f})
    return rows, failures


def fmt(s):
    return f"{s * 1e3:.3f} ms" if s >= 1e-3 else f"{s * 1e6:.1f} µs"


def print_table(rows):
    print("\nGiven the solution y (one derivative; the black box returns y). Ratio = best peer / ours.")
    print("| problem | m | op | ours | ours time | best peer | its time | best peer / ours | goal | "
          "ours vs ref. | peers vs ref. (max) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        size = f"{r['m']} (N = {r['grid']})" if r["grid"] else str(r["m"])
        verdict = "met" if r["ratio"] >= r["goal"] else f"missed ({r['ratio'] / r['goal']:.2f} of goal)"
        print(f"| {r['problem']} | {size} | {r['op']} | {r['variant']} | {fmt(r['ours'])} | {r['best']} | "
              f"{fmt(r['best_time'])} | {r['ratio']:.2f}× | ≥ {r['goal']:.0f}×: {verdict} | {r['ours_err']:.1e} | "
              f"{max(e for _, e in r['peers'].values()):.1e} |")
    print("\nEvery peer setting (median):")
    seen = set()
    for r in rows:
        key = (r["problem"], r["m"], r["op"])
        if key in seen:
            continue
        seen.add(key)
        print(f"- {r['problem']} m={r['m']} {r['op']}: " +
              "; ".join(f"{k} {fmt(t)}" for k, (t, _) in sorted(r["peers"].items(), key=lambda kv: kv[1][0])))
    print("\nThe floors: one plain F on each side, and how many of its own F each side spends on the derivative.")
    print("| problem | m | op | ours | our F | ours ÷ our F | best peer | their F (jit) | theirs ÷ their F |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        size = f"{r['m']} (N = {r['grid']})" if r["grid"] else str(r["m"])
        ours_f = r.get("ours_f")
        ours_in_f = f"{r['ours'] / ours_f:.1f}" if ours_f else "–"
        print(f"| {r['problem']} | {size} | {r['op']} | {r['variant']} | {fmt(ours_f) if ours_f else '–'} | "
              f"{ours_in_f} | {r['best']} | {fmt(r['their_f'])} | {r['best_time'] / r['their_f']:.1f} |")
    print("\nOur plans: " + "; ".join(sorted({f"{r['problem']} m={r['m']} {r['variant']}: {r['plan']}"
                                              for r in rows})))
