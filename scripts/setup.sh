#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian/Ubuntu machine (run as root):
#   1. the apt packages LLVM 19 needs (apt-get update only when one is missing),
#   2. a virtual environment .venv with maturin, numpy, pytest, hypothesis
#      (and numba when OXJIT_WITH_NUMBA=1, for the demo and benchmarks),
#   3. the release build of the extension into .venv (maturin develop).
# Rust (rustc, cargo) must already be installed.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

say() { printf '[setup] %s\n' "$*"; }

# --- 1. system packages -----------------------------------------------------------
PKGS=(llvm-19-dev libpolly-19-dev zlib1g-dev libzstd-dev libxml2-dev build-essential python3-venv)
missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
        SUDO="sudo"
    fi
    say "installing ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ ! -x "$LLVM_SYS_191_PREFIX/bin/llvm-config" ]; then
    echo "error: LLVM 19 not found at $LLVM_SYS_191_PREFIX (set LLVM_SYS_191_PREFIX)" >&2
    exit 1
fi

# --- 2. Rust ---------------------------------------------------------------------
for tool in rustc cargo; do
    if ! command -v "$tool" >/dev/null; then
        echo "error: $tool not found; install Rust (https://rustup.rs) and re-run" >&2
        exit 1
    fi
done

# --- 3. virtual environment -----------------------------------------------------------
if ! "$PY" -c "import sys" >/dev/null 2>&1; then
    PYTHON="${PYTHON:-python3}"
    "$PYTHON" -c "import sys; sys.exit(sys.version_info < (3, 10))" || {
        echo "error: oxjit needs Python >= 3.10 ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
        exit 1
    }
    say "creating $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
want=()
"$PY" -c "import numpy" 2>/dev/null || want+=(numpy)
"$PY" -c "import pytest" 2>/dev/null || want+=(pytest)
"$PY" -c "import hypothesis" 2>/dev/null || want+=(hypothesis)
[ -x "$VENV/bin/maturin" ] || want+=(maturin)
if [ ${#want[@]} -gt 0 ]; then
    say "pip install ${want[*]}"
    "$PY" -m pip install -q --disable-pip-version-check "${want[@]}"
fi
# scipy: Numba's np.dot needs its BLAS bindings.
if [ "${OXJIT_WITH_NUMBA:-0}" = "1" ] && ! "$PY" -c "import numba, scipy" 2>/dev/null; then
    say "pip install numba scipy (for comparison)"
    "$PY" -m pip install -q --disable-pip-version-check numba scipy ||
        say "warning: numba could not be installed; comparisons with Numba are skipped"
fi

# --- 4. the extension -------------------------------------------------------------
say "building the extension (maturin develop --release)"
VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop --release -q
"$PY" -c "import oxjit; print('[setup] oxjit', oxjit.__version__, 'ready in', '$VENV')"
