"""Pages that only read: ``@read_only`` views run without a database transaction on PostgreSQL.

A GET of a view marked ``@read_only`` takes its connection in autocommit mode, so psycopg sends no ``BEGIN``
before the first statement and no ``ROLLBACK`` at the end: two round trips fewer per page. It also keeps the
connection's prepared statements: psycopg forgets them on every ``ROLLBACK``, so a page that ends in one is
planned by the server afresh on every request, while in autocommit a statement seen five times on a
connection is prepared and planned once. Each statement then reads its own snapshot; these pages show what was
true a moment ago and a page of several statements may see a change that lands between two of them, which
for a page that changes nothing is the same as being a moment later.

The mark is a promise, and it is checked on SQLite and PostgreSQL alike: a flush with changes, or an INSERT,
UPDATE or DELETE through the session, during such a request raises ``ReadOnlyViolation`` (a 500, nothing
written), so a read-only page that starts writing is found by the tests of that page, not in production.
SQLite gains nothing from autocommit (its driver begins a transaction only before a write) and keeps its
usual connection.
"""

from functools import wraps

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.extensions import db

READ_METHODS = frozenset({"GET", "HEAD"})
_FLAG = "lms_read_only"
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


class ReadOnlyViolation(RuntimeError):
    """A ``@read_only`` view tried to write."""


def read_only(view):
    """Mark a view that never writes to the database (for its GET and HEAD requests)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    wrapper.read_only = True
    return wrapper


def _is_read_only_request() -> bool:
    if request.method not in READ_METHODS or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "read_only", False))


def read_only_mode() -> bool | str | None:
    """In a ``@read_only`` request: True, or "autocommit" when its connection is in autocommit; else None."""
    if not has_request_context():
        return None
    return db.session().info.get(_FLAG)


def _begin() -> None:
    if not _is_read_only_request():
        return
    session = db.session()
    session.info[_FLAG] = True
    # Only at the start of a unit of work (always, in production: the session is new for every request).
    if db.engine.dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options=_AUTOCOMMIT)
        session.info[_FLAG] = "autocommit"


def _end(exc: BaseException | None = None) -> None:
    session = db.session()
    mode = session.info.pop(_FLAG, None)
    if mode == "autocommit":
        session.rollback()  # ends the session's unit of work: nothing to undo, no round trip; isolation restored


def _refuse_flush(session: Session, flush_context, instances) -> None:
    if session.info.get(_FLAG) and (session.new or session.dirty or session.deleted):
        raise ReadOnlyViolation(f"{request.endpoint} is marked @read_only but changed objects")


def _refuse_dml(state) -> None:
    if state.session.info.get(_FLAG) and (state.is_insert or state.is_update or state.is_delete):
        raise ReadOnlyViolation(f"{request.endpoint} is marked @read_only but ran {type(state.statement).__name__}")


def init_app(app: Flask) -> None:
    """Before every other hook that may use the database; the session's events are installed once."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.teardown_request_funcs.setdefault(None, []).append(_end)
    if not event.contains(Session, "before_flush", _refuse_flush):
        event.listen(Session, "before_flush", _refuse_flush)
        event.listen(Session, "do_orm_execute", _refuse_dml)
