"""Scheduled work: module-level job functions and the one registry of them.

Each job takes ``now`` (aware UTC), does its work through services, and
returns a one-line summary for the log. To add a job, write its function here
(a few lines calling a service) and add it to ``JOBS``. ``flask --app
parentapp jobs run NAME`` runs one now; the scheduler process runs them on
their triggers. Jobs must be safe to run twice at once (row claims and unique
keys make them so), since a second scheduler process must be harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Job = Callable[[datetime], str]

JOBS: dict[str, Job] = {}


def run_job(name: str, now: datetime) -> str:
    """Run the job ``name`` once; raises KeyError for an unknown name."""
    return JOBS[name](now)
