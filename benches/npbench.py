"""NPBench coverage and speed: oxjit against Numba and NumPy on spcl/npbench.

For every benchmark described by ``bench_info/*.json`` in an npbench checkout
this runs three implementations on the same input data:

- ``numpy``: ``<module>_numpy.py``, the reference (its outputs are the ones
  the others are checked against, and its time is the ratios' denominator);
- ``oxjit``: ``<module>_numba_n.py`` (the nopython variant) executed with
  ``import numba`` resolved to ``oxjit``;
- ``numba``: the same file with the real Numba (skip with ``--no-numba``).

Per framework and kernel it reports whether the first call succeeded
("compiled"), whether the outputs match NumPy's ("validated": as npbench
does, every output must pass ``np.allclose(ref, val, rtol, atol)`` or else
have a relative norm error ``|ref - val| / |ref|`` below ``norm_error``, with
the benchmark's own ``rtol``/``atol``/``norm_error`` where it sets them, else
1e-5/1e-8/1e-5), the first-call time (compile + run), the steady-state time
(best of ``--repeat`` calls, each on fresh copies of the array arguments, the
copy not timed) and the ratio of that to NumPy's steady time. The outputs
compared are the return value(s) followed by the benchmark's
``output_args`` arrays (which kernels modify in place). A summary gives the
counts, geometric means of the time ratios over the kernels where both sides
validate, and oxjit's failures with the first line of each error.

Each (kernel, framework) pair runs in its own subprocess with a timeout, so a
crash or a hang only costs that one row. The NumPy run writes the input data
and its outputs to a temporary pickle that the other two load, so all three
see identical inputs even where npbench's initialisers are not seeded.

Nothing is downloaded; get npbench once with
``git clone https://github.com/spcl/npbench`` and run

    .venv/bin/python benches/npbench.py /path/to/npbench [--preset S]
        [--only NAME ...] [--no-numba] [--repeat N] [--timeout SEC]
        [--json FILE]

``NAME`` is a ``bench_info`` file name without ``.json``, a short name or a
module name (``adi``, ``gemm``, ``nbody``, ...). SciPy should be importable:
``spmv``'s initialiser needs it, and so does Numba for ``np.dot``/``@``
(without it those runs fail and are reported as such; a SciPy installed
elsewhere can be added with ``PYTHONPATH``).
Timings on the small presets are single calls of micro- to milliseconds, so
expect noise; the coverage columns are the robust part.
"""

import argparse
import glob
import importlib.util
import json
import math
import os
import pickle
import re
import subprocess
import sys
import tempfile
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))

FRAMEWORKS = ("numpy", "oxjit", "numba")
NAME_W = 26  # kernel-name column
_MISSING = object()


# --- benchmark description and loading ---------------------------------------------------


def load_infos(root):
    """{name: info} for every bench_info/*.json, name being the file stem."""
    infos = {}
    for path in sorted(glob.glob(os.path.join(root, "bench_info", "*.json"))):
        with open(path) as f:
            infos[os.path.splitext(os.path.basename(path))[0]] = json.load(f)["benchmark"]
    return infos


def source_path(root, info, suffix=""):
    folder = os.path.join(root, "npbench", "benchmarks", info["relative_path"])
    return os.path.join(folder, info["module_name"] + suffix + ".py")


def load_module(path, unique_name, numba_alias=None):
    """Execute the file at ``path`` as a fresh module; while it runs,
    ``import numba`` yields ``numba_alias`` when one is given."""
    spec = importlib.util.spec_from_file_location(unique_name, path)
    module = importlib.util.module_from_spec(spec)
    if numba_alias is None:
        spec.loader.exec_module(module)
        return module
    saved = sys.modules.get("numba", _MISSING)
    sys.modules["numba"] = numba_alias
    try:
        spec.loader.exec_module(module)
    finally:  # put back whatever "numba" was before
        if saved is _MISSING:
            del sys.modules["numba"]
        else:
            sys.modules["numba"] = saved
    return module


def init_data(root, info, preset):
    """The preset's parameters plus whatever the benchmark's initialiser returns."""
    if preset not in info["parameters"]:
        raise KeyError(f"no preset {preset!r}")
    data = dict(info["parameters"][preset])
    init = info.get("init")
    if init:
        module = load_module(source_path(root, info), "npb_init_" + info["module_name"])
        np.random.seed(42)  # a few initialisers use the global, unseeded generator
        values = getattr(module, init["func_name"])(*(data[a] for a in init["input_args"]))
        names = init["output_args"]
        if len(names) == 1:
            values = (values,)
        data.update(zip(names, values))
    return data


# --- calling, timing, validating ---------------------------------------------------------


