"""JAX + JAXopt / optimistix + lineax half of scripts/bench-peers.

Rebuilds the problems of Sources/Benchmarks/PerfProblems.swift from the same
closed-form formulas, times forward, JVP, VJP and Jacobian of the implicit
function with jaxopt's custom_root and with optimistix.root_find
(ImplicitAdjoint), using the linear solver our `.automatic` rule picked
(read from the Swift suite's JSON: LU on the matrix path, GMRES(30) with
‖r‖ ≤ 1e-10‖b‖ on the operator path), checks that the derivatives agree with
ours to 1e-8 relative, and prints one table.

The rows given the solution (2-D Bratu, dense log-sum-exp conditions) are in
peers_given.py and read the second JSON.

Usage: peers.py SWIFT_PEER_JSON [SWIFT_GIVEN_SOLUTION_JSON]
"""
import functools
import json
import statistics
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import jaxopt  # noqa: E402
import lineax as lx  # noqa: E402
import numpy as np  # noqa: E402
import optimistix as optx  # noqa: E402
import peers_given  # noqa: E402
from peers_given import median_time, rel  # noqa: E402  (one timing and error rule for every row)

KAPPA, BETA = 1.0, 0.25


def reference_solution(m):
    return 0.5 * np.sin(0.37 * np.arange(1, m + 1, dtype=np.float64))


def probe(m):
    return np.cos(0.91 * np.arange(1, m + 1, dtype=np.float64))


def dense_matrix(m):
    i = np.arange(1, m + 1)
    s = 0.5 / np.sqrt(m)
    return 3.0 * np.eye(m) + s * np.sin(0.618 * np.outer(i, i).astype(np.float64))


def shift_left(y):   # y_{i-1}, 0 at i = 0
    return jnp.concatenate([jnp.zeros(1, y.dtype), y[:-1]])


def shift_right(y):  # y_{i+1}, 0 at i = m-1
    return jnp.concatenate([y[1:], jnp.zeros(1, y.dtype)])


def make_problem(name, m):
    """Returns (F(y, x), newton(x), x, tags) for one family and size."""
    if name in ("dense", "dense-blas"):   # dense-blas: ours hand-written with BLAS, theirs the same code
        M = jnp.asarray(dense_matrix(m))

        def F(y, x):
            return M @ y + jnp.tanh(y) - x

        def newton(x):
            def step(state):
                y, _, it = state
                A = M + jnp.diag(1.0 - jnp.tanh(y) ** 2)
                d = jnp.linalg.solve(A, F(y, x))
                return y - d, jnp.max(jnp.abs(d)) / jnp.maximum(1.0, jnp.max(jnp.abs(y - d))), it + 1

            y, _, _ = jax.lax.while_loop(lambda s: (s[1] > 1e-14) & (s[2] < 50), step,
                                         (jnp.zeros(m), jnp.inf, 0))
            return y

        ystar = reference_solution(m)
        x = np.asarray(dense_matrix(m) @ ystar + np.tanh(ystar))
        return F, newton, x, frozenset()

    def F(y, x):
        yl, yr = shift_left(y), shift_right(y)
        return y + y ** 3 / 3 + KAPPA * (2 * y - yl - yr) + BETA * (yr - yl) - x

    lower = jnp.full(m, -KAPPA - BETA).at[0].set(0.0)
    upper = jnp.full(m, -KAPPA + BETA).at[m - 1].set(0.0)

    def newton(x):
        def step(state):
            y, _, it = state
            diag = 1 + y * y + 2 * KAPPA
            d = jax.lax.linalg.tridiagonal_solve(lower, diag, upper, F(y, x)[:, None])[:, 0]
            return y - d, jnp.max(jnp.abs(d)) / jnp.maximum(1.0, jnp.max(jnp.abs(y - d))), it + 1

        y, _, _ = jax.lax.while_loop(lambda s: (s[1] > 1e-14) & (s[2] < 50), step, (jnp.zeros(m), jnp.inf, 0))
        return y

    ystar = reference_solution(m)
    yl = np.concatenate([[0.0], ystar[:-1]])
    yr = np.concatenate([ystar[1:], [0.0]])
    x = ystar + ystar ** 3 / 3 + KAPPA * (2 * ystar - yl - yr) + BETA * (yr - yl)
    return F, newton, x, frozenset({lx.tridiagonal_tag})


def fmt(s):
    if s is None:
        return "n/a"
    return f"{s * 1e3:.3f} ms" if s >= 1e-3 else f"{s * 1e6:.1f} µs"


