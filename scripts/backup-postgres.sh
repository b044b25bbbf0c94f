#!/usr/bin/env bash
# Back up parentapp's PostgreSQL database in pg_dump's custom format (compressed,
# restorable table by table with pg_restore), then check the archive reads back.
#
#   scripts/backup-postgres.sh DATABASE_URL [FILE]
#
# DATABASE_URL is a libpq URL (postgresql://user@host:5432/parentapp; the
# postgresql+psycopg:// form of PARENTAPP_DATABASE_URL is accepted too). FILE
# defaults to parentapp-<Asia/Shanghai time>.dump in the current directory. The
# dump is one consistent snapshot; the app may keep running meanwhile.
set -euo pipefail
url="${1:?usage: $0 DATABASE_URL [FILE]}"
url="${url/#postgresql+psycopg:/postgresql:}"
file="${2:-parentapp-$(TZ=Asia/Shanghai date +%Y%m%dT%H%M%S%z).dump}"

pg_dump --format=custom --compress=6 --file="$file" "$url"
pg_restore --list "$file" >/dev/null  # a truncated or foreign file fails here
echo "$file"
