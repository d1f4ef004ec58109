#!/bin/sh
# Registers Countersign's namespace and its search attributes (listed in countersign.env) on
# the cluster at TEMPORAL_ADDRESS. Run by `docker compose up` and by `npm run cluster`; safe
# to repeat. TEMPORAL_CLI names the `temporal` binary (default: the one on PATH).
set -eu

cli="${TEMPORAL_CLI:-temporal}"
ns="${TEMPORAL_NAMESPACE:-default}"
: "${COUNTERSIGN_SEARCH_ATTRIBUTES:?COUNTERSIGN_SEARCH_ATTRIBUTES is required (deploy/temporal/countersign.env)}"
attempts=0
until "$cli" operator cluster health >/dev/null 2>&1; do
  attempts=$((attempts + 1))
  [ "$attempts" -ge 60 ] && { echo "Temporal at $TEMPORAL_ADDRESS not healthy"; exit 1; }
  sleep 2
done

"$cli" operator namespace describe --namespace "$ns" >/dev/null 2>&1 ||
  "$cli" operator namespace create --namespace "$ns" --retention "${TEMPORAL_RETENTION:-30d}"

# A namespace just created takes a few seconds to reach every frontend's cache.
attempts=0
until existing=$("$cli" operator search-attribute list --namespace "$ns" 2>&1); do
  attempts=$((attempts + 1))
  [ "$attempts" -ge 60 ] && { echo "$existing"; exit 1; }
  sleep 1
done
for pair in $(echo "$COUNTERSIGN_SEARCH_ATTRIBUTES" | tr ',' ' '); do
  name=${pair%%:*}
  type=${pair#*:}
  if echo "$existing" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    "$cli" operator search-attribute create --namespace "$ns" --name "$name" --type "$type"
  fi
done
echo "namespace $ns ready"
