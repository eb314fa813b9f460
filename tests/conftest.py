"""Fixtures: the app on the test database (SQLite file by default, PostgreSQL via TEST_DATABASE_URL),
a clean database for every test, factories, and clients logged in as any user."""

import contextlib
import contextvars
import itertools
import os
from datetime import date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event as sa_event
from sqlalchemy import text

from lms import create_app
from lms.auth.models import Role, User
from lms.config import TestConfig, normalise_database_url
from lms.db import utcnow
from lms.events.models import Agency, Event, EventKind, EventMode, EventSession, EventStatus
from lms.extensions import db as _db
from lms.extensions import limiter

PASSWORD = "Rahasia#2026"
_PASSWORD_HASHES: dict[str, str] = {}  # scrypt costs ~60 ms a hash: hash each test password once


def password_hash(password: str) -> str:
    from werkzeug.security import generate_password_hash

    if password not in _PASSWORD_HASHES:
        _PASSWORD_HASHES[password] = generate_password_hash(password, method="scrypt")
    return _PASSWORD_HASHES[password]


_seq = itertools.count(1)


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, so it gets its own app context and database session,
    exactly as in production; afterwards the test's own session is expired to see what it wrote."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        try:
            _db.session.expire_all()
        except RuntimeError:
            pass
        return response


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = database_url(tmp_path_factory)
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _wipe(app) -> None:
    with app.app_context():
        _db.session.remove()
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        with _db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # DELETE is ~20x cheaper than TRUNCATE on small tables (4 vs 75 ms for the whole schema);
                # foreign-key triggers are skipped while wiping, which needs a superuser: else TRUNCATE.
                if conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
                    conn.exec_driver_sql("SET session_replication_role = replica")
                    for name in tables:
                        conn.execute(text(f"DELETE FROM {name}"))
                    conn.exec_driver_sql("SET session_replication_role = DEFAULT")
                else:
                    conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                # RESTRICT on the agency tree is checked row by row; switch checks off while wiping.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
                conn.commit()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


@pytest.fixture(autouse=True)
def db(app):
    """A clean database for every test, and an app context the test can use directly."""
    with app.app_context():
        yield _db
        _db.session.remove()
    _wipe(app)


@pytest.fixture
def app_with(app):
    """``app_with(RATELIMIT_ENABLED=True, ...)``: an app on the test database with other settings.

    The limiter is one object shared by every app: its ``enabled`` flag is restored, its counters are reset when
    the test's first app enables it, and afterwards it is bound to the suite's in-memory storage again."""
    made = []
    was_enabled = limiter.enabled

    def factory(**overrides):
        config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
        config.update(overrides)
        other = create_app(config)
        other.test_client_class = IsolatedClient
        if other.config.get("RATELIMIT_ENABLED") and not made:
            # The test's first app starts from zero; later ones share its counters (Redis). A storage that is
            # down on purpose has no counters to reset.
            with contextlib.suppress(Exception):
                limiter.reset()
        made.append(other)
        return other

    yield factory
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()
    if made:
        factory()  # binds the one limiter object to in-memory storage again, as the suite's app has it
        with made[-1].app_context():
            _db.engine.dispose()
    limiter.enabled = was_enabled


@pytest.fixture
def upload_dir(app, tmp_path):
    """The test's own folder for stored files (UPLOAD_DIR); feature conftests make it autouse where needed.
    Restored by hand, not through ``monkeypatch``, so a test's own ``monkeypatch.undo()`` keeps it."""
    folder = tmp_path / "uploads"
    old = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(folder)
    yield folder
    app.config["UPLOAD_DIR"] = old


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


# Factories ----------------------------------------------------------------------------------------


@pytest.fixture
def make_agency(db):
    def factory(name: str | None = None, parent: Agency | None = None, short_name: str | None = None) -> Agency:
        agency = Agency(name=name or f"Dinas Uji {next(_seq)}", parent=parent, short_name=short_name)
        db.session.add(agency)
        db.session.commit()
        return agency

    return factory


def valid_nip(n: int, female: bool = False) -> str:
    """A structurally valid NIP, unique per n."""
    birth = date(1965, 1, 1) + timedelta(days=n % 7000)
    return f"{birth:%Y%m%d}2005{(n % 12) + 1:02d}{2 if female else 1}{(n % 999) + 1:03d}"


@pytest.fixture
def make_user(db, make_agency):
    def factory(role: Role = Role.participant, agency: Agency | None = None, password: str | None = PASSWORD, **fields):
        n = next(_seq)
        fields.setdefault("name", f"Pengguna Uji {n}, S.Kom.")
        fields.setdefault("email", f"user{n}@uji.go.id")
        if role is Role.participant:
            fields.setdefault("nip", valid_nip(n))
        user = User(role=role, agency=agency or make_agency(), **fields)
        if password:
            user.password_hash = password_hash(password)
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_event(db, make_agency, make_user):
    def factory(organisers: list[User] | None = None, sessions: int = 0, **fields) -> Event:
        today = date.today()
        fields.setdefault("title", f"Bimtek Uji {next(_seq)}")
        fields.setdefault("kind", EventKind.bimtek)
        fields.setdefault("mode", EventMode.klasikal)
        fields.setdefault("start_date", today + timedelta(days=10))
        fields.setdefault("end_date", fields["start_date"] + timedelta(days=2))
        fields.setdefault("status", EventStatus.open)
        fields.setdefault("place", "Aula Uji")
        if "organiser_agency" not in fields:
            fields["organiser_agency"] = make_agency()
        event = Event(**fields)
        event.organisers = organisers or []
        db.session.add(event)
        start = datetime.combine(fields["start_date"], datetime.min.time()) + timedelta(hours=1)  # 08.00 WIB
        for i in range(sessions):
            db.session.add(
                EventSession(
                    event=event,
                    title=f"Sesi {i + 1}",
                    starts_at=start + timedelta(days=i),
                    ends_at=start + timedelta(days=i, hours=3),
                    jp=4,
                    speaker=f"Narasumber {i + 1}",
                )
            )
        db.session.commit()
        return event

    return factory


@pytest.fixture
def login(app):
    """Log a test client in as ``user`` without the form (the auth tests use the real form)."""

    def do_login(client: FlaskClient, user: User) -> FlaskClient:
        with client.session_transaction() as sess:
            sess["_user_id"] = user.session_token
            sess["_fresh"] = True
        return client

    return do_login


@pytest.fixture
def client_as(app, login):
    """A fresh client logged in as ``user``."""

    def factory(user: User) -> FlaskClient:
        return login(app.test_client(), user)

    return factory


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements sent to the database."""

    class Counter:
        def __init__(self):
            self.count = 0
            self.statements: list[str] = []

        def __call__(self, conn, cursor, statement, *args):
            self.count += 1
            self.statements.append(statement)

        def __enter__(self):
            with app.app_context():
                self.engine = _db.engine
            sa_event.listen(self.engine, "before_cursor_execute", self)
            return self

        def __exit__(self, *exc):
            sa_event.remove(self.engine, "before_cursor_execute", self)

    return Counter


__all__ = ["PASSWORD", "valid_nip", "utcnow"]
