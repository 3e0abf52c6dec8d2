#!/usr/bin/env bash
# keepwarm against graphile-worker 0.18 on one PostgreSQL, in one run; prints one JSON object.
#
#   scripts/pgbench/compare.sh [--size full|quick|smoke] [--only burn_down,pickup,...] [--pg URL]
#
# Builds keepwarm (release; KEEPWARM_BIN to use another binary), installs the pinned node project
# (package-lock.json: graphile-worker 0.18.0 from the npm registry), then runs compare.js. The
# server is KEEPWARM_TEST_PG (default postgres://root@127.0.0.1:5432/postgres); every figure makes
# and drops databases named pgbench_* on it. Full sizes take about 25 minutes on two cores.
# Method and figures: docs/PERFORMANCE.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -z "${KEEPWARM_BIN:-}" ]; then
    cargo build --locked --quiet --release -p keepwarm --manifest-path "$root/Cargo.toml" >&2
    KEEPWARM_BIN="$root/target/release/keepwarm"
fi
if [ ! -d "$here/node_modules/graphile-worker" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --silent) >&2
fi
exec node "$here/compare.js" --keepwarm "$KEEPWARM_BIN" "$@"
