"""Field types the contract uses in many places."""

from __future__ import annotations

from marshmallow import fields

from parentapp.timeutil import to_local_iso


class LocalDateTime(fields.DateTime):
    """Instants are shown with the Asia/Shanghai offset, e.g. ``2026-12-01T09:00:00+08:00``."""

    def _serialize(self, value, attr, obj, **kwargs):
        return to_local_iso(value)
