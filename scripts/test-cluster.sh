#!/usr/bin/env bash
# `npm run test:cluster`: the native cluster (`npm run cluster`), then the integration suite and
# the cluster-only tests (test/cluster: worker SIGKILLed under load, Temporal server restart)
# against it. The cluster is left running for a second run; `npm run cluster -- stop` ends it.
# Tests that start a Temporal server of their own on purpose (a bare one, one they stop) still
# do so.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/cluster.sh start
export COUNTERSIGN_TEST_TEMPORAL_ADDRESS="127.0.0.1:${CLUSTER_TEMPORAL_PORT:-17233}"
export COUNTERSIGN_TEST_TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
export COUNTERSIGN_CLUSTER_SCRIPT="$ROOT/scripts/cluster.sh"
pid_file="${CLUSTER_DIR:-$ROOT/.data/cluster}/temporal.pid"
[ -f "$pid_file" ] && export COUNTERSIGN_TEST_TEMPORAL_PID="$(cat "$pid_file")"
exec npx jest --runInBand test/integration test/cluster "$@"
