"""Failures of the parts underneath the app, answered cleanly.

- The database unreachable or restarted (a dropped connection, a refused connect, a lock or serialization
  failure): 503 with a ``Retry-After`` header and an Indonesian page saying to try again. The request's
  transaction is rolled back, so nothing of it is half-written; SQLAlchemy throws the dead connections away and
  a PostgreSQL connection is checked before use (lms/pool.py), so the next request works without restarting
  the app.
- The upload storage full (``StorageFull``, from ENOSPC/EDQUOT): 507 with an Indonesian page; the storage left
  no partial file and the transaction is rolled back, so no row names a missing file.
"""

import logging

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, OperationalError

from lms.extensions import db
from lms.storage import StorageFull

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


# SQLite result codes (low byte) of a database that is busy or unreachable for a moment: BUSY, LOCKED, IOERR,
# FULL, CANTOPEN, PROTOCOL. PostgreSQL SQLSTATE classes: 08 connection, 40 transaction rollback (serialization,
# deadlock), 53 insufficient resources, 57 operator intervention (shutdown, cannot connect now, canceled);
# 55P03 lock not available.
SQLITE_RETRYABLE = {5, 6, 10, 13, 14, 15}
SQLITE_RETRYABLE_WORDS = ("locked", "busy", "unable to open", "disk i/o", "closed database", "disk is full")
SQLSTATE_RETRYABLE_CLASSES = {"08", "40", "53", "57"}


def database_unavailable(exc: BaseException) -> bool:
    """A failure worth retrying (the connection, the server, a conflict), not a bug such as a missing table."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    orig = exc.orig
    if type(orig).__module__.startswith("sqlite3"):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in SQLITE_RETRYABLE
        return any(word in str(orig).lower() for word in SQLITE_RETRYABLE_WORDS)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate is None:  # raised by the client library: refused, lost or timed-out connection
        return True
    return sqlstate[:2] in SQLSTATE_RETRYABLE_CLASSES or sqlstate == "55P03"


def _rollback() -> None:
    from lms.requestlog import current_user_id

    g.log_user_id = current_user_id()  # for the access log, before the session (and the user) is discarded
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the session is discarded below anyway
        log.debug("rollback after a database failure failed", exc_info=True)
    db.session.remove()


def _page(code: int, title: str, text: str):
    """The error page without touching the database (the user is shown as logged out on this page)."""
    from lms.extensions import login_manager

    g._login_user = login_manager.anonymous_user()
    if request.headers.get("HX-Request"):
        return f"<div class='alert alert-danger'>{escape(text)}</div>", code
    try:
        return render_template("errors/error.html", code=code, title=title, text=text), code
    except Exception:  # noqa: BLE001 - the plain page still says what happened
        log.exception("error page could not be rendered")
        return f"<!doctype html><html lang='id'><h1>{escape(title)}</h1><p>{escape(text)}</p></html>", code


def register(app: Flask) -> None:
    @app.errorhandler(DBAPIError)
    def db_failure(exc: DBAPIError):
        if not database_unavailable(exc):
            raise exc  # a real error: the 500 page, with its traceback logged
        log.warning("database unavailable (%s): %s", type(exc.orig).__name__, str(exc.orig).strip().partition("\n")[0])
        _rollback()
        body, code = _page(
            503,
            _("Layanan sedang tidak tersedia"),
            _(
                "Basis data sedang tidak dapat dihubungi (misalnya karena pemeliharaan), sehingga permintaan Anda "
                "tidak diproses. Silakan coba lagi dalam beberapa detik."
            ),
        )
        return body, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(StorageFull)
    def storage_full(exc: StorageFull):
        log.error("upload storage full: %s", exc)
        _rollback()
        return _page(
            507,
            _("Ruang penyimpanan penuh"),
            _(
                "Ruang penyimpanan server penuh, sehingga berkas tidak dapat disimpan dan tidak ada perubahan yang "
                "tersimpan. Beri tahu admin, lalu coba lagi nanti."
            ),
        )
