"""What a family's bookings keep after the account is deleted: no words of theirs.

The bookings themselves stay for the nursery's records (its past roster, its
figures), under the anonymous account row; the family's free text does not.
Bookings are the only booking rows with such text (waitlist entries have none).
"""

from __future__ import annotations

from sqlalchemy import update

from parentapp.extensions import db
from parentapp.models import Booking


def erase_family_notes(parent_id: int) -> None:
    """Clear the notes of every booking the account made, past ones too (caller commits)."""
    db.session.execute(update(Booking).where(Booking.parent_id == parent_id,
                                             Booking.note.is_not(None))
                       .values(note=None).execution_options(synchronize_session=False))
