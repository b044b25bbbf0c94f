#!/usr/bin/env bash
# Restore a backup made by scripts/backup-postgres.sh into a fresh, empty database,
# in one transaction (an error leaves that database empty), then print each table's
# row count to compare with the source.
#
#   createdb -T template0 parentapp_restored
#   scripts/restore-postgres.sh FILE DATABASE_URL
#
# Owners and grants are not restored (--no-owner --no-privileges): the restored
# objects belong to the role in DATABASE_URL. Afterwards run
# `flask --app parentapp db upgrade` against it (a no-op for a backup of the same
# release; it brings an older backup up to the code's schema).
set -euo pipefail
file="${1:?usage: $0 FILE DATABASE_URL}"
url="${2:?usage: $0 FILE DATABASE_URL}"
url="${url/#postgresql+psycopg:/postgresql:}"
here="$(dirname "$0")"

tables="$(psql "$url" -XAtc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != 0 ]; then
    echo "refusing: the target database already has $tables tables; restore into a new one" >&2
    exit 1
fi
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
    --dbname="$url" "$file"
"$here/postgres-row-counts.sh" "$url"
