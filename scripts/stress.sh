#!/usr/bin/env bash
# The body of `make stress`: the concurrency tests RUNS times in a row
# (default 20) beside a CPU hog, on SQLite and on PostgreSQL, with a tally per database.
# Needs stress-ng (apt-get install stress-ng) and PARENTAPP_TEST_DATABASE_URL for PostgreSQL.
# DATABASES="sqlite" or "postgresql" runs one; HOGS=0 starts no hog (one is already running).
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-20}
HOGS=${HOGS:-2}
DATABASES=${DATABASES:-sqlite postgresql}
# Every test that races real threads or processes against one database.
TESTS=(tests/services/test_booking_concurrency.py tests/services/test_class_concurrency.py
       tests/services/test_dispatch_threads.py tests/services/test_dispatch_processes.py
       tests/services/test_booking_lock_waits.py tests/services/test_filings.py
       tests/api/test_booking_idempotency.py tests/api/test_caps.py
       tests/api/test_sqlite_reads.py tests/faults/test_database_outage.py)
PYTEST=(.venv/bin/pytest -p no:cacheprovider -q "${TESTS[@]}")
if [ "$HOGS" -gt 0 ]; then
    command -v stress-ng >/dev/null || { echo "stress-ng is not installed"; exit 2; }
    stress-ng --cpu "$HOGS" --quiet &
    hog=$!
    trap 'kill $hog 2>/dev/null' EXIT
    echo "== CPU hog: stress-ng --cpu $HOGS (pid $hog)"
fi

status=0
tally() {  # tally NAME: RUNS runs of the concurrency tests against one database
    local name=$1 passed=0 failed=0 started=$SECONDS
    for run in $(seq "$RUNS"); do
        if "${PYTEST[@]}" > "/tmp/parentapp-stress-$name-$run.log" 2>&1; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "   run $run failed: /tmp/parentapp-stress-$name-$run.log"
        fi
        echo "   $name run $run/$RUNS: $(tail -1 "/tmp/parentapp-stress-$name-$run.log")"
    done
    echo "== $name: $passed of $RUNS runs passed, $failed failed ($((SECONDS - started)) s)"
    [ "$failed" -eq 0 ]
}

for database in $DATABASES; do
    if [ "$database" = sqlite ]; then
        (unset PARENTAPP_TEST_DATABASE_URL; tally sqlite) || status=1
    elif [ -n "${PARENTAPP_TEST_DATABASE_URL:-}" ]; then
        tally postgresql || status=1
    else
        echo "== PostgreSQL skipped: PARENTAPP_TEST_DATABASE_URL is not set"
    fi
done
exit $status
