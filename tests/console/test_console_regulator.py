import re

import pytest

from parentapp.extensions import db
from parentapp.models import Township
from tests.console.console_helpers import csrf, signed_in_client
from tests.factories import make_nursery


def test_dashboard_shows_tiles_and_a_bar_per_township(client):
    signed_in_client(client, "regulator")
    make_nursery(licensed_places=400, inclusive=True)
    db.session.execute(db.update(Township).where(Township.code == "500240001")
                       .values(population=100000))
    db.session.commit()
    page = client.get("/console/dashboard").get_data(as_text=True)
    assert page.count('class="bar"') == 33
    assert 'data-code="500240001" data-value="4.0"' in page
    assert 'data-target="2.0"' in page
    assert 'data-figure="guidance_rate"' in page and "未达标" in page


def test_dashboard_refuses_a_year_outside_the_policy(client):
    signed_in_client(client, "regulator")
    response = client.get("/console/dashboard?year=2019")
    assert response.status_code == 422
    assert "年份应在" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/console/dashboard", "/console/townships"])
def test_regulator_pages_are_closed_to_operators(client, path):
    signed_in_client(client, "operator")
    response = client.get(path)
    assert response.status_code == 403
    assert "当前账号无权访问此页面。" in response.get_data(as_text=True)


def test_population_form_saves_a_good_value(client):
    signed_in_client(client, "regulator")
    response = client.post("/console/townships/500240002", data={
        "csrf_token": csrf(client, "/console/townships"), "population": "45678"},
        follow_redirects=True)
    assert "人口已更新。" in response.get_data(as_text=True)
    township = db.session.get(Township, "500240002")
    db.session.refresh(township)
    assert (township.population, township.population_estimated) == (45678, False)


@pytest.mark.parametrize(("value", "message"), [
    ("0", "应在 1 到 5000000 之间。"), ("-3", "应在 1 到 5000000 之间。"),
    ("abc", "应为整数。"), ("", "不能为空。")])
def test_population_form_rejects_bad_input_and_changes_nothing(client, value, message):
    signed_in_client(client, "regulator")
    before = db.session.get(Township, "500240002").population
    response = client.post("/console/townships/500240002", data={
        "csrf_token": csrf(client, "/console/townships"), "population": value},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert message in page and "人口已更新。" not in page
    db.session.expire_all()
    assert db.session.get(Township, "500240002").population == before


def test_population_form_for_an_unknown_township_says_so(client):
    signed_in_client(client, "regulator")
    response = client.post("/console/townships/999", data={
        "csrf_token": csrf(client, "/console/townships"), "population": "5"},
        follow_redirects=True)
    assert re.search("没有这个乡镇", response.get_data(as_text=True))
