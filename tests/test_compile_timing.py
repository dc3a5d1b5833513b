"""`OXJIT_DEBUG_TIMING=1` reports every compilation's stage times on
stderr, and a compilation that runs longer than a second (here: than
`OXJIT_COMPILE_NOTE_SECONDS`) says what it is compiling while it runs.
Run in fresh interpreters, since both are read once per process."""

import os
import re
import subprocess
import sys

PROGRAM = """
import numpy as np
from oxjit import njit

@njit
def f(a, k):
    return (np.sqrt(a * k) + a).sum()

print(f(np.arange(10.0), 2))
"""

STAGES = ["hir", "typeck", "codegen", "llvm-opt", "llvm-print", "llvm-codegen", "link"]


def run(tmp_path, **env):
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)
    full = {**os.environ, **env}
    for name in ("OXJIT_DEBUG_TIMING", "OXJIT_COMPILE_NOTE_SECONDS"):
        if name not in env:
            full.pop(name, None)
    r = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=full, timeout=120
    )
    assert r.returncode == 0, r.stderr
    return r.stderr


def test_debug_timing_reports_every_stage(tmp_path):
    err = run(tmp_path, OXJIT_DEBUG_TIMING="1")
    (line,) = [x for x in err.splitlines() if x.startswith("oxjit: compiled")]
    assert line.startswith("oxjit: compiled 'f' for (array(float64, 1d, C), int64) in ")
    for stage in STAGES:
        assert re.search(rf"\b{stage} \d+\.\d\d ms", line), (stage, line)


def test_quiet_by_default(tmp_path):
    assert run(tmp_path) == ""
    assert run(tmp_path, OXJIT_DEBUG_TIMING="0") == ""


def test_slow_compilation_says_what_it_compiles(tmp_path):
    err = run(tmp_path, OXJIT_COMPILE_NOTE_SECONDS="0")
    assert "oxjit: still compiling 'f' for (array(float64, 1d, C), int64) after 0.0 s ..." in err
