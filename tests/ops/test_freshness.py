"""The exact read caches (lms/freshness.py): a page that only reads keeps what it read while the database is
unchanged, and shows any committed change at once, whoever made it (another connection, another process, this
very connection); uncommitted and rolled-back changes are never kept; a log-out anywhere ends a kept session."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, text, update
from sqlalchemy.pool import StaticPool

from lms.auth.models import User
from lms.events.models import Agency, Enrolment, EnrolmentStatus, Event
from lms.freshness import database_state
from lms.readonly import read_only

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def other_engine(app):
    """A connection pool of its own on the same database: what another worker process writes through."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


def _rename(engine, event_id: int, title: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(Event).where(Event.id == event_id).values(title=title))


def test_a_quiet_database_is_read_once_per_page(db, client, client_as, make_event, make_user, count_queries):
    event = make_event(title="Bimtek Arsip")
    user = make_user()
    db.session.add(Enrolment(event_id=event.id, user_id=user.id, status=EnrolmentStatus.approved))
    db.session.commit()
    participant = client_as(user)
    # "Pelatihan saya" is kept from the session's second page on: the first makes its CSRF token, so that page
    # (rendered with a token the old cookie lacks) is not kept.
    assert "Bimtek Arsip" in participant.get("/pelatihan-saya").get_data(as_text=True)
    for url, who in (("/pelatihan", client), ("/pelatihan-saya", participant)):
        assert "Bimtek Arsip" in who.get(url).get_data(as_text=True)
        with count_queries() as counter:
            again = who.get(url)
        assert again.status_code == 200 and "Bimtek Arsip" in again.get_data(as_text=True)
        # the user and the page (or its rows): all kept; only the database's state was asked, straight
        # through the driver (lms/freshness.py), which SQLAlchemy's events do not see
        assert counter.statements == [], url


def test_a_commit_from_another_connection_shows_at_once(db, client, client_as, make_event, make_user, other_engine):
    event = make_event(title="Bimtek Lama")
    user = make_user()
    participant = client_as(user)
    assert "Bimtek Lama" in client.get("/pelatihan").get_data(as_text=True)
    assert "Bimtek Lama" not in participant.get("/pelatihan-saya").get_data(as_text=True)

    _rename(other_engine, event.id, "Bimtek Baru")
    with other_engine.begin() as conn:
        conn.execute(insert(Enrolment).values(event_id=event.id, user_id=user.id, status=EnrolmentStatus.approved))

    catalogue = client.get("/pelatihan").get_data(as_text=True)
    assert "Bimtek Baru" in catalogue and "Bimtek Lama" not in catalogue
    assert "Bimtek Baru" in participant.get("/pelatihan-saya").get_data(as_text=True)


def test_a_commit_from_another_process_shows_at_once(app, db, client, make_event):
    event = make_event(title="Bimtek Sebelum")
    assert "Bimtek Sebelum" in client.get("/pelatihan").get_data(as_text=True)
    child = textwrap.dedent(
        f"""
        from sqlalchemy import create_engine, text
        engine = create_engine({app.config["SQLALCHEMY_DATABASE_URI"]!r})
        with engine.begin() as conn:
            conn.execute(text("UPDATE events SET title = 'Bimtek Sesudah' WHERE id = :id"), {{"id": {event.id}}})
        """
    )
    subprocess.run([sys.executable, "-c", child], cwd=ROOT, check=True, timeout=60)
    page = client.get("/pelatihan").get_data(as_text=True)
    assert "Bimtek Sesudah" in page and "Bimtek Sebelum" not in page


def test_a_commit_on_the_pages_own_connection_shows_at_once(app_with, make_event):
    # One connection for everything: the test's writes and the pages' reads share it, so SQLite's data_version
    # (which only counts other connections' commits) cannot tell; the commit itself must.
    app = app_with(SQLALCHEMY_ENGINE_OPTIONS={"poolclass": StaticPool})
    from lms.extensions import db

    with app.app_context():
        event = make_event(title="Satu Koneksi")
        client = app.test_client()
        assert "Satu Koneksi" in client.get("/pelatihan").get_data(as_text=True)
        db.session.execute(update(Event).where(Event.id == event.id).values(title="Koneksi Sama"))
        db.session.commit()
        page = client.get("/pelatihan").get_data(as_text=True)
        assert "Koneksi Sama" in page and "Satu Koneksi" not in page
        db.session.remove()


