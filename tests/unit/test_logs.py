"""The log line format: one JSON object a line, one time zone, no phone numbers."""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from parentapp import logs
from parentapp.config import ConfigError, load_config


def _record(message: str = "hello %s", args=("world",), **extra) -> logging.LogRecord:
    record = logging.LogRecord("parentapp.test", logging.INFO, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_a_json_line_has_time_level_logger_message_and_extra_fields():
    line = json.loads(logs.JsonFormatter().format(_record(job="plan-reminders", count=3)))
    assert {key: line[key] for key in ("level", "logger", "message", "job", "count")} == {
        "level": "INFO", "logger": "parentapp.test", "message": "hello world",
        "job": "plan-reminders", "count": 3}
    assert "request_id" not in line  # written outside any request


@pytest.mark.parametrize("when", [datetime(2026, 1, 15, 3, 0, tzinfo=UTC),
                                  datetime(2026, 7, 15, 23, 30, tzinfo=UTC)])
def test_every_time_is_asia_shanghai_whatever_the_process_time_zone(monkeypatch, when):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        record = _record()
        record.created = when.timestamp()
        stamp = json.loads(logs.JsonFormatter().format(record))["time"]
        text_stamp = logs.TextFormatter().format(record).split(" ")[0]
    finally:
        monkeypatch.undo()
        time.tzset()
    assert stamp.endswith("+08:00") and text_stamp == stamp
    parsed = datetime.fromisoformat(stamp)
    assert parsed.utcoffset() == timedelta(hours=8) and parsed == when


def test_a_phone_number_in_a_message_or_traceback_is_masked():
    try:
        raise ValueError("bad 13812345678")
    except ValueError:
        record = _record("calling %s", ("13812345678",))
        record.exc_info = sys.exc_info()
    raw = logs.JsonFormatter().format(record)
    assert "13812345678" not in raw and "138****5678" in raw
    assert json.loads(raw)["message"] == "calling 138****5678"
    assert "ValueError" in json.loads(raw)["exception"]


def test_a_lone_surrogate_still_makes_a_valid_utf8_json_line():
    raw = logs.JsonFormatter().format(_record("code %s", ("\ud800",)))
    raw.encode("utf-8")  # would raise UnicodeEncodeError
    assert json.loads(raw)["message"] == "code \ud800"


def test_the_text_format_is_one_readable_line():
    record = _record(request_id="abc")
    assert logs.TextFormatter().format(record).endswith(" INFO parentapp.test [abc]: hello world")


def test_configuring_twice_keeps_one_handler_and_takes_the_new_format():
    root = logging.getLogger()
    before = [h for h in root.handlers if h.get_name() == logs.HANDLER_NAME]
    logs.configure_logging("text")
    logs.configure_logging("json")
    ours = [h for h in root.handlers if h.get_name() == logs.HANDLER_NAME]
    try:
        assert len(ours) == 1 and isinstance(ours[0].formatter, logs.JsonFormatter)
    finally:
        for handler in set(ours) - set(before):
            root.removeHandler(handler)


def test_a_handler_on_a_stream_writes_one_line_per_record():
    stream = io.StringIO()
    handler = logs.make_handler("json", stream)
    handler.handle(_record())
    handler.handle(_record("second", ()))
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == [
        "hello world", "second"]


def test_log_format_is_json_by_default_text_on_request_and_nothing_else(monkeypatch, tmp_path):
    monkeypatch.delenv("PARENTAPP_LOG_FORMAT", raising=False)
    assert load_config(str(tmp_path))["LOG_FORMAT"] == "json"
    monkeypatch.setenv("PARENTAPP_LOG_FORMAT", "text")
    assert load_config(str(tmp_path))["LOG_FORMAT"] == "text"
    monkeypatch.setenv("PARENTAPP_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))
