#!/usr/bin/env bash
# Runs every test: set-up (scripts/setup.sh), the lints (rustfmt, clippy
# with warnings as errors), the Rust tests of every crate except the
# extension, then the Python suite. pytest's summary line is the last line
# printed.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"

echo "== lint"
cargo fmt --all --check
cargo clippy --workspace --all-targets -q -- -D warnings

echo "== cargo test"
INSTA_UPDATE=no cargo test --workspace --exclude oxjit-python

echo "== pytest"
set +e
"$PY" -m pytest -q tests
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$rc"
