"""A pooled PostgreSQL connection checked before use without a round trip to the server.

SQLAlchemy's ``pool_pre_ping`` sends an empty statement each time a connection leaves the pool: a round trip
on every request, as dear on this kind of page as the page's own query. A connection the server has dropped
(restart, ``pg_terminate_backend``, idle timeout) is told by its socket instead: the server sends a FATAL
message and closes it, so the socket of a dead connection is readable while that of a live, idle one is quiet.
At checkout this module polls the socket without waiting; a readable socket, a connection that is not idle,
or one unused for longer than ``DB_PING_IDLE_SECONDS`` (a quiet network may have lost it without a word) gets
the real ping, and a failed ping discards every pooled connection older than now, as ``pool_pre_ping`` does.
So the first request after a database restart is served by a new connection and nobody has to restart the app.
"""

import select
import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

LAST_USED = "lms_last_used"


def _socket_quiet(dbapi_connection) -> bool:
    from psycopg import pq

    pgconn = dbapi_connection.pgconn
    if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)  # POLLERR/POLLHUP are always reported too
    except Exception:  # noqa: BLE001 - no socket to look at: ask the server
        return False


def install(engine: Engine, idle_seconds: float) -> None:
    """Check ``engine``'s connections at checkout by their socket, pinging only when in doubt."""
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection, record) -> None:
        record.info[LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:
        record.info[LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        last = record.info.get(LAST_USED)
        if last is not None and time.monotonic() - last < idle_seconds and _socket_quiet(dbapi_connection):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError(str(error)) from error  # a fresh connection, the old ones discarded
            raise
