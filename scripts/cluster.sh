#!/usr/bin/env bash
# `npm run cluster [-- start|stop|status]`: a production-shaped Temporal stack on this machine,
# without Docker and from registry packages only: PostgreSQL from the Debian package (its own
# data directory under .data/cluster, run as the postgres user when started as root), the
# Temporal server and its SQL tool built from the Go module proxy (cached in
# .tools/cluster/bin; the first build takes about 15 minutes), both schemas from the module's
# schema/postgresql/v12 files, and the namespace, retention, search attributes, shard count
# and dynamic config of the compose stack (deploy/temporal/countersign.env and
# deploy/temporal/dynamic-config.yaml, read by both).
#
# Ports: CLUSTER_TEMPORAL_PORT (frontend gRPC, default 17233; the other services use the next
# ports up to +9, membership +100..+109), CLUSTER_POSTGRES_PORT (55432), CLUSTER_UI_PORT
# (18080; CLUSTER_UI=false leaves the Web UI out). CLUSTER_DIR (default .data/cluster) holds data,
# logs and pid files. CLUSTER_HISTORY_SHARDS overrides the shard count of countersign.env.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../deploy/temporal/countersign.env
set -a
. "$ROOT/deploy/temporal/countersign.env"
set +a

TEMPORAL_VERSION=v1.32.2
# The Web UI's Go server embeds the UI itself; the compose stack's temporalio/ui image is this version.
UI_VERSION=v2.49.1
GO_TOOLCHAIN=go1.26.10
DIR=$(mkdir -p "${CLUSTER_DIR:-$ROOT/.data/cluster}" && cd "${CLUSTER_DIR:-$ROOT/.data/cluster}" && pwd)
BIN="$ROOT/.tools/cluster/bin"
CLI="${TEMPORAL_CLI_PATH:-$ROOT/.tools/bin/temporal}"
PORT=${CLUSTER_TEMPORAL_PORT:-17233}
PG_PORT=${CLUSTER_POSTGRES_PORT:-55432}
UI_PORT=${CLUSTER_UI_PORT:-18080}
SHARDS=${CLUSTER_HISTORY_SHARDS:-$NUM_HISTORY_SHARDS}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
ADDRESS="127.0.0.1:$PORT"
PG_DATA="$DIR/postgres"
# Owned by the postgres user when run as root: its socket and its log.
PG_SOCKET="$DIR/postgres-run"

say() { printf '%s\n' "$@"; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }
# The server keeps its membership ports (frontend port + 100..109) in a PostgreSQL smallint.
case "$PORT" in *[!0-9]*|'') die "CLUSTER_TEMPORAL_PORT must be a port number" ;; esac
[ "$PORT" -le 32658 ] || die "CLUSTER_TEMPORAL_PORT must be at most 32658: the server stores its port + 109 in a smallint"
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# The PostgreSQL server refuses to run as root: as root, run it as the postgres user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$d" ]; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed: sudo apt-get install -y postgresql"
    say "Installing PostgreSQL (apt-get install -y postgresql)..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  printf '%s' "$d"
}

module_dir() { printf '%s' "$(go env GOMODCACHE)/go.temporal.io/server@$TEMPORAL_VERSION"; }

build_temporal() {
  if [ -x "$BIN/temporal-server" ] && [ -x "$BIN/temporal-sql-tool" ] && [ -d "$(module_dir)/schema" ]; then return; fi
  command -v go >/dev/null || die "Go is needed to build the Temporal server (https://go.dev/dl or apt-get install golang)"
  say "Building the Temporal server $TEMPORAL_VERSION and its SQL tool from the Go module proxy (about 15 minutes the first time)..."
  mkdir -p "$BIN/build"
  GOTOOLCHAIN=$GO_TOOLCHAIN GOBIN="$BIN/build" go install \
    "go.temporal.io/server/cmd/server@$TEMPORAL_VERSION" "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_VERSION"
  mv "$BIN/build/server" "$BIN/temporal-server"
  mv "$BIN/build/sql" "$BIN/temporal-sql-tool"
}

