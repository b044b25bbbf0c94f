"""Events one feature announces and another reacts to, as blinker signals.

Receivers are connected in ``create_app``, never as a side effect of an import.
Connecting the same receiver again is a no-op, so building several apps in one
process (the tests do) still runs each receiver once.

``filing_revoked``
    Sent by ``nurseries.filings.revoke_filing`` with the locked ``Nursery`` as
    sender and ``now=`` the instant, inside the revoke transaction after the
    status changed. Receivers undo what hangs on the nursery (bookings cancel its
    future bookings), must not commit, and may raise to abort the revocation.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

filing_revoked = _signals.signal("filing-revoked")
