#!/usr/bin/env bash
# The body of `make run`: a local, offline stack on SQLite with a WeChat sandbox.
# PARENTAPP_DEV_PORT and PARENTAPP_DEV_WECHAT_PORT move the two servers off
# 5000 and 5001 (e.g. when another checkout is already running).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PARENTAPP_DEV_PORT:-5000}"
WECHAT_PORT="${PARENTAPP_DEV_WECHAT_PORT:-5001}"
mkdir -p instance
[ -s instance/dev-secret-key ] || "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(48))' > instance/dev-secret-key
export PARENTAPP_SECRET_KEY="$(cat instance/dev-secret-key)"
export PARENTAPP_WECHAT_API_BASE="${PARENTAPP_WECHAT_API_BASE:-http://127.0.0.1:$WECHAT_PORT}"

echo "== migrating the database (flask db upgrade)"
"$BIN/flask" --app parentapp db upgrade
echo "== seeding demo data (flask seed-demo)"
"$BIN/flask" --app parentapp seed-demo

trap 'kill 0' EXIT INT TERM
echo "== starting the WeChat sandbox on http://127.0.0.1:$WECHAT_PORT"
"$BIN/python" -m mini_program_api.fake_server --port "$WECHAT_PORT" --sandbox \
    --appid wx-sandbox-appid --secret sandbox-secret \
    --templates '{"vaccine": "sandbox-tpl-vaccine", "checkup": "sandbox-tpl-checkup", "booking": "sandbox-tpl-booking", "class": "sandbox-tpl-class"}' &
if "$BIN/flask" --app parentapp scheduler --help >/dev/null 2>&1; then
    echo "== starting the scheduler (flask scheduler)"
    "$BIN/flask" --app parentapp scheduler &
fi
BASE="http://127.0.0.1:$PORT"
cat <<TXT

== serving parentapp on $BASE (API docs: $BASE/api/v1/docs, walk-through: docs/api.md)
WeChat sandbox on http://127.0.0.1:$WECHAT_PORT (any login code works once, e.g. "demo-parent:1")

  demo parent:    curl -s -X POST $BASE/api/v1/auth/wechat-login \\
                    -H 'Content-Type: application/json' -d '{"code": "demo-parent:'\$RANDOM'"}'
  demo grandma:   the same with "demo-grandma:..." (a carer of 小雨, on her pickup list)
  demo operator:  username demo-operator   password operator-pass-2026
  demo regulator: username demo-regulator  password regulator-pass-2026
  (local passwords only)

TXT
"$BIN/flask" --app parentapp run --host 127.0.0.1 --port "$PORT"
