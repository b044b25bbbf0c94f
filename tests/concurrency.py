"""Release many requests at once, each in its own thread with its own test client."""

from __future__ import annotations

import threading

from parentapp.extensions import db


def run_at_once(app, jobs):
    """Run each ``job(client)`` in its own thread, released together; returns the results.

    This thread's session ends its transaction first: on SQLite an open one holds the
    write lock every worker needs."""
    db.session.commit()
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list[BaseException] = []

    def worker(index, job):
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            results[index] = job(client)
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert not errors, errors
    return results


def until_not_busy(send):
    """Call ``send()`` until the answer is not 503 busy (a bounded lock wait is an answer,
    not a failure: a real client retries after Retry-After); returns that response."""
    for _ in range(50):
        response = send()
        if response.status_code != 503:
            return response
    raise AssertionError("still busy after 50 tries")
