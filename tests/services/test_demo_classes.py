from sqlalchemy import select

from parentapp.models import ClassEnrollment, ParentingClass, User, utcnow
from parentapp.schemas.classes import LAT_RANGE, LNG_RANGE
from parentapp.seed import seed_demo
from parentapp.services.classes.queries import seat_counts
from parentapp.services.stats.townships import township_codes


def test_demo_season_has_past_upcoming_cancelled_and_full_classes(db):
    seed_demo(echo=lambda _line: None)
    seed_demo(echo=lambda _line: None)  # idempotent
    now = utcnow()
    classes = list(db.session.scalars(select(ParentingClass)))
    assert len(classes) == 10
    statuses = [cls.status_at(now) for cls in classes]
    assert statuses.count("completed") == 4 and statuses.count("cancelled") == 1
    assert len({cls.township for cls in classes}) >= 5
    assert all(cls.township in township_codes() for cls in classes)
    assert all(LAT_RANGE[0] <= cls.lat <= LAT_RANGE[1] for cls in classes)
    assert all(LNG_RANGE[0] <= cls.lng <= LNG_RANGE[1] for cls in classes)
    assert all(cls.ends_at > cls.starts_at >= cls.enroll_deadline for cls in classes)

    organisers = {db.session.get(User, cls.organizer_id).username for cls in classes}
    assert organisers == {"demo-regulator", "demo-operator"}
    counts = seat_counts([cls.id for cls in classes])
    held = [cls for cls in classes if cls.status_at(now) == "completed"]
    assert all(counts[cls.id].attended > 0 for cls in held)
    upcoming = [cls for cls in classes if cls.status_at(now) == "scheduled"]
    assert any(counts[cls.id].waitlisted > 0 and counts[cls.id].enrolled == cls.capacity
               for cls in upcoming)
    cancelled = next(cls for cls in classes if cls.cancelled_at is not None)
    assert {e.status for e in db.session.scalars(select(ClassEnrollment).where(
        ClassEnrollment.class_id == cancelled.id))} == {"cancelled"}
