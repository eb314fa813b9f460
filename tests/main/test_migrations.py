"""The migrations build exactly the schema the models describe, on a fresh database of the suite's kind,
and can be undone and redone."""

import logging
import os
from contextlib import contextmanager
from pprint import pformat

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from lms import create_app
from lms.config import TestConfig, normalise_database_url
from lms.extensions import db

MIGCHECK_SUFFIX = "_migcheck"  # beside the suite's own database, so suites on other databases never share it

# migrations/env.py (Flask-Migrate's template) still calls db.get_engine().
pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


@contextmanager
def _maintenance(url):
    """An autocommit connection to the ``postgres`` maintenance database of the server at ``url``."""
    conninfo = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        yield conn


def _drop(conn, name: str) -> None:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database_url(tmp_path):
    """A new, empty database of the kind the suite runs on; removed afterwards."""
    suite_url = normalise_database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    if not suite_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migcheck.sqlite3'}"
        return
    name = make_url(suite_url).database + MIGCHECK_SUFFIX
    url = make_url(suite_url).set(database=name)
    with _maintenance(url) as conn:
        _drop(conn, name)  # left over from an interrupted run
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with _maintenance(url) as conn:
            _drop(conn, name)


@contextmanager
def _keep_logging():
    """Alembic's env.py calls logging.config.fileConfig, which replaces the root handlers and disables
    every existing logger; put them back so later tests still log (and caplog still captures)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = {
        name: lg.disabled for name, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)
    }
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, lg in logging.Logger.manager.loggerDict.items():
            if isinstance(lg, logging.Logger):
                lg.disabled = loggers.get(name, False)


def _schema_diff() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_migrations_match_models_and_round_trip(fresh_database_url):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app(dict(config, SQLALCHEMY_DATABASE_URI=fresh_database_url))
    with app.app_context(), _keep_logging():
        try:
            assert _tables() == set(), "the database is not empty before the migrations ran"

            upgrade()
            model_tables = set(db.metadata.tables)
            assert model_tables <= _tables()
            diff = _schema_diff()
            assert diff == [], "models and migrations differ (write a migration):\n" + pformat(diff)

            downgrade(revision="base")
            assert _tables() <= {"alembic_version"}

            upgrade()
            assert model_tables <= _tables()
            diff = _schema_diff()
            assert diff == [], "after downgrade and upgrade, models and migrations differ:\n" + pformat(diff)
        finally:
            db.session.remove()
            db.engine.dispose()
