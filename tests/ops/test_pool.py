"""Connections checked before use: on PostgreSQL by their socket (lms/pool.py), a ping only when in doubt; a
SQLite file's connections need no check (a failed one is discarded by SQLAlchemy, tests/ops/test_faults.py)."""

import time

import pytest

from lms.extensions import db as _db
from tests.ops.conftest import terminate_backends


@pytest.fixture
def pings(monkeypatch):
    """``pings(app)``: a list that gets one entry per ping the app's engine sends."""

    def install(app):
        with app.app_context():
            dialect = _db.engine.dialect
        sent = []
        original = dialect.do_ping

        def counting(dbapi_connection):
            sent.append(time.monotonic())
            return original(dbapi_connection)

        monkeypatch.setattr(dialect, "do_ping", counting)
        return sent

    return install


def _pages(app, n: int) -> None:
    client = app.test_client()
    for _ in range(n):
        assert client.get("/pelatihan").status_code == 200


def test_busy_connections_are_not_pinged(app_with, pings, is_postgres):
    other = app_with()
    sent = pings(other)
    _pages(other, 5)
    with other.app_context():
        pre_ping = _db.engine.pool._pre_ping
    assert not pre_ping  # SQLAlchemy's ping (a statement on every reuse) is off on both
    assert sent == []  # a connection just used, its socket quiet: no round trip


def test_a_connection_idle_too_long_is_pinged(app_with, pings, is_postgres):
    other = app_with(DB_PING_IDLE_SECONDS=0.0)
    sent = pings(other)
    _pages(other, 3)
    assert len(sent) == (3 if is_postgres else 0)  # on PostgreSQL even the new connection was "idle" 0 s too long


def test_a_dropped_connection_is_found_by_its_socket_and_replaced(app_with, pings, is_postgres):
    other = app_with()
    sent = pings(other)
    _pages(other, 1)
    with other.app_context():
        engine = _db.engine
        with engine.connect() as connection:
            old_pid = connection.connection.dbapi_connection.info.backend_pid if is_postgres else None
        if is_postgres:
            import psycopg

            killer = psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(False), autocommit=True)
            assert terminate_backends(killer, [old_pid]) == 1
            killer.close()
        else:
            engine.pool.dispose()  # SQLite: nothing can drop a file's connection; a new one is opened
    before = len(sent)
    _pages(other, 2)
    with other.app_context(), _db.engine.connect() as connection:
        if is_postgres:
            assert connection.connection.dbapi_connection.info.backend_pid != old_pid
    if is_postgres:
        assert len(sent) - before == 1  # the readable socket asked for a ping, which failed; the new one was quiet
