"""Allocating monthly places: family-proposing deferred acceptance over round priorities.

Pure functions over plain values (no database, no Flask). A family applies to 1 to 3
rounds (one per nursery) in order of preference; each round ranks its applicants by a
sortable key, lower is better. ``match`` gives the applicant-optimal stable result, so
no family gains by ranking its choices untruthfully; ``blocking_pairs`` audits a result.
"""

from __future__ import annotations

import hashlib
from bisect import insort
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PriorityKey = tuple[Any, ...]
Priority = Mapping[tuple[int, int], PriorityKey]


@dataclass(frozen=True)
class Applicant:
    """One application: its id and its round ids, most preferred first."""

    id: int
    choices: tuple[int, ...]


def draw_key(seed: str, application_id: int) -> str:
    """sha256(f"{seed}{application_id}") hex digest: the published tie-break draw."""
    return hashlib.sha256(f"{seed}{application_id}".encode()).hexdigest()


def _usable_choices(applicant: Applicant, places: Mapping[int, int]) -> tuple[int, ...]:
    """The applicant's choices in order, without repeats and rounds with no place to give."""
    return tuple(r for r in dict.fromkeys(applicant.choices) if places.get(r, 0) > 0)


def _preferences(
    applicants: Iterable[Applicant], places: Mapping[int, int]
) -> dict[int, tuple[int, ...]]:
    """Usable choices by applicant id, in id order; raises ValueError on a repeated id."""
    preferences: dict[int, tuple[int, ...]] = {}
    for applicant in sorted(applicants, key=lambda a: a.id):
        if applicant.id in preferences:
            raise ValueError(f"applicant {applicant.id} appears twice")
        preferences[applicant.id] = _usable_choices(applicant, places)
    return preferences


def _defer(
    preferences: Mapping[int, tuple[int, ...]], places: Mapping[int, int], priority: Priority
) -> dict[int, list[tuple[PriorityKey, int]]]:
    """Run the proposals; returns each round's held (key, applicant id), best first."""
    held: dict[int, list[tuple[PriorityKey, int]]] = {r: [] for r in places}
    next_choice = dict.fromkeys(preferences, 0)
    free = sorted(preferences, reverse=True)  # a stack; any proposal order gives one result
    while free:
        applicant = free.pop()
        choices, step = preferences[applicant], next_choice[applicant]
        if step == len(choices):
            continue  # every usable choice refused it: it stays unplaced
        next_choice[applicant] = step + 1
        round_id = choices[step]
        holding = held[round_id]  # sorted best first, so the worst held is last
        insort(holding, (priority[(round_id, applicant)], applicant))
        if len(holding) > places[round_id]:
            free.append(holding.pop()[1])
    return held


def match(
    applicants: Iterable[Applicant], places: Mapping[int, int], priority: Priority
) -> dict[int, int | None]:
    """Family-proposing deferred acceptance (Gale-Shapley with capacities).

    ``places[round_id]`` = places to give; ``priority[(round_id, applicant_id)]`` = a
    sortable key, lower is better, distinct within a round. Choices naming a round absent
    from ``places`` or with 0 places are skipped (and need no priority key). Returns
    applicant id -> round id or None (unplaced) for every applicant. The result is the
    applicant-optimal stable matching, so it does not depend on the input order.

    Raises ValueError if an applicant id repeats, KeyError if a needed key is missing.
    """
    preferences = _preferences(applicants, places)
    result: dict[int, int | None] = dict.fromkeys(preferences, None)
    for round_id, holding in _defer(preferences, places, priority).items():
        for _, applicant in holding:
            result[applicant] = round_id
    return result


def _worst_held(
    result: Mapping[int, int | None], priority: Priority
) -> tuple[dict[int, int], dict[int, PriorityKey]]:
    """Per round of ``result``: how many it holds, and the key of the worst one it holds."""
    counts: dict[int, int] = {}
    worst: dict[int, PriorityKey] = {}
    for applicant, round_id in result.items():
        if round_id is None:
            continue
        counts[round_id] = counts.get(round_id, 0) + 1
        key = priority[(round_id, applicant)]
        if round_id not in worst or key > worst[round_id]:
            worst[round_id] = key
    return counts, worst


def _ranked_above(choices: tuple[int, ...], placed: int | None) -> tuple[int, ...]:
    """The choices an applicant prefers to ``placed`` (all of them when it is not one)."""
    return choices[: choices.index(placed)] if placed in choices else choices


def blocking_pairs(
    applicants: Iterable[Applicant],
    places: Mapping[int, int],
    priority: Priority,
    result: Mapping[int, int | None],
) -> list[tuple[int, int]]:
    """(applicant, round) pairs that block ``result``, in applicant then preference order.

    A pair blocks when the applicant ranks the round above its result (or is unplaced
    and ranked it), and the round either has a free place or holds someone of lower
    priority. Rounds absent from ``places`` or with 0 places never block. Empty = stable.
    """
    counts, worst = _worst_held(result, priority)
    pairs: list[tuple[int, int]] = []
    for applicant in sorted(applicants, key=lambda a: a.id):
        for round_id in _ranked_above(_usable_choices(applicant, places), result.get(applicant.id)):
            has_room = counts.get(round_id, 0) < places[round_id]
            if has_room or priority[(round_id, applicant.id)] < worst[round_id]:
                pairs.append((applicant.id, round_id))
    return pairs
