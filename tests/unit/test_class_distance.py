import math

import pytest

from parentapp.services.classes.queries import distance_m


def haversine_m(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


@pytest.mark.parametrize(("a", "b"), [
    ((29.999, 108.114), (30.39, 108.19)),    # 南宾 -> 西沱
    ((29.65, 107.98), (30.53, 108.57)),      # corner to corner of the county
    ((30.23, 108.4), (30.23, 108.41)),       # a short hop east
    ((30.0, 108.1), (30.0, 108.1)),
])
def test_flat_distance_agrees_with_the_great_circle_across_the_county(a, b):
    exact = haversine_m(*a, *b)
    assert abs(distance_m(*b, *a) - exact) <= max(2, exact * 0.003)
