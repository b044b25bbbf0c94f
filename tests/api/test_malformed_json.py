"""Malformed request bodies: one strict parse, a 400 (or 413) saying what is wrong, never a 500."""

from __future__ import annotations

import io
import json
import socket
import threading

import pytest
from werkzeug.serving import make_server

from parentapp import json_body
from tests.asserts import assert_error

LOGIN = "/api/v1/auth/wechat-login"  # answers without a token
CHILDREN = "/api/v1/children"


def _nested(depth: int) -> str:
    return '{"code": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


MALFORMED = [
    # (case, raw body, words the message must contain)
    ("lone high surrogate", '{"code": "\\ud800"}', "代理字符"),
    ("lone low surrogate", '{"code": "a\\udfffb"}', "代理字符"),
    ("surrogate in a key", '{"\\ud800": "x"}', "代理字符"),
    ("surrogate deep in a list", '{"code": ["ok", ["\\udbff"]]}', "代理字符"),
    ("nested 33 deep", _nested(33), "嵌套过深"),
    ("nested 5,000 deep", "[" * 5000 + "]" * 5000, "嵌套过深"),
    ("nested 5,000 deep, unclosed", '{"code": ' + "[" * 5000, "嵌套过深"),
    ("duplicate keys", '{"code": "a", "code": "b"}', "重复的键"),
    ("duplicate nested keys", '{"code": {"x": 1, "x": 1}}', "重复的键"),
    ("NaN", '{"code": NaN}', "NaN"),
    ("Infinity", '{"code": Infinity}', "NaN"),
    ("-Infinity", '{"code": -Infinity}', "NaN"),
    ("float overflowing to inf", '{"code": 1e400}', "超出范围"),
    ("integer of 31 digits", '{"code": ' + "9" * 31 + "}", "整数过大"),
    ("integer past Python's digit limit", '{"code": -' + "1" * 5000 + "}", "整数过大"),
    ("syntax error", '{"code": "a",}', "第 1 行"),
    ("not JSON at all", "{not json", "不是合法的 JSON"),
    ("top level array", "[1, 2]", "JSON 对象"),
    ("top level string", '"text"', "JSON 对象"),
    ("top level number", "42", "JSON 对象"),
    ("top level null", "null", "JSON 对象"),
]
INVALID_BYTES = [
    ("invalid UTF-8", b'{"code": "\xff\xfe"}'),
    ("UTF-8 encoded surrogate", b'{"code": "\xed\xa0\x80"}'),
    ("overlong UTF-8", b'{"code": "\xc0\xaf"}'),
    ("UTF-16", '{"code": "x"}'.encode("utf-16")),
]


