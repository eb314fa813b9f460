"""What ``/healthz`` reports: the database, Redis (when ``REDIS_URL`` is set) and the job queue.

Each part is checked in a thread of a small shared pool with ``HEALTHZ_TIMEOUT`` (about a second): a part that
does not answer in time is reported as such, so a load balancer gets its answer quickly even when a host is
unreachable. The answer is 200 when every configured part answers, 503 otherwise. RQ workers are counted and
reported but their absence does not fail the check (web servers stay in rotation; jobs wait in the queue).
"""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Flask
from sqlalchemy import text

from lms.extensions import db

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def _database(app: Flask, timeout: float) -> str:
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
        connection.execute(text("SELECT 1"))
    return "ok"


def _redis(app: Flask, timeout: float):
    cache = app.extensions.setdefault("lms_health", {})
    if "redis" not in cache:
        from redis import Redis

        cache["redis"] = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=timeout, socket_timeout=timeout)
    return cache["redis"]


def _redis_ping(app: Flask, timeout: float) -> str:
    _redis(app, timeout).ping()
    return "ok"


def _queue(app: Flask, timeout: float) -> dict:
    from rq import Queue, Worker

    from lms.jobs import QUEUE

    connection = _redis(app, timeout)
    queue = Queue(app.config.get("JOBS_QUEUE", QUEUE), connection=connection)
    return {"backend": "rq", "queue": queue.name, "queued": queue.count, "workers": Worker.count(queue=queue)}


def _error(exc: BaseException) -> str:
    return "error: timeout" if isinstance(exc, FutureTimeout) else f"error: {type(exc).__name__}"


def report(app: Flask) -> tuple[dict, int]:
    """(the JSON body, the status code)."""
    timeout = float(app.config.get("HEALTHZ_TIMEOUT", 1.0))
    checks = {"database": _pool.submit(_database, app, timeout)}
    if app.config.get("REDIS_URL"):
        checks["redis"] = _pool.submit(_redis_ping, app, timeout)
        checks["jobs"] = _pool.submit(_queue, app, timeout)
    body: dict = {}
    healthy = True
    for name, future in checks.items():
        try:
            body[name] = future.result(timeout=timeout + 0.5)
        except Exception as exc:  # noqa: BLE001 - any failure of a part is reported, not raised
            healthy = False
            body[name] = _error(exc) if name != "jobs" else {"backend": "rq", "error": _error(exc)[7:]}
    if "redis" not in body:
        body["redis"] = "not configured"
        body["jobs"] = {"backend": "in-process"}
    return {"status": "ok" if healthy else "error", **body}, 200 if healthy else 503