def test_uncommitted_and_rolled_back_changes_are_never_shown(db, client, make_event, other_engine):
    event = make_event(title="Judul Tetap")
    client.get("/pelatihan")
    with other_engine.connect() as conn:
        conn.execute(update(Event).where(Event.id == event.id).values(title="Judul Sementara"))
        assert "Judul Tetap" in client.get("/pelatihan").get_data(as_text=True)  # not committed yet
        conn.rollback()
    page = client.get("/pelatihan").get_data(as_text=True)
    assert "Judul Tetap" in page and "Judul Sementara" not in page
    _rename(other_engine, event.id, "Judul Akhir")
    assert "Judul Akhir" in client.get("/pelatihan").get_data(as_text=True)


def test_a_log_out_elsewhere_ends_a_kept_session(db, client_as, make_user, other_engine):
    user = make_user()
    browser = client_as(user)
    assert browser.get("/pelatihan-saya").status_code == 200
    assert browser.get("/pelatihan-saya").status_code == 200  # now served from the kept user
    with other_engine.begin() as conn:  # a log-out on another worker rotates the token
        conn.execute(update(User).where(User.id == user.id).values(session_token="rotated-elsewhere"))
    response = browser.get("/pelatihan-saya")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_a_deactivated_user_is_refused_at_once(db, client_as, make_user, other_engine):
    user = make_user()
    browser = client_as(user)
    assert browser.get("/pelatihan-saya").status_code == 200
    with other_engine.begin() as conn:
        conn.execute(update(User).where(User.id == user.id).values(active=False))
    assert browser.get("/pelatihan-saya").status_code == 302


def test_each_request_gets_its_own_copy_of_the_kept_user(app_with, make_user, login):
    app = app_with()
    seen = []

    @app.after_request
    def _spy(response):
        from flask_login import current_user

        if current_user.is_authenticated:
            seen.append((current_user._get_current_object(), current_user.name))
        return response

    with app.app_context():
        browser = login(app.test_client(), make_user(name="Nama Asli"))
        browser.get("/pelatihan-saya")
        browser.get("/pelatihan-saya")
    (first, first_name), (second, second_name) = seen
    assert first is not second
    assert first_name == second_name == "Nama Asli"


def _state_recorder(app_with):
    """(an app with a read-only page ``/_uji/baca`` that records its request's state, the states recorded)."""
    app = app_with()
    states = []

    @app.get("/_uji/baca")
    @read_only
    def reading():
        states.append(database_state())
        return "ok"

    return app, states


def test_only_read_only_pages_get_a_state(app_with, make_user, other_engine):
    app, states = _state_recorder(app_with)

    @app.post("/_uji/tulis")
    def writing():
        states.append(database_state())
        return "ok"

    client = app.test_client()
    with app.app_context():
        client.get("/_uji/baca")
        client.get("/_uji/baca")
        make_user()  # a commit
        client.get("/_uji/baca")
        client.post("/_uji/tulis")
    first, second, after_commit, writer = states
    assert first is not None and first == second
    assert after_commit not in (None, first)
    assert writer is None
    with app.test_request_context("/"):
        assert database_state() is None  # not a read-only request
    with app.app_context():
        assert database_state() is None  # no request at all


def test_the_state_is_the_snapshot_on_postgresql_and_a_generation_on_sqlite(app_with, is_postgres, other_engine):
    app, states = _state_recorder(app_with)
    client = app.test_client()
    client.get("/_uji/baca")
    with other_engine.connect() as conn:
        if is_postgres:  # a transaction that has an id and stays open
            conn.execute(text("SELECT pg_current_xact_id()"))
        client.get("/_uji/baca")
        conn.rollback()
    client.get("/_uji/baca")
    with other_engine.begin() as conn:
        conn.execute(insert(Agency).values(name="Dinas Baru"))
    client.get("/_uji/baca")
    quiet, during, after, committed = states
    assert quiet == during  # an open transaction has committed nothing: what is visible is the same
    assert committed != after  # a commit elsewhere always makes a new token
    if is_postgres:
        assert {s[0] for s in states} == {"postgresql"}
        assert after != during  # the end of a transaction that had an id makes a new snapshot, even a rollback
    else:
        assert {s[0] for s in states} == {"sqlite"}
        assert after == during  # nothing was committed: SQLite's reads and rollbacks change nothing
        assert committed[1] > after[1]
