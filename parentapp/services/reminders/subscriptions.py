"""One-time WeChat subscription grants: recorded from the mini-program, spent by the dispatcher.

Decisions the contract leaves open:

- Each ``accept`` adds one grant (WeChat's one-time subscriptions accumulate).
- ``ban`` (the parent switched the template off in WeChat's settings) sets the
  count to 0: WeChat would refuse every send with 43101 anyway.
- ``reject`` and ``filter`` change nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from parentapp.errors import ValidationFailed
from parentapp.extensions import db
from parentapp.models import SubscriptionGrant
from parentapp.services.common.dialect_insert import insert_for
from parentapp.services.common.transactions import rolls_back

RESULTS = ("accept", "reject", "ban", "filter")


def grants_of(user_id: int, *, templates: Mapping[str, str]) -> dict[str, int]:
    """Grants left per template kind (``templates``: kind -> template id), every kind listed."""
    counts = {kind: 0 for kind in templates}
    rows = db.session.execute(select(SubscriptionGrant.template_kind, SubscriptionGrant.grants)
                              .where(SubscriptionGrant.user_id == user_id))
    for kind, grants in rows:
        if kind in counts:
            counts[kind] = grants
    return counts


@rolls_back
def record_results(user_id: int, results: dict[str, str], now: datetime, *,
                   templates: Mapping[str, str]) -> dict[str, int]:
    """Apply ``wx.requestSubscribeMessage`` results; returns the grants left.

    Raises ValidationFailed when a template id is not one of ours.
    """
    kind_of = {template_id: kind for kind, template_id in templates.items()}
    unknown = sorted(template_id for template_id in results if template_id not in kind_of)
    if unknown:
        raise ValidationFailed.on("results", "包含未知的订阅消息模板。")
    table = SubscriptionGrant.__table__
    for template_id, result in sorted(results.items()):
        if result not in ("accept", "ban"):
            continue
        stmt = insert_for(table).values(user_id=user_id, template_kind=kind_of[template_id],
                                        grants=1 if result == "accept" else 0, updated_at=now)
        new_count = table.c.grants + 1 if result == "accept" else 0
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["user_id", "template_kind"],
            set_={"grants": new_count, "updated_at": stmt.excluded.updated_at}))
    db.session.commit()
    return grants_of(user_id, templates=templates)


def remove_grants(user_id: int) -> None:
    """Account deletion: the family's grants go (caller's transaction)."""
    db.session.execute(db.delete(SubscriptionGrant).where(SubscriptionGrant.user_id == user_id))
