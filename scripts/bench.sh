#!/usr/bin/env bash
# Benchmarks (not part of the test run): set-up with Numba, then benches/bench.py
# (or, with `loops` as the first argument, the loop-pattern suite benches/loops.py).
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
OXJIT_WITH_NUMBA=1 bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
if [ "${1:-}" = "loops" ]; then
    shift
    exec "$PY" benches/loops.py "$@"
fi
exec "$PY" benches/bench.py "$@"
