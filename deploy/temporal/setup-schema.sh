#!/bin/sh
# Creates or upgrades Temporal's PostgreSQL schemas (main and visibility). Runs on every
# `docker compose up` from the admin-tools image, and in `npm run cluster` with the SQL tool
# and schema files of the Go module (TEMPORAL_SQL_TOOL, TEMPORAL_SCHEMA_DIR); safe to
# repeat, and the upgrade path when the server is bumped.
set -eu

: "${POSTGRES_SEEDS:=postgres}" "${DB_PORT:=5432}" "${POSTGRES_USER:=temporal}"
export SQL_PASSWORD="${POSTGRES_PWD:?POSTGRES_PWD is required}"
schema_dir="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"

sql() { "${TEMPORAL_SQL_TOOL:-temporal-sql-tool}" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"; }

for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  dir=${pair#*:}
  sql --db "$db" create || echo "database $db already there"
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$schema_dir/$dir/versioned"
done
echo "Temporal schemas ready"
