#!/bin/sh
# Registers Countersign's namespace and its search attributes (CONTRACTS.md) on the cluster
# at TEMPORAL_ADDRESS. Runs once per `docker compose up`; safe to repeat.
set -eu

ns="${TEMPORAL_NAMESPACE:-default}"
attempts=0
until temporal operator cluster health >/dev/null 2>&1; do
  attempts=$((attempts + 1))
  [ "$attempts" -ge 60 ] && { echo "Temporal at $TEMPORAL_ADDRESS not healthy"; exit 1; }
  sleep 2
done

temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$ns" --retention "${TEMPORAL_RETENTION:-30d}"

existing=$(temporal operator search-attribute list --namespace "$ns")
for name in SigningProvider SigningStatus SigningExternalId; do
  if echo "$existing" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    temporal operator search-attribute create --namespace "$ns" --name "$name" --type Keyword
  fi
done
echo "namespace $ns ready"
