from werkzeug.security import generate_password_hash

from parentapp.models import Township
from tests.browser.browser_helpers import sign_in
from tests.factories import bearer, make_nursery, make_user


def test_dashboard_chart_shows_the_statistics_apis_figures(page, client, db):
    regulator = make_user("regulator", username="wjw-browser",
                          password_hash=generate_password_hash("browser-pass-1"))
    make_nursery(licensed_places=300, inclusive=True)
    make_nursery(licensed_places=50, township="500240100")
    db.session.execute(db.update(Township).where(Township.code == "500240001")
                       .values(population=100000))
    db.session.commit()
    api = client.get("/api/v1/admin/stats", headers=bearer(regulator)).get_json()
    db.session.commit()

    sign_in(page, "wjw-browser", "browser-pass-1")
    page.click("text=指标看板")
    page.wait_for_selector("#places-chart")

    bars = page.eval_on_selector_all(
        "#places-chart rect.bar", "els => els.map(e => [e.dataset.code, e.dataset.value])")
    expected = [[row["code"], "" if row["places_per_1000"] is None
                 else str(row["places_per_1000"])] for row in api["townships"]]
    assert bars == expected
    assert page.get_attribute("#target-line", "data-target") == str(
        api["targets"]["places_per_1000"])
    assert page.get_attribute("[data-figure=kindergarten_classes]", "data-met") == "false"
    tile = page.inner_text("[data-figure=places_per_1000] .value")
    assert tile == str(api["county"]["places_per_1000"])
