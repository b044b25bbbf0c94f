from pathlib import Path

from parentapp import create_app, data
from parentapp.extensions import db

OVERLAY = str(Path(__file__).resolve().parent.parent / "fixtures"
              / "schedule-overlay-varicella.json")
EDITION_PRODUCTS = {
    "DTaP-IPV-Hib": ["DTaP", "polio"], "DTaP-Hib": ["DTaP"], "IPV": ["polio"], "MMR": ["MMR"],
}


def test_meta_lists_care_types_templates_schedule_and_all_townships(client):
    response = client.get("/api/v1/meta")
    assert response.status_code == 200
    body = response.get_json()
    assert body["care_types"] == ["full_day", "half_day", "hourly", "temporary"]
    assert set(body["subscription_templates"]) == {"vaccine", "checkup", "booking", "class"}
    assert body["schedule_version"] == "cn-nip-2025"
    assert len(body["townships"]) == 33
    assert body["townships"][0] == {"code": "500240001", "name": "南宾街道", "kind": "subdistrict"}
    assert [t["code"] for t in body["townships"]] == [t["code"] for t in data.townships()]


def test_meta_without_an_overlay_lists_the_editions_vaccine_products(client):
    body = client.get("/api/v1/meta").get_json()
    assert body["schedule_overlay"] is None
    products = {product["code"]: product for product in body["vaccine_products"]}
    assert {code: product["counts_as"] for code, product in products.items()} == EDITION_PRODUCTS
    assert products["MMR"]["name"] == "麻疹-腮腺炎-风疹联合减毒活疫苗（麻腮风疫苗）"
    assert all(set(product) == {"code", "name", "counts_as"} for product in products.values())


def test_meta_names_the_schedule_overlay_in_force(app):
    overlaid = create_app({**app.config, "SCHEDULE_OVERLAY": OVERLAY})
    try:
        body = overlaid.test_client().get("/api/v1/meta").get_json()
    finally:
        with overlaid.app_context():
            db.engine.dispose()
    assert body["schedule_version"] == "cn-nip-2025"
    assert body["schedule_overlay"] == {
        "name": "test-varicella",
        "title": "测试用地方增补：水痘减毒活疫苗（2024年1月1日及以后出生儿童）",
        "source": "test fixture: a made-up province funding two doses of varicella vaccine; "
                  "not a real policy",
    }
    assert {p["code"] for p in body["vaccine_products"]} == set(EDITION_PRODUCTS)


def test_meta_keeps_chinese_readable(client):
    raw = client.get("/api/v1/meta").get_data(as_text=True)
    assert "南宾街道" in raw and "\\u" not in raw


def test_township_reference_populations_add_up_to_the_census_total():
    assert sum(t["estimated_population"] for t in data.townships()) == 389001


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert {key: response.get_json()[key] for key in ("status", "database")} == {
        "status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(app):
    from parentapp import create_app

    broken = create_app({**app.config, "SQLALCHEMY_DATABASE_URI":
                         "postgresql://nobody@127.0.0.1:1/none",
                         "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}}})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert response.get_json()["error"]["details"] == {"database": "unavailable"}


def test_openapi_document_describes_every_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (path, method.upper()) for path, ops in spec["paths"].items() for method in ops
    }
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/v1/") or rule.rule == "/healthz"):
            continue
        if rule.endpoint in {"api-docs.openapi_json", "docs.api_docs"}:
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} is not in openapi.json"
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_openapi_documents_request_and_response_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    create_child = spec["paths"]["/api/v1/children"]["post"]
    assert "requestBody" in create_child
    assert "201" in create_child["responses"]
    assert create_child["security"] == [{"bearerAuth": []}]


def test_docs_page_is_served_without_a_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "openapi.json" in page and "https://" not in page
