import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parentapp.services.nurseries.geo import EARTH_RADIUS_M, bounding_box, distance_m


def destination(lat, lng, bearing, metres):
    """The point ``metres`` from (lat, lng) along ``bearing`` (radians) on the sphere."""
    phi, lam, delta = math.radians(lat), math.radians(lng), metres / EARTH_RADIUS_M
    phi2 = math.asin(math.sin(phi) * math.cos(delta)
                     + math.cos(phi) * math.sin(delta) * math.cos(bearing))
    lam2 = lam + math.atan2(math.sin(bearing) * math.sin(delta) * math.cos(phi),
                            math.cos(delta) - math.sin(phi) * math.sin(phi2))
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


def test_one_degree_of_latitude_is_about_111_km():
    assert distance_m(30, 108, 31, 108) == pytest.approx(EARTH_RADIUS_M * math.pi / 180)
    assert distance_m(30, 108, 31, 108) == pytest.approx(111_195, abs=1)


def test_distance_is_symmetric_zero_on_itself_and_half_the_globe_at_the_antipode():
    assert distance_m(29.99, 108.11, 30.2, 108.4) == distance_m(30.2, 108.4, 29.99, 108.11)
    assert distance_m(29.99, 108.11, 29.99, 108.11) == 0
    assert distance_m(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_M)


@pytest.mark.parametrize(("a", "b"), [
    ((29.999, 108.114), (30.23, 108.4)),   # 南宾街道 - 黄水镇
    ((29.65, 107.98), (30.53, 108.57)),    # across the county's box
    ((30.39, 108.19), (29.94, 108.19)),    # 西沱镇 - 三河镇, due south
])
def test_matches_the_spherical_law_of_cosines(a, b):
    phi1, phi2 = math.radians(a[0]), math.radians(b[0])
    cosine = (math.sin(phi1) * math.sin(phi2)
              + math.cos(phi1) * math.cos(phi2) * math.cos(math.radians(b[1] - a[1])))
    assert distance_m(*a, *b) == pytest.approx(EARTH_RADIUS_M * math.acos(cosine), rel=1e-9)


def test_east_west_metres_shrink_with_the_cosine_of_latitude():
    assert distance_m(60, 108, 60, 108.001) == pytest.approx(
        distance_m(0, 108, 0, 108.001) / 2, rel=1e-6)


def _inside(box, lat, lng):
    min_lat, max_lat, min_lng, max_lng = box
    return min_lat <= lat <= max_lat and min_lng <= lng <= max_lng


@given(lat=st.floats(-89.5, 89.5), lng=st.floats(-179.5, 179.5),
       radius_m=st.floats(1, 50_000), bearing=st.floats(0, 2 * math.pi),
       fraction=st.floats(0, 1))
def test_every_point_within_the_radius_is_inside_the_box(lat, lng, radius_m, bearing,
                                                         fraction):
    point = destination(lat, lng, bearing, radius_m * fraction)
    assert _inside(bounding_box(lat, lng, radius_m), *point)


@given(lat=st.floats(-80, 80), lng=st.floats(-170, 170), radius_m=st.floats(100, 50_000))
def test_the_box_is_tight(lat, lng, radius_m):
    """The easternmost point of the circle (found numerically) touches the box's edge."""
    low, high = 0.0, math.pi
    for _ in range(200):  # golden-section search for the bearing that reaches furthest east
        a, b = low + (high - low) * 0.382, low + (high - low) * 0.618
        if destination(lat, lng, a, radius_m)[1] < destination(lat, lng, b, radius_m)[1]:
            low = a
        else:
            high = b
    east = destination(lat, lng, (low + high) / 2, radius_m)[1]
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_m)
    assert max_lng - east == pytest.approx(0, abs=1e-8)
    assert lng - min_lng == pytest.approx(max_lng - lng)
    north = destination(lat, lng, 0, radius_m)[0]
    assert max_lat - north == pytest.approx(0, abs=1e-8)


@pytest.mark.parametrize(("lat", "lng"), [(89.9, 10), (-89.9, 10), (30, 179.99), (30, -179.99)])
def test_near_a_pole_or_the_antimeridian_the_box_spans_every_longitude(lat, lng):
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, 50_000)
    assert (min_lng, max_lng) == (-180.0, 180.0)
    assert -90 <= min_lat < lat < max_lat <= 90
