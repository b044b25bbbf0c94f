"""make bench-scale-out's notification check finds what it must: a message delivered
twice, a sent row WeChat never received, a due row left unsent."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from bench.scale_out_checks import tally

NOW = datetime(2030, 1, 1, 11, 0, tzinfo=UTC)  # any moment: the rows are placed around it
TEMPLATES = {"vaccine": "tpl-vaccine"}


def _row(n: int, state: str = "sent", msgid: str | None = None, due: bool = True):
    return SimpleNamespace(
        id=n, wechat_openid=f"openid-{n}", template_kind="vaccine", link="/pages/index",
        wechat_data={"thing4": f"请按时接种 {n}"}, delivery_state=state,
        msgid=msgid if msgid is not None else (str(n) if state == "sent" else None),
        send_after=NOW - timedelta(minutes=1) if due else NOW + timedelta(days=1),
        last_error=None)


def _message(n: int, msgid: int | None = None) -> dict:
    return {"msgid": n if msgid is None else msgid, "touser": f"openid-{n}",
            "template_id": "tpl-vaccine", "page": "pages/index",
            "data": {"thing4": f"请按时接种 {n}"}}


def test_each_row_sent_once_passes():
    found = tally([_row(1), _row(2), _row(3, "pending", due=False)],
                  [_message(1), _message(2)], TEMPLATES, NOW)
    assert (found["due"], found["due_sent"], found["duplicates"]) == (2, 2, 0)
    assert found["unknown_messages"] == found["sent_not_received"] == 0


def test_a_message_delivered_twice_is_a_duplicate():
    found = tally([_row(1)], [_message(1), _message(1, msgid=99)], TEMPLATES, NOW)
    assert found["duplicates"] == 1


def test_a_sent_row_never_received_and_a_due_row_unsent_are_counted():
    found = tally([_row(1), _row(2, "failed")], [_message(3)], TEMPLATES, NOW)
    assert found["sent_not_received"] == 1
    assert found["due"] - found["due_sent"] == 1
    assert found["due_not_sent"] == [("failed:None", 1)]
    assert found["unknown_messages"] == 1