@pytest.mark.parametrize(("case", "raw", "words"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_json_is_a_bad_request_saying_what_is_wrong(client, case, raw, words):
    response = client.post(LOGIN, data=raw, content_type="application/json")
    error = assert_error(response, 400, "bad_request")
    assert words in error["message"]


@pytest.mark.parametrize(("case", "raw"), INVALID_BYTES, ids=[b[0] for b in INVALID_BYTES])
def test_a_body_that_is_not_utf8_is_a_bad_request(client, case, raw):
    response = client.post(LOGIN, data=raw, content_type="application/json")
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize("raw", [
    '{"name": "\\ud800", "birth_date": "2025-01-01", "gender": "male"}',
    '{"name": "小明", "name": "小红", "birth_date": "2025-01-01", "gender": "male"}',
    "[" * 5000 + "]" * 5000,
])
def test_authenticated_endpoints_share_the_same_parser(client, auth, raw):
    _, headers = auth.parent()
    response = client.post(CHILDREN, data=raw, headers=headers, content_type="application/json")
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize(("case", "raw"), [
    ("nested exactly 32 deep", _nested(32)),
    ("integer of 30 digits", '{"code": ' + "9" * 30 + "}"),
    ("tiny float underflowing to zero", '{"code": 1e-400}'),
])
def test_bodies_at_the_bounds_reach_the_schema(client, case, raw):
    """Within the parser's bounds the schema answers (here: code must be a string)."""
    response = client.post(LOGIN, data=raw, content_type="application/json")
    error = assert_error(response, 422, "validation_error")
    assert error["details"] == {"code": ["应为字符串。"]}


def test_an_escaped_surrogate_pair_is_one_character_and_accepted(client, auth):
    _, headers = auth.parent()
    raw = '{"name": "小明\\ud83d\\ude00", "birth_date": "2025-01-01", "gender": "male"}'
    response = client.post(CHILDREN, data=raw, headers=headers, content_type="application/json")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["name"] == "小明\U0001f600"


def test_the_body_is_parsed_once_for_the_guard_and_the_schema(client, auth, monkeypatch):
    calls = []
    parse = json_body.strict_loads
    monkeypatch.setattr(json_body, "strict_loads", lambda data: calls.append(1) or parse(data))
    _, headers = auth.parent()
    response = client.post(CHILDREN, headers=headers, json={
        "name": "小明", "birth_date": "2025-01-01", "gender": "male"})
    assert response.status_code == 201
    assert len(calls) == 1


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/xml"])
def test_a_body_of_another_content_type_is_a_bad_request(client, content_type):
    response = client.post(LOGIN, data='{"code": "x"}', content_type=content_type)
    error = assert_error(response, 400, "bad_request")
    assert "Content-Type" in error["message"]


CHUNKED = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
BIG = b'{"code": "' + b"x" * (10 * 1024 * 1024) + b'"}'
# What a server that decodes chunked bodies says (werkzeug's, gunicorn).
TERMINATED = {"wsgi.input_terminated": True}


def test_a_chunked_body_over_the_limit_is_payload_too_large(client):
    response = client.post(LOGIN, input_stream=io.BytesIO(BIG), headers=CHUNKED,
                           environ_overrides=TERMINATED)
    assert response.request.content_length is None
    assert_error(response, 413, "payload_too_large")


@pytest.mark.parametrize(("size", "status"), [(64 * 1024, 422), (64 * 1024 + 1, 413)])
def test_a_chunked_body_is_allowed_up_to_exactly_the_limit(client, size, status):
    body = b'{"code": 1' + b" " * (size - 11) + b"}"
    assert len(body) == size
    response = client.post(LOGIN, input_stream=io.BytesIO(body), headers=CHUNKED,
                           environ_overrides=TERMINATED)
    assert response.status_code == status  # 422: within the limit, the schema answers


def test_a_small_chunked_body_is_read_like_any_other(client, auth):
    _, headers = auth.parent()
    body = json.dumps({"name": "小明", "birth_date": "2025-01-01", "gender": "male"}).encode()
    response = client.post(CHILDREN, input_stream=io.BytesIO(body),
                           headers={**headers, **CHUNKED}, environ_overrides=TERMINATED)
    assert response.status_code == 201, response.get_json()


def test_a_chunked_body_the_server_cannot_read_is_refused_not_taken_as_empty(client):
    response = client.post(LOGIN, input_stream=io.BytesIO(BIG), headers=CHUNKED)
    error = assert_error(response, 400, "bad_request")
    assert "Content-Length" in error["message"]


def _chunked_request(port: int, body: bytes) -> bytes:
    """Send ``body`` chunked from a thread while reading the answer as it comes."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)

    def send() -> None:
        try:
            sock.sendall(b"POST " + LOGIN.encode() + b" HTTP/1.1\r\nHost: test\r\n"
                         b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            for start in range(0, len(body), 65536):
                chunk = body[start:start + 65536]
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before the body ended

    sender = threading.Thread(target=send)
    sender.start()
    answer = b""
    try:
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
        sender.join()
    return answer


def test_a_chunked_body_over_the_limit_is_413_through_a_real_socket(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        answer = _chunked_request(server.port, BIG)
    finally:
        server.shutdown()
        thread.join()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split()[1] == b"413", head
    assert json.loads(body)["error"]["code"] == "payload_too_large"