build_ui() {
  [ -x "$BIN/temporal-ui-server" ] && return
  say "Building the Temporal Web UI $UI_VERSION from the Go module proxy (a few minutes the first time)..."
  mkdir -p "$BIN/build"
  if GOTOOLCHAIN=$GO_TOOLCHAIN GOBIN="$BIN/build" go install "github.com/temporalio/ui-server/v2/cmd/server@$UI_VERSION"; then
    mv "$BIN/build/server" "$BIN/temporal-ui-server"
  else
    say "The Web UI did not build; the cluster runs without it."
  fi
}

start_postgres() {
  local bin
  bin=$(pg_bin)
  mkdir -p "$PG_SOCKET"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DATA" "$PG_SOCKET"
    # Local socket trusted (this script administers it); TCP only with the password.
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 >"$DIR/initdb.log"
  fi
  [ "$(id -u)" = 0 ] && chown postgres "$PG_SOCKET"
  if ! as_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_SOCKET/postgres.log" -w \
      -o "-p $PG_PORT -k $PG_SOCKET -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  fi
  as_pg "$bin/psql" -h "$PG_SOCKET" -p "$PG_PORT" -U postgres -d postgres -qtA -c \
    "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal') THEN CREATE ROLE temporal LOGIN CREATEDB PASSWORD 'temporal'; END IF; END \$\$;" >/dev/null
}

setup_schemas() {
  POSTGRES_SEEDS=127.0.0.1 DB_PORT=$PG_PORT POSTGRES_USER=temporal POSTGRES_PWD=temporal \
    TEMPORAL_SQL_TOOL="$BIN/temporal-sql-tool" TEMPORAL_SCHEMA_DIR="$(module_dir)/schema/postgresql/v12" \
    sh "$ROOT/deploy/temporal/setup-schema.sh" >"$DIR/schema.log" 2>&1 || { cat "$DIR/schema.log" >&2; die "schema setup failed"; }
}

write_config() {
  mkdir -p "$DIR/config"
  local store
  store() {
    cat <<YAML
      sql:
        pluginName: postgres12
        databaseName: $1
        connectAddr: 127.0.0.1:$PG_PORT
        connectProtocol: tcp
        user: temporal
        password: temporal
        maxConns: $2
        maxIdleConns: $2
        maxConnLifetime: 1h
YAML
  }
  local service
  service() {
    cat <<YAML
  $1:
    rpc:
      grpcPort: $2
      membershipPort: $3
      bindOnLocalHost: true
YAML
  }
  {
    cat <<YAML
# Written by scripts/cluster.sh; edit the script, not this file.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: $SHARDS
  datastores:
    default:
YAML
    store temporal 20
    say "    visibility:"
    store temporal_visibility 10
    cat <<YAML
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: 127.0.0.1:$((PORT + 9))
services:
YAML
    service frontend "$PORT" $((PORT + 100))
    say "      httpPort: $((PORT + 4))"
    service history $((PORT + 1)) $((PORT + 101))
    service matching $((PORT + 2)) $((PORT + 102))
    service worker $((PORT + 3)) $((PORT + 103))
    cat <<YAML
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: $ADDRESS
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $ROOT/deploy/temporal/dynamic-config.yaml
  pollInterval: 10s
YAML
  } >"$DIR/config/development.yaml"
}

start_temporal() {
  if alive "$DIR/temporal.pid"; then return; fi
  # Another server on the port would answer the health check in this one's place.
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then die "port $PORT is in use: set CLUSTER_TEMPORAL_PORT"; fi
  write_config
  # exec: the pid written is the server's own, and no shell keeps this script's output open.
  (cd "$DIR" && exec "$BIN/temporal-server" --root "$DIR" --config config --env development --allow-no-auth start \
    >>"$DIR/temporal.log" 2>&1 </dev/null) &
  echo $! >"$DIR/temporal.pid"
  local i
  for i in $(seq 1 120); do
    "$CLI" operator cluster health --address "$ADDRESS" >/dev/null 2>&1 && return
    alive "$DIR/temporal.pid" || { tail -20 "$DIR/temporal.log" >&2; die "the Temporal server exited (log: $DIR/temporal.log)"; }
    sleep 0.5
  done
  die "the Temporal server did not become healthy in 60 s (log: $DIR/temporal.log)"
}

