"""Versioned reference data shipped with the app (townships, schedules)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


def read_json(name: str):
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def townships() -> tuple[dict, ...]:
    """The county's 33 townships in official order."""
    return tuple(read_json("townships.json")["townships"])
