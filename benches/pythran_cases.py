"""Coverage on real kernels: pythran's test cases (a public collection of
numerical Python) run under `njit`, as a new user would try them. Not part
of the test run; prints how many run and agree with CPython.

    .venv/bin/python benches/pythran_cases.py DIR [--numba] [--verbose]

DIR holds the cases (`pythran/tests/cases/*.py` of serge-sans-paille/
pythran). Each `#runas` line of a case is one kernel: the case's module is
executed with every top-level function replaced by its jitted dispatcher,
then the line runs; it passes when it raises nothing and its value equals
CPython's (NumPy arrays to `allclose`). Each case runs in a child process
with a time limit, so a crash or a hang counts as a failure, not a stop.
"""

import argparse
import ast
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

CHILD = r"""
import ast, json, sys, types, warnings
import numpy as np
warnings.simplefilter("ignore")
path, tool = sys.argv[1], sys.argv[2]
if tool == "numba":
    import numba
    jit = numba.njit
else:
    sys.path.insert(0, sys.argv[3])
    import oxjit
    jit = oxjit.njit
src = open(path).read()
runs = [l[len("#runas"):].strip() for l in src.splitlines() if l.startswith("#runas")]

def module(jitted):
    ns = {"__name__": "case"}
    exec(compile(src, path, "exec"), ns)
    if jitted:
        for k, v in list(ns.items()):
            if isinstance(v, types.FunctionType) and v.__module__ == "case":
                ns[k] = jit(v)
    return ns

def run(ns, line):
    tree = ast.parse(line)
    last = tree.body.pop()
    exec(compile(tree, "<runas>", "exec"), ns)
    return eval(compile(ast.Expression(last.value), "<runas>", "eval"), ns)

def same(a, b):
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    try:
        return bool(np.allclose(np.asarray(a, dtype=complex), np.asarray(b, dtype=complex), equal_nan=True))
    except Exception:
        return a == b

out = []
for line in runs:
    try:
        want = run(module(False), line)
    except Exception as e:
        out.append(("skip", f"CPython: {type(e).__name__}"))
        continue
    try:
        got = run(module(True), line)
        out.append(("pass", "") if same(got, want) else ("wrong", repr(got)[:80]))
    except Exception as e:
        lines = str(e).splitlines() or [""]
        # A compile error's diagnostic line (its code), else the message.
        why = next((l for l in lines if l[:2] == "OX"), lines[0])
        out.append(("fail", f"{type(e).__name__}: {why[:110]}"))
print(json.dumps(out))
"""


def run_case(path, tool, timeout):
    cmd = [sys.executable, "-c", CHILD, path, tool, os.path.join(os.path.dirname(HERE), "python")]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [("fail", "timeout")]
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except Exception:
        tail = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return [("fail", f"crashed: {tail[:100]}")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--numba", action="store_true", help="also run Numba")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--timeout", type=float, default=120)
    opts = ap.parse_args()
    tools = ["oxjit"] + (["numba"] if opts.numba else [])
    cases = sorted(p for p in glob.glob(os.path.join(opts.dir, "*.py")) if "#runas" in open(p).read())
    totals = {t: {"pass": 0, "fail": 0, "wrong": 0, "skip": 0} for t in tools}
    for path in cases:
        name = os.path.basename(path)
        for t in tools:
            for status, why in run_case(path, t, opts.timeout):
                totals[t][status] += 1
                if opts.verbose and status != "pass":
                    print(f"  {t:6} {name:36} {status:5} {why}")
    for t in tools:
        c = totals[t]
        ran = c["pass"] + c["fail"] + c["wrong"]
        print(f"{t}: {c['pass']} of {ran} kernels agree with CPython ({c['wrong']} wrong, {c['fail']} fail; {c['skip']} skipped: CPython itself fails)")


if __name__ == "__main__":
    main()
