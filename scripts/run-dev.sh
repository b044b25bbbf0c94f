#!/usr/bin/env bash
# The body of `make run`: a local, offline stack on SQLite with a WeChat sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p instance
[ -s instance/dev-secret-key ] || "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(48))' > instance/dev-secret-key
export PARENTAPP_SECRET_KEY="$(cat instance/dev-secret-key)"
export PARENTAPP_WECHAT_API_BASE="${PARENTAPP_WECHAT_API_BASE:-http://127.0.0.1:5001}"

echo "== migrating the database"
"$BIN/flask" --app parentapp db upgrade
echo "== seeding demo data"
"$BIN/flask" --app parentapp seed-demo

trap 'kill 0' EXIT INT TERM
"$BIN/python" -m mini_program_api.fake_server --port 5001 --sandbox \
    --appid wx-sandbox-appid --secret sandbox-secret \
    --templates '{"vaccine": "sandbox-tpl-vaccine", "checkup": "sandbox-tpl-checkup", "booking": "sandbox-tpl-booking", "class": "sandbox-tpl-class"}' &
if "$BIN/flask" --app parentapp scheduler --help >/dev/null 2>&1; then
    "$BIN/flask" --app parentapp scheduler &
fi
cat <<'TXT'

parentapp is starting on http://127.0.0.1:5000 (API docs: /api/v1/docs)
WeChat sandbox on http://127.0.0.1:5001 (any login code works once, e.g. "demo-parent:1")

  demo parent:    curl -s -X POST http://127.0.0.1:5000/api/v1/auth/wechat-login \
                    -H 'Content-Type: application/json' -d '{"code": "demo-parent:'$RANDOM'"}'
  demo operator:  username demo-operator   password operator-pass-2026
  demo regulator: username demo-regulator  password regulator-pass-2026
  (local passwords only)

TXT
"$BIN/flask" --app parentapp run --host 127.0.0.1 --port 5000
