"""One dispatcher process for the multi-process test: ``python -m tests.dispatch_worker CONFIG``.

Runs the dispatch job with an advancing ``now`` (never sleeping: after a run,
``now`` jumps to the next retry moment) until no row is left pending, then
prints its counts as JSON. Rows other processes still hold are theirs to finish.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from parentapp import create_app
from parentapp.extensions import db
from parentapp.models import Notification
from parentapp.service_settings import dispatch_config
from parentapp.services.reminders.dispatch import dispatch_notifications

MAX_ROUNDS = 1000


def _next_due() -> datetime | None:
    return db.session.scalar(select(func.min(Notification.send_after)).where(
        Notification.delivery_state == "pending"))


def main(raw: str) -> None:
    settings = json.loads(raw)
    now = datetime.fromisoformat(settings.pop("now"))
    settings["WECHAT_TIMEOUT"] = tuple(settings["WECHAT_TIMEOUT"])
    app = create_app(settings)
    totals: Counter = Counter()
    with app.app_context():
        for _ in range(MAX_ROUNDS):
            totals.update(dispatch_notifications(now, batch_size=10,
                                                 config=dispatch_config()))
            due = _next_due()
            db.session.commit()
            if due is None:
                break
            now = max(now, due + timedelta(seconds=1))
        db.engine.dispose()
    print(json.dumps(dict(totals)))


if __name__ == "__main__":
    main(sys.argv[1])