def call(fn, info, data):
    """One call on fresh copies of the array arguments: (seconds, outputs),
    outputs being the returned value(s) followed by the output_args arrays."""
    args = {a: data[a] for a in info["input_args"]}
    for a in info["array_args"]:
        args[a] = np.copy(data[a])
    t0 = time.perf_counter()
    result = fn(*(args[a] for a in info["input_args"]))
    seconds = time.perf_counter() - t0
    if result is None:
        outputs = []
    elif isinstance(result, (tuple, list)):
        outputs = list(result)
    else:
        outputs = [result]
    return seconds, outputs + [args[a] for a in info.get("output_args", [])]


def steady_time(fn, info, data, repeat):
    return min(call(fn, info, data)[0] for _ in range(repeat))


def relative_error(ref, val):
    return float(np.linalg.norm(ref - val) / np.linalg.norm(ref))


def validate(ref, val, info):
    """(ok, message): npbench's rule, output by output. Like npbench, pairs
    up the outputs in order and ignores surplus ones (some NumPy versions
    return an array that the Numba version only updates in place)."""
    if val and not ref or ref and not val:
        return False, f"{len(val)} outputs, NumPy has {len(ref)}"
    rtol, atol = info.get("rtol", 1e-5), info.get("atol", 1e-8)
    norm_error = info.get("norm_error", 1e-5)
    for i, (r, v) in enumerate(zip(ref, val)):
        r, v = np.asarray(r), np.asarray(v)
        if r.shape != v.shape:
            return False, f"output {i}: shape {v.shape}, NumPy has {r.shape}"
        if np.allclose(r, v, rtol=rtol, atol=atol):
            continue
        err = relative_error(r, v)
        if not err < norm_error:
            return False, f"output {i}: relative error {err:.3g} (limit {norm_error:g})"
    return True, ""


def first_line(exc):
    """The error's first line; past "Failed to compile ..." headers, the
    first diagnostic (``OX103: ...``) that is not itself "cannot compile the
    call to ..." (a callee's failure), i.e. the root cause."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    if not lines:
        return type(exc).__name__
    causes = [ln for ln in lines
              if re.match(r"[A-Z]+\d+: ", ln) and "cannot compile the call to" not in ln]
    return f"{type(exc).__name__}: {causes[0] if causes else lines[0]}"


# --- worker: one framework on one kernel, in a subprocess --------------------------------


def load_impl(root, info, fw):
    if fw == "numpy":
        path, alias = source_path(root, info, "_numpy"), None
    else:
        path = source_path(root, info, "_numba_n")
        alias = __import__(fw)  # "oxjit" stands in for numba; "numba" is itself
    module = load_module(path, f"npb_{fw}_{info['module_name']}", alias)
    return getattr(module, info["func_name"])


def worker(root, name, fw, preset, repeat, ref_path):
    """Row for ``fw`` on ``name``; the numpy run also writes ``ref_path``."""
    info = load_infos(root)[name]
    row = {"kernel": name, "framework": fw, "compiled": False, "validated": None,
           "first_s": None, "steady_s": None, "error": None}
    stage = "init"
    try:
        if os.path.exists(ref_path):
            with open(ref_path, "rb") as f:
                data, ref = pickle.load(f)
        else:  # numpy's run, or NumPy failed: own data, nothing to compare with
            data, ref = init_data(root, info, preset), None
        stage = "load"
        fn = load_impl(root, info, fw)
        stage = "first call"
        row["first_s"], outputs = call(fn, info, data)
        row["compiled"] = True
        if fw == "numpy":
            with open(ref_path, "wb") as f:
                pickle.dump((data, outputs), f)
        elif ref is not None:
            stage = "validation"
            row["validated"], message = validate(ref, outputs, info)
            row["error"] = message or None
        stage = "steady run"
        row["steady_s"] = steady_time(fn, info, data, repeat)
    except Exception as exc:  # noqa: BLE001 - every failure is a result here
        traceback.print_exc()
        row["error"] = f"[{stage}] {first_line(exc)}"
        row["error_text"] = str(exc)[:4000]
        if stage == "validation":
            row["validated"] = False
    return row


# --- driver ---------------------------------------------------------------------------------


def run_isolated(args, name, fw, ref_path):
    """Run ``worker`` in a fresh interpreter; a crash or timeout becomes a row."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        cmd = [sys.executable, os.path.abspath(__file__), args.root, "--worker", name, fw,
               ref_path, out.name, "--preset", args.preset, "--repeat", str(args.repeat)]
        failed = {"kernel": name, "framework": fw, "compiled": False, "validated": None,
                  "first_s": None, "steady_s": None}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            return {**failed, "error": f"[timeout] no result after {args.timeout:g} s"}
        text = out.read()
        if text:
            return json.loads(text)
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {**failed, "error": f"[crash] exit status {proc.returncode}: {tail}"}


def fmt_time(s):
    if s is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g}{unit}"
    return f"{s * 1e9:.3g}ns"


