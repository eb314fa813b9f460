"""Logs: plain text by default, one JSON object per line with ``LOG_FORMAT=json``; a request id in every line.

The request id is the client's (or the proxy's) ``X-Request-ID`` when it is short and made of safe characters,
a new random one otherwise; it is sent back in the response's ``X-Request-ID`` header. A filter on the handler
adds the request's id, method, path, client address and user id to every record logged while the request runs,
whatever logger writes it. Each request ends with one access-log line (logger ``lms.access``) with its status
and duration; gunicorn's own access log is off by default so that there is one line per request.
"""

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CONTEXT_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id", "remote_addr")
access_log = logging.getLogger("lms.access")


def request_id() -> str | None:
    """This request's id (taken from X-Request-ID when valid, else generated); None outside a request."""
    if not has_request_context():
        return None
    rid = g.get("request_id")
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        g.request_id = rid
    return rid


def current_user_id() -> int | None:
    """The logged-in user's id when this request has already loaded him (never a query of its own)."""
    if "log_user_id" in g:
        return g.log_user_id
    from flask_login import AnonymousUserMixin
    from sqlalchemy import inspect

    user = g.get("_login_user")
    if user is None or isinstance(user, AnonymousUserMixin):  # is_authenticated may load expired attributes
        return None

    state = inspect(user, raiseerr=False)
    return state.identity[0] if state is not None and state.identity else None


class RequestContextFilter(logging.Filter):
    """Adds the request's fields to every record (None outside a request); never fails a log call."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "lms_context", False):  # the access line brings its own (``_end_request``)
            return True
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name):
                setattr(record, name, None)
        try:
            if has_request_context():
                record.request_id = request_id()
                record.method, record.path, record.remote_addr = request.method, request.path, request.remote_addr
                if record.user_id is None:
                    record.user_id = current_user_id()
        except Exception:  # noqa: BLE001, S110 - a log line without context beats a failed request
            pass
        return True


def _utc_iso(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": _utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``2026-11-22T01:02:03.456Z INFO lms.access [rid] message``."""

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        line = f"{_utc_iso(record.created)} {record.levelname} {record.name}{f' [{rid}]' if rid else ''} "
        line += record.getMessage()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(app: Flask) -> logging.Handler:
    """Install (once per process) the root handler with the request filter; its format follows LOG_FORMAT."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "lms_handler", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.lms_handler = True
        handler.addFilter(RequestContextFilter())
        root.addHandler(handler)
    if not app.testing:  # (pytest's captured-log sections show the caller's file and line)
        # The logging HOWTO's "Optimization": no caller lookup (a walk up the stack for every record) and no
        # thread or multiprocessing names; no formatter here shows them. The process id stays: gunicorn's own
        # lines (``[%(process)d]``) show it, and without it they fail to format.
        logging._srcfile = None
        logging.logThreads = logging.logMultiprocessing = False
    json_format = str(app.config.get("LOG_FORMAT", "text")).lower() == "json"
    handler.setFormatter(JsonFormatter() if json_format else TextFormatter())
    root.setLevel(logging.WARNING if app.testing else logging.INFO)
    return handler


def _start_request() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _end_request(response: Response) -> Response:
    rid = request_id()
    response.headers[REQUEST_ID_HEADER] = rid
    if not access_log.isEnabledFor(logging.INFO):
        return response
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    req = request._get_current_object()
    status = response.status_code
    access_log.info(
        "%s %s %s %s ms",
        req.method,
        req.path,  # never the query string: it may hold tokens
        status,
        duration,
        extra={
            "lms_context": True,  # every field the filter would add, taken here from the request at hand
            "request_id": rid,
            "method": req.method,
            "path": req.path,
            "remote_addr": req.remote_addr,
            "user_id": current_user_id(),
            "status": status,
            "duration_ms": duration,
        },
    )
    return response


def init_app(app: Flask) -> None:
    """The request id and the access log: first before every other hook, last after them."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request_funcs.setdefault(None, []).insert(0, _end_request)  # after_request hooks run in reverse