start_ui() {
  [ "${CLUSTER_UI:-true}" != false ] && [ -x "$BIN/temporal-ui-server" ] || return 0
  alive "$DIR/ui.pid" && return 0
  cat >"$DIR/config/ui.yaml" <<YAML
temporalGrpcAddress: $ADDRESS
host: 127.0.0.1
port: $UI_PORT
enableUi: true
defaultNamespace: $NAMESPACE
YAML
  (exec "$BIN/temporal-ui-server" --root "$DIR" --config config --env ui start >>"$DIR/ui.log" 2>&1 </dev/null) &
  echo $! >"$DIR/ui.pid"
}

banner() {
  local rule
  rule=$(printf '─%.0s' $(seq 1 72))
  say "" "$rule" "  Temporal cluster (PostgreSQL, $SHARDS history shards) is running" "$rule"
  say "  Temporal        $ADDRESS   (namespace $NAMESPACE, retention $TEMPORAL_RETENTION)"
  say "  PostgreSQL      127.0.0.1:$PG_PORT   (user temporal; databases temporal, temporal_visibility)"
  if alive "$DIR/ui.pid"; then say "  Web UI          http://127.0.0.1:$UI_PORT"; else say "  Web UI          (not running)"; fi
  say "  Metrics         http://127.0.0.1:$((PORT + 9))/metrics"
  say "  Data and logs   $DIR"
  say "$rule"
  say "  TEMPORAL_ADDRESS=$ADDRESS npm start" "  COUNTERSIGN_TEST_TEMPORAL_ADDRESS=$ADDRESS npx jest test/integration/..." "  npm run cluster -- stop" "$rule" ""
}

stop_process() {
  local f=$1 pid
  if alive "$DIR/$f.pid"; then
    pid=$(cat "$DIR/$f.pid")
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$DIR/$f.pid"
}

stop_temporal() { stop_process temporal; }

stop() {
  stop_process ui
  stop_process temporal
  if [ -f "$PG_DATA/PG_VERSION" ]; then as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true; fi
  say "cluster stopped (data kept in $DIR)"
}

status() {
  local up=0
  if alive "$DIR/temporal.pid"; then say "temporal  running (pid $(cat "$DIR/temporal.pid")) at $ADDRESS"; else say "temporal  stopped"; up=1; fi
  if [ -f "$PG_DATA/PG_VERSION" ] && as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then say "postgres  running on 127.0.0.1:$PG_PORT"; else say "postgres  stopped"; up=1; fi
  if alive "$DIR/ui.pid"; then say "web ui    running at http://127.0.0.1:$UI_PORT"; fi
  [ $up = 0 ] && "$CLI" operator cluster health --address "$ADDRESS" || true
  return $up
}

case "${1:-start}" in
  start)
    build_temporal
    [ "${CLUSTER_UI:-true}" = false ] || build_ui
    start_postgres
    setup_schemas
    start_temporal
    TEMPORAL_ADDRESS=$ADDRESS TEMPORAL_NAMESPACE=$NAMESPACE TEMPORAL_CLI="$CLI" sh "$ROOT/deploy/temporal/setup-countersign.sh" >"$DIR/setup.log" 2>&1 ||
      { cat "$DIR/setup.log" >&2; die "namespace setup failed"; }
    start_ui
    banner
    ;;
  # The Temporal server alone, PostgreSQL kept: what an upgrade or a crash of the server does.
  restart-temporal)
    stop_temporal
    start_temporal
    say "Temporal server restarted at $ADDRESS"
    ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: npm run cluster [-- start|stop|status|restart-temporal]" ;;
esac
