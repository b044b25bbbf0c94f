"""The rules of parentapp, one sub-package per feature.

Find a rule by its feature's name; each package opens with an index "rule -> module".

    accounts/   parents' WeChat sign-in, staff passwords, tokens, children, deletion
    booking/    booking places, availability, cancellation, waitlists and offers, day roster
    nurseries/  operators' nurseries, filings, offerings, slots, search, register import
    classes/    parenting classes: organising, enrolment, seat counts, class roster
    health/     vaccine/checkup schedule data, a child's plan and records, admission check
    reminders/  inbox, reminder planning, quiet hours, WeChat dispatch, subscriptions
    stats/      the policy figures, health figures, delivery figures, townships, CSV
    common/     transactions, idempotency keys, pagination, dialect-neutral upserts

Calendar arithmetic (months, years, age in whole months) lives in ``parentapp.timeutil``.

The transaction rule
--------------------
A public service function (no leading underscore) owns its transaction: it
commits once at its end and is wrapped in ``common.transactions.rolls_back``
so that any error ends the transaction before it propagates. A function that
writes but must not commit (a private helper, or one that another service
calls inside its own transaction) says "caller commits" in its docstring.
Jobs (``parentapp.jobs``) and models never commit; nothing commits halfway
through another service's transaction. ``common.idempotency`` is the one
deliberate exception: its claim commits in a short transaction of its own
before the work starts, so that a duplicate request sees the claim at once.

Services take plain values: ids, ``now`` and configuration values are passed
in as arguments, never read from ``current_app`` or the request.
"""
