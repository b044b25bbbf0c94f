"""A live server on the test app and a headless Chromium driven by Playwright.

Debian's chromium package is the browser (Playwright never downloads one) and
fonts-noto-cjk gives it Chinese glyphs (without them every character is a box of
another width, and the layout checks would measure the wrong page). Without either
the browser tests are skipped locally with a message naming the package, but fail in
CI, where .ci/run installs both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.browser_helpers import WIDTHS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture(autouse=True)
def _database(db):
    """Every browser test runs in an app context and leaves the tables empty."""
    return db


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def _missing_packages() -> list[str]:
    missing = [] if os.path.exists(CHROMIUM) else ["chromium"]
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                           text=True, check=False) if shutil.which("fc-list") else None
    if fonts is None or not fonts.stdout.strip():
        missing.append("fonts-noto-cjk")
    return missing


@pytest.fixture(scope="session")
def browser():
    missing = _missing_packages()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{' and '.join(missing)} not installed; .ci/run should have installed it")
        pytest.skip(f"browser tests need Debian's {' and '.join(missing)} "
                    f"(apt-get install {' '.join(missing)})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, db):
    """A fresh browser page on the live server (desktop size unless a test sets one)."""
    db.session.commit()  # never hold a write lock while the server works
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    db.session.rollback()


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def screen(request, page):
    """``page`` at a phone's 390x844 and at a desktop's 1280x800: a flow test taking
    ``screen`` runs at both widths."""
    page.set_viewport_size(WIDTHS[request.param])
    return page
