"""Every console page, as each role sees it on the demo data, at a phone's 390 px and a
desktop's 1280 px: nothing scrolls sideways, every control is labelled and at least
44 px tall, text meets AA contrast, one <h1>, no duplicate ids (page_checks.js).

The pages are read from the app's URL map, so a new console page is checked without
being listed here; a page whose URL takes a parameter this test cannot fill fails,
naming the parameter, until an example is added to ``_examples``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parentapp.extensions import db
from parentapp.models import Nursery, ParentingClass, PlaceRound, StaffMember, Township, User
from parentapp.seed import DEMO_OPERATOR, DEMO_REGULATOR, seed_demo
from tests.browser.browser_helpers import WIDTHS, sign_in

CHECKS = (Path(__file__).with_name("page_checks.js")).read_text(encoding="utf-8")
SIGNED_OUT = {"console.login", "console.register"}
ACCOUNTS = {"operator": DEMO_OPERATOR, "regulator": DEMO_REGULATOR}


def _examples(role: str) -> dict[str, object]:
    """A value for each URL parameter of a GET page, from the demo data, as ``role``."""
    if role not in ACCOUNTS:
        return {}
    user = db.session.scalar(db.select(User).where(User.username == ACCOUNTS[role][0]))
    nursery = db.select(Nursery.id).order_by(Nursery.id).limit(1)
    if role == "operator":
        nursery = nursery.where(Nursery.operator_id == user.id)
    else:
        nursery = nursery.where(Nursery.filing_status == "pending")
    nursery_id = db.session.scalar(nursery)
    return {
        "nursery_id": nursery_id,
        "class_id": db.session.scalar(db.select(ParentingClass.id).where(
            ParentingClass.organizer_id == user.id).order_by(ParentingClass.id).limit(1)),
        "code": db.session.scalar(db.select(Township.code).order_by(Township.code).limit(1)),
        # Regulators are refused staff pages (403), whoever's the person is.
        "staff_id": db.session.scalar(db.select(StaffMember.id).join(
            Nursery, Nursery.id == StaffMember.nursery_id).where(
            (Nursery.operator_id == user.id) | (role != "operator"))
            .order_by(StaffMember.id).limit(1)),
        # A round of the operator's nursery; regulators are refused round pages (403).
        "round_id": db.session.scalar(db.select(PlaceRound.id).where(
            (PlaceRound.nursery_id == nursery_id) | (role != "operator"))
            .order_by(PlaceRound.id).limit(1)),
    }


def _pages(app, role: str) -> list[str]:
    examples = _examples(role)
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or "GET" not in rule.methods:
            continue
        if (rule.endpoint in SIGNED_OUT) != (role == "signed out"):
            continue
        missing = [arg for arg in rule.arguments if examples.get(arg) is None]
        assert not missing, f"{rule.rule}: add an example for {missing} to _examples"
        paths.append(rule.build({arg: examples[arg] for arg in rule.arguments})[1])
    return sorted(paths)


def _check(page, path: str) -> list[str] | None:
    """The page's problems, or None when it is not an HTML page of this role."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        response = page.goto(path)
    except PlaywrightError as exc:
        if "Download is starting" in exc.message:
            return None  # an attachment (the stats CSV); its own flow test downloads it
        raise
    if response.status == 403:  # another role's page
        return None
    if response.status != 200:
        return [f"{path}: HTTP {response.status}"]
    if not response.headers.get("content-type", "").startswith("text/html"):
        return None  # a download
    width = page.viewport_size["width"]
    problems = []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        wide = page.evaluate("""(width) => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1
                          && !el.closest('.scroll'))
            .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                                 + '.' + (el.getAttribute('class') || ''))""", width)
        problems.append(f"{scroll} px wide at {width} px (widest: {', '.join(wide)})")
    problems += page.evaluate(CHECKS)
    return [f"{path}: {problem}" for problem in problems]


@pytest.mark.parametrize("viewport", list(WIDTHS), ids=list(WIDTHS))
@pytest.mark.parametrize("role", ["operator", "regulator", "signed out"])
def test_every_console_page_fits_and_is_accessible(app, page, viewport, role):
    seed_demo(echo=lambda _line: None)
    db.session.commit()
    page.set_viewport_size(WIDTHS[viewport])
    if role != "signed out":
        sign_in(page, *ACCOUNTS[role])
    paths = _pages(app, role)
    assert paths, "no console page found for this role"
    checked = {path: _check(page, path) for path in paths}
    problems = [problem for found in checked.values() if found for problem in found]
    assert not problems, "\n".join(problems)
    assert any(found is not None for found in checked.values()), "no page of this role opened"


def test_the_checks_catch_what_they_look_for(page):
    """page_checks.js on a page built to break each rule reports each break."""
    page.set_viewport_size(WIDTHS["phone"])
    page.set_content("""<html><head><title>t</title></head><body style="background:#fff">
        <h1>一</h1><h1>二</h1>
        <input id="x" name="unlabelled"><span id="x"></span>
        <button style="height:20px;min-height:0">小</button>
        <p style="color:#bbb">浅色文字</p></body></html>""")
    problems = page.evaluate(CHECKS)
    assert any(p.startswith("no label") for p in problems)
    assert any(p.startswith("target 20 px tall") for p in problems)
    assert any(p.startswith("contrast") and "浅色文字" in p for p in problems)
    assert "2 <h1> on the page" in problems
    assert "duplicate ids: x" in problems
