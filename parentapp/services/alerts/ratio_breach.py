"""A check-in that leaves a nursery short of carers opens ``ratio_breach``, once per
nursery and local day (``ratio_breach:{nursery}:{day}``); the check-in itself is allowed.
"""

from __future__ import annotations

from datetime import datetime

from parentapp.domain import AlertKind
from parentapp.services.alerts.opening import Cause, lock_nursery_alerts, open_alerts
from parentapp.services.staff.ratio import nursery_ratio
from parentapp.timeutil import LOCAL_TZ, local_today


def detect_ratio_breach(operator_id: int, nursery_id: int, now: datetime) -> list[int]:
    """The ratio at ``now`` (``staff.ratio.nursery_ratio``, the one the console shows);
    when not compliant, open the day's alert if not open yet. Returns the new alert's id
    in a list (caller commits)."""
    lock_nursery_alerts(nursery_id)
    ratio = nursery_ratio(operator_id, nursery_id, now)
    if ratio.compliant:
        return []
    day = local_today(now)
    cause = Cause(
        kind=AlertKind.RATIO_BREACH, nursery_id=nursery_id,
        key=f"ratio_breach:{nursery_id}:{day.isoformat()}",
        details={"at": now.isoformat(timespec="seconds"), "children": ratio.children,
                 "carers_on_duty": ratio.carers_on_duty,
                 "carers_required": ratio.carers_required},
        message=f"{now.astimezone(LOCAL_TZ):%H:%M} 在园儿童需要 {ratio.carers_required} "
                f"名保育人员，在岗仅 {ratio.carers_on_duty} 名，请尽快安排到岗。")
    return open_alerts([cause], now)

