"""Runs Numba's own test modules against oxjit, as a user switching over
would: the installed ``numba`` wheel's ``numba/tests`` are the data (nothing
is vendored here); each module runs twice in fresh interpreters, once as
Numba ships it and once with compilation routed to oxjit (``numba.jit``,
``numba.njit`` and ``numba.core.decorators`` replaced by oxjit's, and
``numba.core.errors``' classes by oxjit's of the same names, before the
module is imported). A test counts for oxjit when it passes *and* oxjit
compiled something (or raised a compile error) while it ran, or its source names an oxjit function
compiled before it (an eager signature compiled at import, a function an
earlier test compiled), so a test that never reaches a compiler does not
count.

    python scripts/numba_suite.py                      # the default modules
    python scripts/numba_suite.py test_range test_tuples --sample 30 --json out.json
    python scripts/numba_suite.py test_tuples --show-failures

Prints per module: tests run, passing under Numba, passing under oxjit
(with an oxjit compilation), and of those passing under Numba, how many
oxjit passes. ``--show-failures`` lists each test that passes under Numba
but not under oxjit, with the first line of its error.
"""

import argparse
import json
import os
import random
import subprocess
import sys

DEFAULT_MODULES = [
    "test_range",
    "test_mathlib",
    "test_operators",
    "test_builtins",
    "test_tuples",
    "test_recursion",
    "test_exceptions",
    "test_closure",
    "test_comprehension",
    "test_generators",
    "test_array_reductions",
    "test_np_functions",
    "test_ufuncs",
    "test_unicode",
    "test_random",
    "test_linalg",
    "test_typedlist",
    "test_dictobject",
    "test_jitclasses",
    "test_caching",
]

# Runs inside the child interpreter: argv is (module, mode, sample, seed).
CHILD = r'''
import inspect, json, random, re, sys, unittest, warnings
module, mode, sample, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
warnings.simplefilter("ignore")
made = []
errors_raised = [0]
if mode == "oxjit":
    import numba, numba.core.decorators, oxjit

    def route(real):
        def routed(*args, **kwargs):
            out = real(*args, **kwargs)
            if callable(out) and not isinstance(out, oxjit.Dispatcher):
                def finish(f, out=out):
                    d = out(f)
                    made.append(d)
                    return d
                return finish
            made.append(out)
            return out
        return routed

    for owner in (numba, numba.core.decorators):
        owner.jit = route(oxjit.jit)
        owner.njit = route(oxjit.njit)
    # A compile error oxjit raised is oxjit's work too (tests of errors).
    _init = oxjit.errors.NumbaError.__init__

    def counted(self, *args, **kwargs):
        errors_raised[0] += 1
        _init(self, *args, **kwargs)

    oxjit.errors.NumbaError.__init__ = counted
    # Under `import oxjit as numba` these names are oxjit's classes.
    import numba.core.errors as nerr
    for name in oxjit.errors.__all__:
        if hasattr(nerr, name):
            setattr(nerr, name, getattr(oxjit.errors, name))

def compiled():
    return sum(len(getattr(d, "signatures", ()) or ()) for d in made) + errors_raised[0]

def uses_compiled(t):
    """Whether the test's source names an oxjit function compiled already."""
    names = {d.__name__ for d in made if getattr(d, "signatures", None)}
    try:
        src = inspect.getsource(getattr(t, t._testMethodName))
    except (OSError, TypeError, AttributeError):
        return False
    return any(re.search(r"\b%s\b" % re.escape(n), src) for n in names)

results = {}
try:
    mod = __import__("numba.tests." + module, fromlist=["*"])
    suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
except Exception as e:
    print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
    sys.exit(0)

def flatten(s):
    for t in s:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t

tests = sorted(flatten(suite), key=lambda t: t.id())
if sample and len(tests) > sample:
    tests = sorted(random.Random(seed).sample(tests, sample), key=lambda t: t.id())
for t in tests:
    before = compiled()
    used_before = uses_compiled(t)
    r = unittest.TestResult()
    try:
        t.run(r)
    except BaseException as e:  # a crash of the harness's own making
        r.errors.append((t, repr(e)))
    bad = r.errors + r.failures
    skipped = bool(r.skipped)
    if skipped:
        status, why = "skip", str(r.skipped[0][1])[:200]
    elif bad or r.unexpectedSuccesses:
        lines = [l for l in (bad[0][1] if bad else "unexpected success").strip().splitlines() if l.strip()]
        status, why = "fail", (lines[-1] if lines else "?")[:300]
    else:
        status, why = "pass", ""
    results[t.id().rsplit(".", 2)[-2] + "." + t.id().rsplit(".", 1)[-1]] = {
        "status": status, "why": why, "compiled": compiled() > before or used_before,
    }
print(json.dumps({"results": results}))
'''


def run_module(module, mode, sample, seed, timeout):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    try:
        p = subprocess.run(
            [sys.executable, "-c", CHILD, module, mode, str(sample), str(seed)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (p.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"exit status {p.returncode}: {tail[:300]}"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("modules", nargs="*", default=DEFAULT_MODULES)
    ap.add_argument("--sample", type=int, default=0, help="tests per module (0: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=int, default=900, help="seconds per module and mode")
    ap.add_argument("--json", help="write the per-test results here")
    ap.add_argument("--show-failures", action="store_true")
    args = ap.parse_args()
    try:
        import numba  # noqa: F401
    except ImportError:
        sys.exit("numba is not installed (pip install numba): its tests are the data")
    report = {}
    print(f"{'module':24} {'tests':>6} {'numba':>6} {'oxjit':>6} {'both':>6}")
    totals = [0, 0, 0, 0]
    for module in args.modules:
        ref = run_module(module, "numba", args.sample, args.seed, args.timeout)
        ox = run_module(module, "oxjit", args.sample, args.seed, args.timeout)
        report[module] = {"numba": ref, "oxjit": ox}
        if "error" in ref:
            print(f"{module:24} numba run failed: {ref['error']}")
            continue
        r = ref["results"]
        o = ox.get("results", {})
        numba_pass = {k for k, v in r.items() if v["status"] == "pass"}
        ox_pass = {k for k, v in o.items() if v["status"] == "pass" and v["compiled"]}
        row = [len(r), len(numba_pass), len(ox_pass), len(numba_pass & ox_pass)]
        totals = [a + b for a, b in zip(totals, row)]
        note = f"  (oxjit run: {ox['error']})" if "error" in ox else ""
        print(f"{module:24} {row[0]:6} {row[1]:6} {row[2]:6} {row[3]:6}{note}")
        if args.show_failures:
            for k in sorted(numba_pass - ox_pass):
                v = o.get(k, {"status": "missing", "why": ox.get("error", "")})
                why = v["why"] if v["status"] != "pass" else "passed without an oxjit compilation"
                print(f"    {k}: {why}")
    print(f"{'total':24} {totals[0]:6} {totals[1]:6} {totals[2]:6} {totals[3]:6}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
