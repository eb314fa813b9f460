"""Browser tests: the app served by a real HTTP server in a thread, driven by Debian's headless Chromium
through Playwright. CSRF is ON here (unlike the test client), so forms are tested as users submit them."""

import threading
from pathlib import Path

import pytest
from flask import url_for
from werkzeug.serving import make_server

from lms import create_app
from lms.config import TestConfig
from lms.extensions import db as _db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture(scope="session")
def live_app(app):
    """A second app on the suite's database, with CSRF protection enabled as in production."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    application = create_app(config)
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL (``http://127.0.0.1:PORT``) of the live app, served in a daemon thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_url(live_app, live_server):
    """``live_url("enrolment.catalogue")``: the absolute URL of an endpoint on the live server."""

    def build(endpoint: str, **values) -> str:
        with live_app.test_request_context():
            return live_server + url_for(endpoint, **values)

    return build


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium "
            "(`make chromium` or `apt-get install chromium`).",
            pytrace=False,
        )
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}", pytrace=False)
        yield instance
        instance.close()


def _page(browser, **options):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A desktop page (1280x800)."""
    context, pg = _page(browser, viewport={"width": 1280, "height": 800})
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized touch page (390x844, like a common Android/iPhone screen)."""
    context, pg = _page(browser, **PHONE)
    yield pg
    context.close()
