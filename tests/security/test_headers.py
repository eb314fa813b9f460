"""Security headers on every response, HSTS only over HTTPS, cookie flags, and no inline script or style left in
any template (the CSP would block them)."""

import re
from pathlib import Path

import pytest

from lms import create_app
from lms.config import TestConfig

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/pelatihan", "/masuk", "/tidak-ada", "/healthz", "/static/css/app.css"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = _csp(response)
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["default-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["frame-src"] == "https://www.youtube-nocookie.com https://player.vimeo.com"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP, not configured


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/masuk").headers
    response = client.get("/masuk", base_url="https://pelatihan.example.go.id")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_behind_a_tls_proxy_only_when_the_proxy_is_trusted(app):
    headers = {"X-Forwarded-Proto": "https"}
    untrusted = create_app(_config(app, PROXY_FIX_COUNT=0)).test_client()
    assert "Strict-Transport-Security" not in untrusted.get("/masuk", headers=headers).headers
    trusted = create_app(_config(app, PROXY_FIX_COUNT=1)).test_client()
    assert "Strict-Transport-Security" in trusted.get("/masuk", headers=headers).headers


def test_hsts_when_secure_cookies_are_configured(app):
    client = create_app(_config(app, SESSION_COOKIE_SECURE=True)).test_client()
    assert "max-age=" in client.get("/masuk").headers["Strict-Transport-Security"]


def _config(app, **overrides) -> dict:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
    config.update(overrides)
    return config


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    from tests.conftest import PASSWORD

    user = make_user()
    response = client.post("/masuk", data={"identifier": user.email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # not configured: development over plain HTTP


def test_cookies_are_secure_when_configured(app, make_user, db):
    from tests.conftest import PASSWORD

    secure = create_app(_config(app, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True))
    user = make_user()
    client = secure.test_client()
    response = client.post(
        "/masuk",
        data={"identifier": user.email, "password": PASSWORD, "remember": "y"},
        base_url="https://pelatihan.example.go.id",
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_config_reads_secure_cookies_from_the_environment(monkeypatch):
    import subprocess
    import sys

    code = "from lms.config import Config as C; print(C.SESSION_COOKIE_SECURE, C.REMEMBER_COOKIE_SECURE)"
    env = {"SESSION_COOKIE_SECURE": "true", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"""<[^>]+\sstyle\s*=|<style[\s>]""", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")))
def test_no_template_has_inline_script_handlers_or_style(template):
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(source), f"{template}: inline <script> (move it to static/js/)"
    assert not EVENT_HANDLER.search(source), f"{template}: on*= handler (use addEventListener in static/js/)"
    assert "javascript:" not in source.lower(), f"{template}: javascript: URL"
    assert not INLINE_STYLE.search(source), f"{template}: inline style (add a class to static/css/app.css)"
