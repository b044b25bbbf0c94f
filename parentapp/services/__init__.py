"""The rules of parentapp, one sub-package per feature.

Find a rule by its feature's name; each package opens with an index "rule -> module".

    accounts/   parents' WeChat sign-in, staff passwords, tokens, children, deletion
    booking/    booking places, availability, cancellation, waitlists and offers, day roster
    nurseries/  operators' nurseries, filings, offerings, slots, search, register import
    classes/    parenting classes: organising, enrolment, seat counts, class roster
    health/     vaccine/checkup schedule data, a child's plan and records, admission check
    reminders/  inbox, reminder planning, quiet hours, WeChat dispatch, subscriptions
    benefits/   the childcare subsidy (育儿补贴): eligible months, the yearly reminder
    staff/      nurseries' staff, who is on duty, the child-to-carer ratio
    alerts/     morning checks, illness absences, illness clusters, ratio breaches
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
through another service's transaction. ``common.idempotency`` claims a key
inside the work's own transaction (on PostgreSQL with an advisory lock a
duplicate sees at once) and stores the answer there, so a booking and its
answer commit together.

Reads and writes on SQLite
--------------------------
Sessions read in deferred transactions, which never wait for the write lock.
Code that writes says so first: ``rolls_back`` runs its service inside
``common.transactions.writing``, so every transaction it begins (also one
after a commit halfway) is IMMEDIATE and holds the write lock from its first
read; the idempotency lookup and its retried writes call ``begin_write``. A
read-only transaction still open then ends, expiring what it loaded (so
``g.user`` reloads inside the write transaction). A read path that writes only
sometimes (``booking.waitlist_offers.expire_due_offers``) looks first and
calls its ``rolls_back`` service only when there is work. Under TESTING a
write in a deferred transaction during a request raises (see
``parentapp.database``). PostgreSQL needs none of this.

Services take plain values: ids, ``now`` and configuration values are passed
in as arguments, never read from ``current_app`` or the request.
"""
