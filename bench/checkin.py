"""300 participants check in to one session at once, against gunicorn (4 sync workers).

For a fresh SQLite file (and, when BENCH_DATABASE_URL is set, that PostgreSQL database too; its ``public``
schema is dropped and recreated): migrate, create one running event whose session started a few minutes ago
and 300 approved participants, serve the app with gunicorn (real config: CSRF on), log everyone in through
the log-in form (not timed), read the current code from the organiser's QR page, then time the check-ins:
each participant opens the QR link (``GET /presensi/<id>?k=CODE``: the confirmation page with its CSRF token
and ticket) and presses the button (``POST``), 32 at a time. Every 5th participant double-taps (a second
POST), which must change nothing. The organiser's screen keeps refreshing the code while this runs.

Prints ``BENCH checkin_300 <seconds> s`` and ``BENCH checkin_rps <requests/s> req/s`` per database.
Exit 1 on any 5xx or unexpected status, or unless every participant is recorded exactly once (Hadir).
"""

import http.client
import os
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import client, servers

PARTICIPANTS = 300
CONCURRENCY = 32
PASSWORD = "Bench#2026"  # noqa: S105 - the benchmark accounts' password
SECRET_KEY = "bench-checkin-secret"  # noqa: S105 - the benchmark server's key
_INPUT = re.compile(r'<input[^>]*name="(csrf_token|ticket)"[^>]*value="([^"]*)"')
_CODE = re.compile(r'data-code="([A-Z0-9]{6})"')


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(database_url: str) -> dict:
    """Migrate and create the event, its session, the organiser and the participants; return ids and paths."""
    from flask import url_for
    from flask_migrate import upgrade
    from sqlalchemy import insert, text
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.auth.models import Role, User
    from lms.config import TestConfig
    from lms.db import utcnow
    from lms.events.models import (
        Agency,
        Enrolment,
        EnrolmentSource,
        EnrolmentStatus,
        Event,
        EventSession,
        EventStatus,
        event_organisers,
    )
    from lms.extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app(dict(config, SQLALCHEMY_DATABASE_URI=database_url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(revision="heads")
        now = utcnow()
        stamp = {"created_at": now, "updated_at": now}
        # A cheap hash (the same for everyone): the benchmark measures check-in, not password hashing.
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        with db.engine.begin() as conn:
            conn.execute(insert(Agency), [{"id": 1, "name": "Dinas Bench", "parent_id": None, **stamp}])
            organiser_id = PARTICIPANTS + 1
            users = [
                {
                    "id": i,
                    "email": f"peserta{i:04d}@bench.go.id" if i != organiser_id else "panitia@bench.go.id",
                    "name": f"Peserta Bench {i:04d}, S.Kom." if i != organiser_id else "Panitia Bench",
                    "agency_id": 1,
                    "role": Role.participant if i != organiser_id else Role.organiser,
                    "password_hash": password_hash,
                    "active": True,
                    "session_token": f"bench-token-{i:04d}",
                    **stamp,
                }
                for i in range(1, organiser_id + 1)
            ]
            conn.execute(insert(User), users)
            conn.execute(
                insert(Event),
                [
                    {
                        "id": 1,
                        "title": "Bimtek Bench Presensi",
                        "organiser_agency_id": 1,
                        "description": "",
                        "start_date": date.today(),
                        "end_date": date.today() + timedelta(days=1),
                        "timezone": "Asia/Jakarta",
                        "status": EventStatus.running,
                        "enrolment_lock": 0,
                        "requires_approval": False,
                        **stamp,
                    }
                ],
            )
            conn.execute(insert(event_organisers), [{"event_id": 1, "user_id": organiser_id}])
            conn.execute(
                insert(EventSession),
                [
                    {
                        "id": 1,
                        "event_id": 1,
                        "title": "Sesi 1",
                        "starts_at": now - timedelta(minutes=5),
                        "ends_at": now + timedelta(hours=3),
                        "jp": 4,
                        **stamp,
                    }
                ],
            )
            conn.execute(
                insert(Enrolment),
                [
                    {
                        "event_id": 1,
                        "user_id": i,
                        "status": EnrolmentStatus.approved,
                        "source": EnrolmentSource.organiser,
                        "requested_at": now,
                        **stamp,
                    }
                    for i in range(1, PARTICIPANTS + 1)
                ],
            )
            if conn.dialect.name == "postgresql":
                for table in ("agencies", "users", "events", "event_sessions", "enrolments"):
                    conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                    )
        db.engine.dispose()
    with app.test_request_context():
        return {
            "login": url_for("auth.login"),
            "qr": url_for("attendance.qr", event_id=1, session_id=1),
            "check_in": url_for("attendance.check_in", session_id=1),
            "session_id": 1,
        }


def count_records(database_url: str) -> tuple[int, int, int]:
    """(rows, distinct users, rows not Hadir) of the session's attendance."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows, users, other = conn.execute(
                text(
                    "SELECT count(*), count(DISTINCT user_id), sum(CASE WHEN status <> 'hadir' THEN 1 ELSE 0 END) "
                    "FROM attendances WHERE session_id = 1"
                )
            ).one()
    finally:
        engine.dispose()
    return int(rows), int(users), int(other or 0)


class Screen:
    """The organiser's QR screen: re-reads the current code every few seconds while the check-ins run."""

    def __init__(self, url: str, cookie: str):
        self.url, self.cookie = url, cookie
        self.code = self._read()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _read(self) -> str:
        status, html = client.get(self.url, self.cookie)
        if status != 200:
            raise RuntimeError(f"QR page answered {status}")
        return _CODE.search(html).group(1)

    def _run(self) -> None:
        while not self._stop.wait(2):
            self.code = self._read()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


def _request(base: str, method: str, path: str, cookie: str, body: str | None = None) -> tuple[int, str, str]:
    """(status, body, cookie header updated with what the response set)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Cookie": cookie}
    if body is not None:
        headers.update({"Content-Type": "application/x-www-form-urlencoded", "Referer": base + path})
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        jar = dict(item.split("=", 1) for item in cookie.split("; ") if "=" in item)
        client._cookies(response, jar)
        return response.status, response.read().decode("utf-8", "replace"), client._cookie_header(jar)
    finally:
        conn.close()


def check_in(base: str, paths: dict, screen: Screen, cookie: str, double_tap: bool) -> list[int]:
    """One participant: open the QR link, press the button (twice when ``double_tap``); the statuses seen."""
    status, html, cookie = _request(base, "GET", f"{paths['check_in']}?k={screen.code}", cookie)
    statuses = [status]
    if status != 200:
        return statuses
    fields = dict(_INPUT.findall(html))
    if "ticket" not in fields:
        return [*statuses, -1]
    body = urlencode({"csrf_token": fields.get("csrf_token", ""), "ticket": fields["ticket"]})
    for _ in range(2 if double_tap else 1):
        statuses.append(_request(base, "POST", paths["check_in"], cookie, body)[0])
    return statuses


def measure(label: str, database_url: str, workdir: Path) -> tuple[float, float]:
    from lms.config import normalise_database_url

    url = normalise_database_url(database_url)
    log(f"== {label}: {database_url}")
    paths = prepare(url)
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_ACCESS_LOG": str(workdir / f"{label}-access.log"),
        "LOGIN_RATE_LIMIT": "100000 per minute",
    }
    with servers.gunicorn("wsgi:app", env, workdir / f"{label}-app.log") as base:
        started = time.monotonic()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            cookies = list(
                pool.map(
                    lambda i: client.login(base + paths["login"], f"peserta{i:04d}@bench.go.id", PASSWORD),
                    range(1, PARTICIPANTS + 1),
                )
            )
        organiser = client.login(base + paths["login"], "panitia@bench.go.id", PASSWORD)
        log(f"  {PARTICIPANTS} participants logged in in {time.monotonic() - started:.1f} s (not timed)")
        with Screen(base + paths["qr"], organiser) as screen, ThreadPoolExecutor(CONCURRENCY) as pool:
            started = time.monotonic()
            results = list(
                pool.map(lambda i: check_in(base, paths, screen, cookies[i], i % 5 == 0), range(PARTICIPANTS))
            )
            elapsed = time.monotonic() - started
    statuses = [s for r in results for s in r]
    server_errors = sum(1 for s in statuses if s >= 500)
    unexpected = [r for r in results if r[0] != 200 or any(s != 302 for s in r[1:])]
    rows, users, not_hadir = count_records(url)
    log(f"  {len(statuses)} requests, {server_errors} 5xx, {len(unexpected)} unexpected; {rows} rows, {users} users")
    if server_errors or unexpected:
        raise RuntimeError(f"{server_errors} 5xx, unexpected statuses e.g. {unexpected[:3]}")
    if (rows, users, not_hadir) != (PARTICIPANTS, PARTICIPANTS, 0):
        raise RuntimeError(f"expected {PARTICIPANTS} Hadir rows, one per participant; got {rows} rows, {users} users")
    return elapsed, len(statuses) / elapsed


def main() -> int:
    status = 0
    with tempfile.TemporaryDirectory(prefix="bench-checkin-") as tmp:
        workdir = Path(tmp)
        targets = [("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}")]
        if os.environ.get("BENCH_DATABASE_URL"):
            targets.append(("postgresql", os.environ["BENCH_DATABASE_URL"]))
        for label, url in targets:
            try:
                seconds, rps = measure(label, url, workdir)
            except Exception as exc:  # noqa: BLE001 - report and go on with the next database
                log(f"BENCH FAILED on {label}: {type(exc).__name__}: {exc}")
                for logfile in sorted(workdir.glob(f"{label}-app.log")):
                    log(logfile.read_text()[-3000:])
                status = 1
                continue
            print(f"BENCH database {label}")
            print(f"BENCH checkin_300 {seconds:.2f} s")
            print(f"BENCH checkin_rps {rps:.1f} req/s")
    return status


if __name__ == "__main__":
    sys.exit(main())
