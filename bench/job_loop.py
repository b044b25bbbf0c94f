"""One scheduled job in a loop, as a separate process: the scale-out bench's dispatchers
and its planner.

Each round is what the scheduler does for one run (``scheduler.run_and_record``, which
``flask --app parentapp jobs run NAME`` also uses): the job in a fresh app context, its
outcome recorded in ``job_runs``. There is no leader lock here: N dispatchers are N of
these processes, and the claims in ``services/reminders/dispatch.py`` keep them apart.
``--shift`` moves the jobs' ``now`` by a fixed number of seconds (the bench moves it to
19:00 Asia/Shanghai, outside the quiet hours and after booking reminders' 18:00).
SIGTERM ends the loop after the current round; the totals go to stdout as one JSON line.

    python bench/job_loop.py dispatch-notifications [--every 2] [--shift 0] [--once]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from parentapp import create_app  # noqa: E402
from parentapp.extensions import db  # noqa: E402
from parentapp.models import utcnow  # noqa: E402
from parentapp.scheduler import run_and_record  # noqa: E402

log = logging.getLogger("bench.job_loop")


def totals_of(summary: str) -> Counter:
    """``"sent 12, withdrawn 0"`` (the dispatch job's summary) as counts."""
    return Counter({key: int(n) for key, n in re.findall(r"([a-z_]+) (\d+)", summary)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("job")
    parser.add_argument("--every", type=float, default=2.0, help="seconds from round to round")
    parser.add_argument("--shift", type=float, default=0.0, help="seconds added to now")
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    app = create_app()
    logging.getLogger().setLevel(logging.WARNING)  # no line per WeChat call
    shift = timedelta(seconds=args.shift)
    totals, rounds, failures = Counter(), 0, 0
    while not stopping:
        started = time.monotonic()
        with app.app_context():
            try:
                summary = run_and_record(args.job, utcnow() + shift)
                totals += totals_of(summary)
                rounds += 1
            except Exception:
                log.exception("job %s failed", args.job)
                failures += 1
            finally:
                db.session.remove()
        if args.once:
            break
        while not stopping and time.monotonic() - started < args.every:
            time.sleep(0.05)
    print(json.dumps({"job": args.job, "rounds": rounds, "failures": failures,
                      "totals": dict(totals)}), flush=True)


if __name__ == "__main__":
    main()