def main():
    records = json.load(open(sys.argv[1]))
    rows, failures = [], []
    for r in records:
        name, m, ours = r["problem"], r["size"], r["seconds"]
        F, newton, x, tags = make_problem(name, m)
        x = jnp.asarray(x)
        v = jnp.asarray(probe(m))
        matrix = r["representation"] == "matrix"
        reps = 5 if m >= 1000 else (51 if m >= 100 else 201)  # µs-scale medians need many samples

        # jaxopt: custom_root with the matching linear solver (reverse mode only).
        if matrix:
            solve = jaxopt.linear_solve.solve_lu
        else:
            solve = functools.partial(jaxopt.linear_solve.solve_gmres, tol=1e-10, atol=0.0, restart=30)

        @jaxopt.implicit_diff.custom_root(F, solve=solve)
        def jaxopt_solver(init, x):
            del init
            return newton(x)

        def jaxopt_root(x):
            return jaxopt_solver(jnp.zeros(m), x)

        # optimistix: root_find + ImplicitAdjoint with the matching lineax solver.
        adjoint_solver = lx.LU() if matrix else lx.GMRES(rtol=1e-10, atol=0.0, restart=30, max_steps=20_000)
        forward_solver = lx.Tridiagonal() if name == "banded" else lx.LU()

        def optx_root(x):
            sol = optx.root_find(F, optx.Newton(rtol=1e-13, atol=1e-13, linear_solver=forward_solver),
                                 jnp.zeros(m), args=x, adjoint=optx.ImplicitAdjoint(linear_solver=adjoint_solver),
                                 tags=tags, max_steps=50, throw=False)
            return sol.value

        fns = {
            "jaxopt": {
                "forward": jax.jit(jaxopt_root),
                "vjp": jax.jit(lambda x, v: jax.vjp(jaxopt_root, x)[1](v)[0]),
                "jacobian": jax.jit(jax.jacrev(jaxopt_root)),
            },
            "optimistix": {
                "forward": jax.jit(optx_root),
                "jvp": jax.jit(lambda x, v: jax.jvp(optx_root, (x,), (v,))[1]),
                "vjp": jax.jit(lambda x, v: jax.vjp(optx_root, x)[1](v)[0]),
                "jacobian": jax.jit(jax.jacfwd(optx_root)),
            },
        }
        # Forward: both peers must reproduce the reference solution y*.
        ours_values = {"forward": reference_solution(m), "jvp": r["jvp"], "vjp": r["vjp"]}
        if r.get("jacobian") is not None:
            ours_values["jacobian"] = np.asarray(r["jacobian"]).reshape(m, m).T   # column-major → row-major
        for op in ["forward", "jvp", "vjp", "jacobian"]:
            if op not in ours:
                continue
            theirs, agree = {}, []
            for lib in ["jaxopt", "optimistix"]:
                fn = fns[lib].get(op)
                if fn is None:
                    theirs[lib] = None
                    continue
                args = (x, v) if op in ("jvp", "vjp") else (x,)
                theirs[lib] = median_time(fn, *args, reps=3 if op == "jacobian" and m >= 1000 else reps)
                if op in ours_values:
                    e = rel(fn(*args), ours_values[op])
                    agree.append(e)
                    if not e <= 1e-8:
                        failures.append(f"{name} m={m} {op} {lib}: relative difference {e:.2e}")
            peers = {lib: t for lib, t in theirs.items() if t is not None}
            best = min(peers, key=peers.get) if peers else None
            rows.append((name, m, r["solver"], op, ours[op], theirs["jaxopt"], theirs["optimistix"], best,
                         peers[best] / ours[op] if best else None, max(agree) if agree else None))
            print(f"  measured {name} m={m} {op}", file=sys.stderr, flush=True)

    given_rows = []
    if len(sys.argv) > 2:
        given_rows, given_failures = peers_given.run(json.load(open(sys.argv[2])))
        failures += given_failures

    print(f"jax {jax.__version__}, float64, CPU; best peer / ours (> 1: we are faster)")
    if rows:
        print("| problem | m | our solver | op | ours | jaxopt | optimistix | best peer | best peer / ours "
              "| max rel. diff |")
        print("|---|---|---|---|---|---|---|---|---|---|")
    for (name, m, solver, op, o, j, x_, best, ratio, diff) in rows:
        print(f"| {name} | {m} | {solver} | {op} | {fmt(o)} | {fmt(j)} | {fmt(x_)} | {best or 'n/a'} | "
              f"{'n/a' if ratio is None else f'{ratio:.2f}×'} | {'—' if diff is None else f'{diff:.1e}'} |")
    if given_rows:
        peers_given.print_table(given_rows)
    if failures:
        print("DERIVATIVES DISAGREE:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("all derivatives agree to 1e-8 relative")


if __name__ == "__main__":
    main()
