"""500 participants submit a 30-question post-test at once, against gunicorn (4 sync workers).

For a fresh SQLite file (and, when BENCH_DATABASE_URL is set, that PostgreSQL database too; its ``public``
schema is dropped and recreated): migrate, create one running event, 500 approved participants, 30 single-choice
questions and a post-test over them. Not timed: everyone logs in through the form, starts an attempt and opens
the test page (for its CSRF token). Timed: every participant sends the whole answer sheet with the plain-form
submit (``POST .../kirim``, 30 answers), 64 at a time; participant i answers the first ``i % 31`` questions right,
so each score is known; every 5th participant submits twice, which must change nothing.

The floor, in the same run: the same number of bare one-row INSERTs, each its own POST through a minimal Flask app
on the same gunicorn setup and database (``bench.assessments:floor_app``).

Prints ``BENCH posttest_submit_500 <seconds> s floor=<seconds> ratio=<x>`` per database. Exit 1 on any 5xx or
unexpected status, or unless every participant has exactly one submitted attempt with the right score.
"""

import os
import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench import client, servers
from bench.checkin import _request

PARTICIPANTS = 500
QUESTIONS = 30
CONCURRENCY = 64
PASSWORD = "Bench#2026"  # noqa: S105 - the benchmark accounts' password
SECRET_KEY = "bench-assessments-secret"  # noqa: S105 - the benchmark server's key
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def right_answers(i: int) -> int:
    return i % (QUESTIONS + 1)


def expected_score(i: int) -> float:
    return round(100.0 * right_answers(i) / QUESTIONS, 2)


