#!/usr/bin/env bash
# The body of `make test`: ruff, then the whole suite on SQLite and on PostgreSQL
# (when PARENTAPP_TEST_DATABASE_URL names a server), then on SQLite again with the
# clock moved ahead by libfaketime when PARENTAPP_TEST_FAKETIME is set (e.g. +1095d).
# Every run goes ahead whatever the one before it did; a summary names each run's
# result and the exit status is non-zero if any of them failed.
# PARENTAPP_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) runs the rate-limit tests on
# Redis too, in every run; without it their Redis variants skip.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PYTEST=("$BIN/pytest" -p no:cacheprovider)
declare -a NAMES RESULTS
status=0

run() {  # run NAME COMMAND...: run one step, keep its result, go on
    local name=$1 started=$SECONDS code
    shift
    echo
    echo "== $name"
    "$@"
    code=$?
    NAMES+=("$name")
    if [ "$code" -eq 0 ]; then RESULTS+=("passed ($((SECONDS - started)) s)")
    else RESULTS+=("FAILED, exit $code ($((SECONDS - started)) s)"); status=1; fi
}

run "ruff" "$BIN/ruff" check .
run "SQLite" env -u PARENTAPP_TEST_DATABASE_URL "${PYTEST[@]}"
if [ -n "${PARENTAPP_TEST_DATABASE_URL:-}" ]; then
    run "PostgreSQL" "${PYTEST[@]}"
else
    NAMES+=("PostgreSQL"); RESULTS+=("skipped: PARENTAPP_TEST_DATABASE_URL is not set")
fi
if [ -n "${PARENTAPP_TEST_FAKETIME:-}" ]; then
    if command -v faketime >/dev/null 2>&1; then
        # Browser tests are left out here: Chromium does not run under libfaketime.
        run "SQLite, clock ${PARENTAPP_TEST_FAKETIME}" env -u PARENTAPP_TEST_DATABASE_URL \
            faketime -f "${PARENTAPP_TEST_FAKETIME}" "${PYTEST[@]}" --ignore=tests/browser
    else
        NAMES+=("SQLite, clock ${PARENTAPP_TEST_FAKETIME}")
        RESULTS+=("FAILED: faketime is not installed (apt-get install faketime)"); status=1
    fi
fi

if [ -z "${PARENTAPP_TEST_REDIS_URL:-}" ]; then
    NAMES+=("Redis rate limits"); RESULTS+=("skipped: PARENTAPP_TEST_REDIS_URL is not set")
fi

echo
echo "== summary"
for i in "${!NAMES[@]}"; do printf '%-28s %s\n' "${NAMES[$i]}" "${RESULTS[$i]}"; done
exit $status
