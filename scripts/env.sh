# Environment shared by the scripts (sourced, not run): where LLVM 19 and
# cargo are, and the project's virtual environment.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LLVM_SYS_191_PREFIX="${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}"
if [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
fi
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
