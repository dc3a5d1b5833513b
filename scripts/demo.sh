#!/usr/bin/env bash
# The main job: set-up (with Numba for comparison), then the demonstration
# that times the examples under plain Python, oxjit and Numba.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
OXJIT_WITH_NUMBA=1 bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
exec "$PY" -m oxjit.demo "$@"