def prepare(database_url: str) -> dict:
    from flask import url_for
    from flask_migrate import upgrade
    from sqlalchemy import insert, text
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.assessments.models import (
        Assessment,
        AssessmentKind,
        Question,
        QuestionKind,
        QuestionOption,
        assessment_questions,
    )
    from lms.auth.models import Role, User
    from lms.config import TestConfig
    from lms.db import utcnow
    from lms.events.models import Agency, Enrolment, EnrolmentSource, EnrolmentStatus, Event, EventStatus
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
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        with db.engine.begin() as conn:
            conn.execute(insert(Agency), [{"id": 1, "name": "Dinas Bench", "parent_id": None, **stamp}])
            users = [
                {
                    "id": i,
                    "email": f"peserta{i:04d}@bench.go.id",
                    "name": f"Peserta Bench {i:04d}",
                    "agency_id": 1,
                    "role": Role.participant,
                    "password_hash": password_hash,
                    "active": True,
                    "session_token": f"bench-token-{i:04d}",
                    **stamp,
                }
                for i in range(1, PARTICIPANTS + 1)
            ]
            conn.execute(insert(User), users)
            conn.execute(
                insert(Event),
                [
                    {
                        "id": 1,
                        "title": "Bimtek Bench Post-test",
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
            conn.execute(
                insert(Question),
                [
                    {"id": q, "event_id": 1, "kind": QuestionKind.single, "text": f"Soal {q}", "points": 1, **stamp}
                    for q in range(1, QUESTIONS + 1)
                ],
            )
            # Option 2q-1 is right, 2q is wrong.
            conn.execute(
                insert(QuestionOption),
                [
                    {"id": 2 * q - 1 + k, "question_id": q, "position": k, "text": f"Pilihan {k}", "is_correct": k == 0}
                    for q in range(1, QUESTIONS + 1)
                    for k in (0, 1)
                ],
            )
            conn.execute(
                insert(Assessment),
                [
                    {
                        "id": 1,
                        "event_id": 1,
                        "kind": AssessmentKind.post,
                        "title": "Post-test",
                        "max_attempts": 1,
                        "passing_grade": 70,
                        "shuffle_questions": False,
                        "shuffle_options": False,
                        "one_per_page": False,
                        "show_review": False,
                        **stamp,
                    }
                ],
            )
            conn.execute(
                insert(assessment_questions), [{"assessment_id": 1, "question_id": q} for q in range(1, QUESTIONS + 1)]
            )
            key = "SERIAL PRIMARY KEY" if conn.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
            conn.execute(text(f"CREATE TABLE bench_floor (id {key}, user_id INTEGER, score FLOAT)"))
            if conn.dialect.name == "postgresql":
                for table in ("agencies", "users", "events", "questions", "question_options", "assessments"):
                    conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                    )
        db.engine.dispose()
    with app.test_request_context():
        return {"login": url_for("auth.login"), "start": url_for("assessments.start", event_id=1, assessment_id=1)}


def answer_sheet(i: int, csrf: str) -> str:
    pairs = [("csrf_token", csrf)]
    for q in range(1, QUESTIONS + 1):
        pairs.append(("shown", str(q)))
        pairs.append((f"q{q}", str(2 * q - 1 if q <= right_answers(i) else 2 * q)))
    return urlencode(pairs)


def setup_participant(base: str, paths: dict, i: int) -> tuple[str, str, str]:
    """Log in, start the attempt, open the test page: (cookie, submit path, answer sheet)."""
    cookie = client.login(base + paths["login"], f"peserta{i:04d}@bench.go.id", PASSWORD)
    status, html, cookie = _request(base, "GET", "/pelatihan/1/tes", cookie)
    if status != 200:
        raise RuntimeError(f"the test list answered {status}")
    take = _post_redirect(base, paths["start"], cookie, urlencode({"csrf_token": _CSRF.search(html).group(1)}))
    status, html, cookie = _request(base, "GET", take, cookie)
    if status != 200:
        raise RuntimeError(f"the test page answered {status}")
    return cookie, take + "/kirim", answer_sheet(i, _CSRF.search(html).group(1))


def _post_redirect(base: str, path: str, cookie: str, body: str) -> str:
    """POST and return the path of the redirect's Location."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Referer": base + path}
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"POST {path} answered {response.status}")
        return urlsplit(response.headers["Location"]).path
    finally:
        conn.close()


def check(database_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT user_id, status, score FROM attempts ORDER BY user_id")).all()
            answers = conn.execute(text("SELECT count(*) FROM answers")).scalar_one()
            floor_rows = conn.execute(text("SELECT count(*) FROM bench_floor")).scalar_one()
    finally:
        engine.dispose()
    wrong = [
        (uid, status, score) for uid, status, score in rows if status != "submitted" or score != expected_score(uid)
    ]
    if len(rows) != PARTICIPANTS or len({r[0] for r in rows}) != PARTICIPANTS or wrong:
        raise RuntimeError(f"{len(rows)} attempts, wrong ones e.g. {wrong[:3]}")
    if answers != PARTICIPANTS * QUESTIONS:
        raise RuntimeError(f"{answers} answers stored, expected {PARTICIPANTS * QUESTIONS}")
    if floor_rows != PARTICIPANTS:
        raise RuntimeError(f"floor stored {floor_rows} rows, expected {PARTICIPANTS}")


def burst(jobs, send) -> tuple[float, list[int]]:
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        started = time.monotonic()
        statuses = [s for result in pool.map(send, jobs) for s in result]
        return time.monotonic() - started, statuses


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
        with ThreadPoolExecutor(16) as pool:
            prepared = list(pool.map(lambda i: setup_participant(base, paths, i), range(1, PARTICIPANTS + 1)))
        log(f"  {PARTICIPANTS} participants logged in and started in {time.monotonic() - started:.1f} s (not timed)")

        def submit(item):
            index, (cookie, path, body) = item
            return [_request(base, "POST", path, cookie, body)[0] for _ in range(2 if index % 5 == 0 else 1)]

        elapsed, statuses = burst(list(enumerate(prepared)), submit)
    with servers.gunicorn(
        "bench.assessments:floor_app", {"DATABASE_URL": database_url}, workdir / "floor.log", "/"
    ) as base:

        def insert(i):
            return [_request(base, "POST", "/", "", urlencode({"user_id": i, "score": expected_score(i)}))[0]]

        floor, floor_statuses = burst(range(1, PARTICIPANTS + 1), insert)
    bad = [s for s in statuses if s != 302] + [s for s in floor_statuses if s != 200]
    log(f"  {len(statuses)} submissions in {elapsed:.2f} s, floor {floor:.2f} s; unexpected statuses: {bad[:5]}")
    if bad:
        raise RuntimeError(f"{sum(1 for s in bad if s >= 500)} 5xx, unexpected statuses e.g. {bad[:5]}")
    check(url)
    return elapsed, floor


def __getattr__(name: str):
    """``bench.assessments:floor_app``: built on first access (gunicorn), so importing this module stays cheap."""
    if name != "floor_app":
        raise AttributeError(name)
    from flask import Flask, request
    from sqlalchemy import create_engine, text

    from lms.config import normalise_database_url

    app = Flask(__name__)
    engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]), pool_pre_ping=True)

    @app.route("/", methods=["GET", "POST"])
    def index():
        if request.method == "POST":
            with engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO bench_floor (user_id, score) VALUES (:u, :s)"),
                    {"u": int(request.form["user_id"]), "s": float(request.form["score"])},
                )
        return "ok"

    globals()["floor_app"] = app
    return app


def main() -> int:
    status = 0
    with tempfile.TemporaryDirectory(prefix="bench-assessments-") as tmp:
        workdir = Path(tmp)
        targets = [("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}")]
        if os.environ.get("BENCH_DATABASE_URL"):
            targets.append(("postgresql", os.environ["BENCH_DATABASE_URL"]))
        for label, url in targets:
            try:
                seconds, floor = measure(label, url, workdir)
            except Exception as exc:  # noqa: BLE001 - report and go on with the next database
                log(f"BENCH FAILED on {label}: {type(exc).__name__}: {exc}")
                for logfile in sorted(workdir.glob(f"{label}-app.log")):
                    log(logfile.read_text()[-3000:])
                status = 1
                continue
            print(f"BENCH database {label}")
            print(f"BENCH posttest_submit_500 {seconds:.2f} s floor={floor:.2f} ratio={seconds / floor:.2f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
