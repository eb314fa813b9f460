"""The application shell: health check, Indonesian error pages, language switch, configuration, SQLite pragmas."""

from pathlib import Path

import pytest
from babel.support import Translations
from sqlalchemy import create_engine, text

from lms import create_app
from lms.auth.models import Role
from lms.config import BASE_DIR, TestConfig, normalise_database_url
from lms.extensions import db as _db


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"  # the other parts: tests/ops/test_health.py


def test_404_page_is_indonesian_and_uses_error_template(client):
    response = client.get("/tidak-ada")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="id">' in html
    assert "Halaman tidak ditemukan" in html
    assert "Kembali ke beranda" in html  # the error template's button
    assert 'class="navbar-toggler"' in html  # inside base.html


def test_403_page_for_participant_on_admin_page(client_as, make_user):
    participant = make_user(role=Role.participant)
    response = client_as(participant).get("/admin/pengguna")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Akses ditolak" in html
    assert "Anda tidak memiliki izin untuk membuka halaman ini." in html
    assert "Kembali ke beranda" in html


@pytest.fixture
def failing_app(app):
    """A separate app on the suite's database with a route that raises, exceptions not propagated."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False)
    application = create_app(config)

    def explode():
        raise RuntimeError("bom")

    application.add_url_rule("/uji-galat", "explode", explode)
    yield application
    with application.app_context():
        _db.engine.dispose()


def test_500_page_is_indonesian(failing_app):
    response = failing_app.test_client().get("/uji-galat")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Terjadi kesalahan" in html
    assert "Terjadi kesalahan pada server." in html
    assert "Kembali ke beranda" in html
    assert "RuntimeError" not in html and "bom" not in html


def _english(msgid: str) -> str | None:
    """The English translation of ``msgid`` in the compiled catalogue, or None when there is none."""
    mo = Path(BASE_DIR) / "translations" / "en" / "LC_MESSAGES" / "messages.mo"
    if not mo.exists():
        return None
    with mo.open("rb") as fh:
        translated = Translations(fh).gettext(msgid)
    return translated if translated and translated != msgid else None


def test_language_switch_to_english(client):
    response = client.post("/bahasa/en", data={"next": "/tidak-ada"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tidak-ada")

    html = client.get("/tidak-ada").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Bahasa Indonesia" in html  # the switch now offers the way back
    english = _english("Halaman tidak ditemukan")
    if english:
        assert english in html
        assert "Halaman tidak ditemukan" not in html

    client.post("/bahasa/id")
    assert '<html lang="id">' in client.get("/tidak-ada").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/bahasa/xx")
    assert '<html lang="id">' in client.get("/tidak-ada").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    response = client.post("/bahasa/en", data={"next": "https://contoh.invalid/"})
    assert response.status_code == 302
    assert "contoh.invalid" not in response.headers["Location"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
    ],
)
def test_normalise_database_url(given, expected):
    assert normalise_database_url(given) == expected


def test_sqlite_engine_uses_wal_and_foreign_keys(db, is_postgres, tmp_path):
    """On SQLite the suite's own engine; on PostgreSQL a throwaway SQLite file checks the same listener."""
    engine = create_engine(f"sqlite:///{tmp_path / 'pragma.sqlite3'}") if is_postgres else db.engine
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    finally:
        if is_postgres:
            engine.dispose()
