import csv
import io

import pytest

from parentapp.models import utcnow
from parentapp.timeutil import local_today
from tests.asserts import assert_error
from tests.factories import make_nursery

THIS_YEAR = local_today(utcnow()).year


def test_regulator_reads_the_figures_for_a_year(client, auth):
    _, headers = auth.regulator()
    make_nursery(licensed_places=80, inclusive=True)
    response = client.get(f"/api/v1/admin/stats?year={THIS_YEAR}", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["year"] == THIS_YEAR
    assert [t["code"] for t in body["townships"]][:3] == ["500240001", "500240002", "500240003"]
    assert len(body["townships"]) == 33
    nanbin = body["townships"][0]
    assert nanbin["licensed_places"] == 80 and nanbin["inclusive_nurseries"] == 1
    assert set(body["targets"]) == {"places_per_1000", "inclusive_nurseries",
                                    "kindergarten_classes", "activities_held",
                                    "guidance_rate", "health_management_rate"}
    assert body["county"]["population"] == sum(t["population"] for t in body["townships"])
    assert client.get("/api/v1/admin/stats", headers=headers).get_json()["year"] == THIS_YEAR


def test_filed_family_care_points_are_counted_apart_with_their_places(client, auth):
    _, headers = auth.regulator()
    make_nursery(licensed_places=80)
    make_nursery(kind="family", licensed_places=5)
    make_nursery(kind="family", licensed_places=3, inclusive=True)
    make_nursery(kind="family", licensed_places=4, filing_status="pending")
    body = client.get(f"/api/v1/admin/stats?year={THIS_YEAR}", headers=headers).get_json()
    nanbin = body["townships"][0]
    assert (nanbin["family_care_points"], nanbin["family_care_places"]) == (2, 8)
    assert (nanbin["licensed_places"], nanbin["inclusive_nurseries"]) == (88, 1)
    assert (body["county"]["family_care_points"], body["county"]["family_care_places"]) == (2, 8)
    assert all(t["family_care_points"] == 0 for t in body["townships"][1:])
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/api/v1/admin/stats.csv?year={THIS_YEAR}", headers=headers).get_data(as_text=True)
        .lstrip("\ufeff"))))
    assert (rows[0]["家庭托育点数"], rows[0]["家庭托育点托位数"]) == ("2", "8")
    assert (rows[-1]["家庭托育点数"], rows[-1]["家庭托育点托位数"]) == ("2", "8")


@pytest.mark.parametrize("year", ["2019", str(THIS_YEAR + 1), "abc"])
def test_a_bad_year_is_a_validation_error(client, auth, year):
    _, headers = auth.regulator()
    response = client.get(f"/api/v1/admin/stats?year={year}", headers=headers)
    assert_error(response, 422, "validation_error")
    assert "year" in response.get_json()["error"]["details"]


@pytest.mark.parametrize("role", ["parent", "operator"])
def test_statistics_are_for_regulators(client, auth, role):
    _, headers = getattr(auth, role)()
    for path in ("/api/v1/admin/stats", "/api/v1/admin/stats.csv"):
        response = client.get(path, headers=headers)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    assert_error(client.get("/api/v1/admin/stats"), 401, "unauthorized")


def test_csv_has_a_bom_chinese_headers_every_township_and_the_county(client, auth):
    _, headers = auth.regulator()
    response = client.get(f"/api/v1/admin/stats.csv?year={THIS_YEAR}", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["乡镇代码", "乡镇（街道）", "常住人口"]
    assert len(rows) == 1 + 33 + 1
    assert rows[-1][1] == f"全县（{THIS_YEAR}年）"


def test_regulator_sets_a_township_population(client, auth):
    _, headers = auth.regulator()
    response = client.put("/api/v1/admin/townships/500240001", headers=headers,
                          json={"population": 120000})
    assert response.status_code == 200
    assert response.get_json() == {"code": "500240001", "name": "南宾街道", "kind": "subdistrict",
                                   "population": 120000, "population_estimated": False}
    stats = client.get("/api/v1/admin/stats", headers=headers).get_json()
    assert stats["townships"][0]["population"] == 120000


@pytest.mark.parametrize("body", [{"population": 0}, {"population": -5}, {"population": "many"},
                                  {}, {"population": 10, "name": "x"}])
def test_bad_populations_are_rejected(client, auth, body):
    _, headers = auth.regulator()
    response = client.put("/api/v1/admin/townships/500240001", headers=headers, json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_an_unknown_township_is_not_found(client, auth):
    _, headers = auth.regulator()
    response = client.put("/api/v1/admin/townships/999", headers=headers,
                          json={"population": 10})
    assert_error(response, 404, "not_found")


def test_operators_cannot_set_populations(client, auth):
    _, headers = auth.operator()
    response = client.put("/api/v1/admin/townships/500240001", headers=headers,
                          json={"population": 10})
    assert_error(response, 403, "forbidden")
