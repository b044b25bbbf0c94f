"""A fake WeChat server for tests and local development: a WSGI app (werkzeug, no Flask).

It serves the four WeChat endpoints the client uses, with WeChat's rules (see
fake_rules.py), plus a JSON control API under /__fake__/ mirroring the Python
control methods of FakeState:

    POST /__fake__/login-codes      {"openid", "unionid"?}               -> {"code"}
    POST /__fake__/phone-codes      {"phone_number", "country_code"?,
                                     "numeric_country_code"?, "watermark_appid"?} -> {"code"}
    POST /__fake__/grants           {"openid", "template_id", "count"?}  -> {"remaining"}
    GET  /__fake__/grants?openid=&template_id=                           -> {"remaining"}
    POST /__fake__/invalidate-token                                      -> {}
    POST /__fake__/failures         {"fail_rate"?, "http_500_rate"?, "hang_rate"?,
                                     "hang_seconds"?, "endpoints"?}      -> {}
    POST /__fake__/fail-next        {"endpoint", "errcode"?, "times"?, "errmsg"?} -> {}
    GET  /__fake__/messages         -> {"messages": [...], "counts": [{"openid",
                                        "template_id", "count"}]}
    GET  /__fake__/calls            -> {"<endpoint>": n, "stable_token_force_refresh": n}
    GET  /__fake__/config           -> {"appid", "templates", "sandbox"}
    POST /__fake__/reset            -> {}

Run it alone with:

    python -m mini_program_api.fake_server --port 5001 --appid X --secret Y --sandbox \
        --templates '{"vaccine": "tpl-vaccine", "booking": "tpl-booking"}'
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from .fake_rules import SentMessage
from .fake_state import FakeState

__all__ = ["FakeWeChat", "SentMessage", "main", "serve_in_thread"]

_WECHAT_ROUTES = {
    ("GET", "/sns/jscode2session"): "jscode2session",
    ("POST", "/cgi-bin/stable_token"): "stable_token",
    ("POST", "/cgi-bin/message/subscribe/send"): "subscribe_send",
    ("POST", "/wxa/business/getuserphonenumber"): "getuserphonenumber",
}


class FakeWeChat(FakeState):
    """The fake WeChat server: a WSGI app over FakeState. See the module docstring."""

    def __init__(self, appid: str, secret: str, **options: Any) -> None:
        super().__init__(appid, secret, **options)
        self._released = threading.Event()

    def release_hangs(self) -> None:
        """Let hanging answers go out now, and stop hanging from now on (for shutdown)."""
        self._released.set()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        key = (request.method, request.path)
        if key in _WECHAT_ROUTES:
            response = self._wechat(_WECHAT_ROUTES[key], request)
        elif key in _CONTROL_ROUTES:
            response = self._control(_CONTROL_ROUTES[key], request)
        else:
            response = _json({"errcode": 404, "errmsg": "no such endpoint in the fake"}, 404)
        return response(environ, start_response)

    def _wechat(self, endpoint: str, request: Request) -> Response:
        injection = self.draw_injection(endpoint)
        if injection.kind == "http_500":
            return Response("system busy", status=500)
        if injection.kind == "errcode":
            return _json({"errcode": injection.errcode, "errmsg": injection.errmsg})
        body = _json_body(request) if request.method == "POST" else None
        answer = self.answer(endpoint, request.args, body)
        if injection.kind == "hang":
            # The work is done (a message is recorded as delivered); only the answer is late,
            # which is what makes a read timeout ambiguous for the client.
            self._released.wait(injection.hang_seconds)
        return _json(answer)

    def _control(self, handler: Callable[[FakeWeChat, dict], dict], request: Request) -> Response:
        payload = request.args.to_dict() if request.method == "GET" else _json_body(request)
        if payload is None and request.get_data():
            return _json({"error": "the body must be a JSON object"}, 400)
        try:
            return _json(handler(self, payload or {}))
        except (KeyError, TypeError, ValueError) as exc:
            return _json({"error": f"{type(exc).__name__}: {exc}"}, 400)


def _json_body(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(request.get_data())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _json(body: dict[str, Any], status: int = 200) -> Response:
    text = json.dumps(body, ensure_ascii=False)
    return Response(text, status=status, content_type="application/json; charset=utf-8")


def _messages(fake: FakeWeChat, _: dict) -> dict[str, Any]:
    counts = [
        {"openid": openid, "template_id": template_id, "count": count}
        for (openid, template_id), count in fake.message_counts().items()
    ]
    return {"messages": [asdict(m) for m in fake.messages()], "counts": counts}


def _phone_code(fake: FakeWeChat, p: dict) -> dict[str, Any]:
    code = fake.issue_phone_code(
        p["phone_number"],
        str(p.get("country_code", "86")),
        numeric_country_code=bool(p.get("numeric_country_code", False)),
        watermark_appid=p.get("watermark_appid"),
    )
    return {"code": code}


def _fail_next(fake: FakeWeChat, p: dict) -> dict[str, Any]:
    fake.fail_next(
        p["endpoint"], int(p.get("errcode", -1)), int(p.get("times", 1)), p.get("errmsg")
    )
    return {}


_CONTROL_ROUTES: dict[tuple[str, str], Callable[[FakeWeChat, dict], dict]] = {
    ("POST", "/__fake__/login-codes"): lambda fake, p: {
        "code": fake.issue_login_code(p["openid"], unionid=p.get("unionid"))
    },
    ("POST", "/__fake__/phone-codes"): _phone_code,
    ("POST", "/__fake__/grants"): lambda fake, p: {
        "remaining": fake.grant(p["openid"], p["template_id"], int(p.get("count", 1)))
    },
    ("GET", "/__fake__/grants"): lambda fake, p: {
        "remaining": fake.grants_left(p["openid"], p["template_id"])
    },
    ("POST", "/__fake__/invalidate-token"): lambda fake, p: fake.invalidate_token() or {},
    ("POST", "/__fake__/failures"): lambda fake, p: fake.set_failures(**p) or {},
    ("POST", "/__fake__/fail-next"): _fail_next,
    ("GET", "/__fake__/messages"): _messages,
    ("GET", "/__fake__/calls"): lambda fake, p: fake.calls(),
    ("GET", "/__fake__/config"): lambda fake, p: {
        "appid": fake.appid,
        "templates": fake.templates,
        "sandbox": fake.app.sandbox,
    },
    ("POST", "/__fake__/reset"): lambda fake, p: fake.reset() or {},
}


class _PathOnlyRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The query string carries the secret and access tokens: log the path only.
        self.log("info", '"%s %s" %s', self.command, urlsplit(self.path).path, code)


def serve_in_thread(
    fake: FakeWeChat, host: str = "127.0.0.1", port: int = 0
) -> tuple[str, Callable[[], None]]:
    """Serve `fake` over HTTP from a background thread; port 0 picks a free port.

    Returns the base URL and a function that stops the server and closes its socket.
    """
    server = make_server(host, port, fake, threaded=True, request_handler=_PathOnlyRequestHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-wechat", daemon=True
    )
    thread.start()

    def shutdown() -> None:
        fake.release_hangs()
        server.shutdown()
        server.server_close()
        thread.join()

    return f"http://{host}:{server.server_port}", shutdown


def _templates(text: str) -> dict[str, str]:
    try:
        templates = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(templates, dict) or not all(isinstance(v, str) for v in templates.values()):
        raise argparse.ArgumentTypeError('expected {"kind": "template id", ...}')
    return templates


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m mini_program_api.fake_server", description="A fake WeChat server API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--appid", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help='accept any login code "<user>" or "<user>:<anything>" once, as fake-openid-<user>',
    )
    parser.add_argument("--templates", type=_templates, default={}, help="JSON: kind -> id")
    parser.add_argument("--seed", type=int, default=0, help="seed of the failure injection")
    args = parser.parse_args(argv)
    fake = FakeWeChat(
        args.appid, args.secret, templates=args.templates, sandbox=args.sandbox, seed=args.seed
    )
    server = make_server(
        args.host, args.port, fake, threaded=True, request_handler=_PathOnlyRequestHandler
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    print(f"fake WeChat on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
