#!/usr/bin/env bash
# Print "table count" for every table of the public schema, sorted by name, e.g. to
# compare a restored database with its source:
#   diff <(scripts/postgres-row-counts.sh "$SOURCE") <(scripts/postgres-row-counts.sh "$RESTORED")
set -euo pipefail
url="${1:?usage: $0 DATABASE_URL}"
url="${url/#postgresql+psycopg:/postgresql:}"
psql "$url" -XAt -F ' ' -v ON_ERROR_STOP=1 -c "
SELECT table_name,
       (xpath('/row/n/text()', query_to_xml(
           format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name),
           false, true, '')))[1]::text::bigint
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
ORDER BY table_name"