def status(row):
    if not row["compiled"]:
        return "FAIL"
    return {True: "ok", False: "WRONG", None: "ran"}[row["validated"]]


def print_header(frameworks):
    cols = [f"{'kernel':<{NAME_W}}{'numpy':>9}"]
    cols += [f"{fw + ' status':>14}{'first':>9}{'steady':>9}{'/np':>7}" for fw in frameworks[1:]]
    print("".join(cols))


def print_kernel(name, rows, frameworks):
    np_row = rows["numpy"]
    line = f"{name:<{NAME_W}}{fmt_time(np_row['steady_s']) if np_row['compiled'] else 'FAIL':>9}"
    for fw in frameworks[1:]:
        r = rows[fw]
        ratio = ratio_of(r, np_row)
        line += (f"{status(r):>14}{fmt_time(r['first_s']):>9}{fmt_time(r['steady_s']):>9}"
                 f"{f'{ratio:.2f}' if ratio else '-':>7}")
    print(line, flush=True)


def ratio_of(row, base):
    if row.get("steady_s") and base.get("steady_s"):
        return row["steady_s"] / base["steady_s"]
    return None


def geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values)) if values else float("nan")


def summarize(results, frameworks, skipped):
    """results: {kernel: {framework: row}}."""
    n = len(results)
    print(f"\n{n} kernels run, {len(skipped)} skipped (no _numba_n): {', '.join(skipped) or '-'}")
    for fw in frameworks:
        rows = [r[fw] for r in results.values()]
        ran = sum(r["compiled"] for r in rows)
        ok = sum(bool(r["validated"]) for r in rows)
        extra = "" if fw == "numpy" else f", validated {ok}/{n}"
        print(f"  {fw:<6} compiled/ran {ran}/{n}{extra}")
    good = lambda r: r["compiled"] and (r["validated"] or r["framework"] == "numpy")  # noqa: E731
    pairs = [("oxjit", "numpy")] + ([("numba", "numpy"), ("oxjit", "numba")]
                                     if "numba" in frameworks else [])
    for a, b in pairs:
        ratios = [ratio_of(r[a], r[b]) for r in results.values() if good(r[a]) and good(r[b])]
        ratios = [x for x in ratios if x]
        print(f"  geomean steady {a}/{b}: {geomean(ratios):.3f} over {len(ratios)} kernels")
    fails = [(k, r["oxjit"]) for k, r in results.items() if not good(r["oxjit"])]
    print(f"\noxjit failures ({len(fails)}):")
    for k, r in fails:
        numba = f" (numba: {status(results[k]['numba'])})" if "numba" in frameworks else ""
        print(f"  {k:<{NAME_W}}{status(r):<7}{r.get('error') or ''}{numba}")


def select(infos, only, root):
    """(names to run, names skipped for lacking a _numba_n file)."""
    names, skipped = [], []
    for name, info in infos.items():
        if only and not ({name, info.get("short_name"), info["module_name"]} & set(only)):
            continue
        ok = os.path.exists(source_path(root, info, "_numba_n"))
        (names if ok else skipped).append(name)
    return names, skipped


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("root", help="path of an npbench checkout")
    p.add_argument("--preset", default="S", help="S, M, L or paper (default S)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    p.add_argument("--no-numba", action="store_true", help="skip the real Numba")
    p.add_argument("--repeat", type=int, default=5, help="steady-state calls (best is kept)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per kernel and framework")
    p.add_argument("--json", metavar="FILE", help="write all rows to FILE")
    p.add_argument("--worker", nargs=4, metavar=("NAME", "FW", "REF", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.worker:
        name, fw, ref_path, out_path = args.worker
        row = worker(args.root, name, fw, args.preset, args.repeat, ref_path)
        with open(out_path, "w") as f:
            json.dump(row, f)
        return

    infos = load_infos(args.root)
    if not infos:
        sys.exit(f"no bench_info/*.json under {args.root}")
    names, skipped = select(infos, args.only, args.root)
    frameworks = FRAMEWORKS[:2] if args.no_numba else FRAMEWORKS
    results = {}
    print(f"npbench preset {args.preset}, {len(names)} kernels, best of {args.repeat}\n")
    print_header(frameworks)
    with tempfile.TemporaryDirectory(prefix="npbench-") as tmp:
        for name in names:
            ref_path = os.path.join(tmp, name + ".pkl")
            rows = {fw: run_isolated(args, name, fw, ref_path) for fw in frameworks}
            for fw in frameworks[1:]:
                rows[fw]["ratio_np"] = ratio_of(rows[fw], rows["numpy"])
            results[name] = rows
            print_kernel(name, rows, frameworks)
    summarize(results, frameworks, skipped)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"preset": args.preset, "repeat": args.repeat, "skipped": skipped,
                       "rows": [r for rows in results.values() for r in rows.values()]}, f, indent=1)


if __name__ == "__main__":
    main()
