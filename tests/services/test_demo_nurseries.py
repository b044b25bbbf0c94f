from collections import Counter

from parentapp.models import Nursery, User
from parentapp.schemas.nurseries import LAT_RANGE, LNG_RANGE
from parentapp.seed import seed_demo
from parentapp.services.nurseries import credit_code
from parentapp.services.nurseries.filings import TRANSITIONS


def test_demo_nurseries_cover_every_kind_and_filing_state(db, client):
    seed_demo(echo=lambda _line: None)
    seed_demo(echo=lambda _line: None)  # idempotent
    nurseries = list(db.session.scalars(db.select(Nursery).order_by(Nursery.id)))
    assert len(nurseries) == 16
    statuses = Counter(n.filing_status for n in nurseries)
    assert set(statuses) == {"draft", "pending", "approved", "rejected", "revoked"}
    assert {n.kind for n in nurseries} == {"nursery", "kindergarten_class", "employer", "family"}
    family = [n for n in nurseries if n.kind == "family"]
    assert [(n.filing_status, n.township) for n in family] == [("approved", "500240207")]
    assert family[0].licensed_places <= 5  # 中益乡, a rural township (乡)
    assert any(n.inclusive for n in nurseries) and not all(n.inclusive for n in nurseries)
    assert len({n.township for n in nurseries}) >= 8
    assert all(credit_code.is_valid(n.credit_code) for n in nurseries)
    assert all(LAT_RANGE[0] <= n.lat <= LAT_RANGE[1] and LNG_RANGE[0] <= n.lng <= LNG_RANGE[1]
               for n in nurseries)
    owners = {db.session.get(User, n.operator_id).username for n in nurseries}
    assert owners == {"demo-operator", "demo-operator-2"}
    for nursery in nurseries:
        trail = [(e.from_status, e.to_status) for e in nursery.events]
        assert trail[0] == (None, "draft") and trail[-1][1] == nursery.filing_status
        legal = {(start, to) for starts, to in TRANSITIONS.values() for start in starts}
        assert set(trail[1:]) <= legal
    listing = client.get("/api/v1/nurseries?per_page=100").get_json()
    visible = {n.id for n in nurseries if n.is_visible_to_parents}
    assert {i["id"] for i in listing["items"]} == visible
    assert any(n.kind == "employer" and not n.open_to_public for n in nurseries)
