"""The training-day load scenario itself (bench/trainingday*.py), on a small day: ten participants and the
organiser play the whole day through the real HTTP code of the load generator against the app served in this
process, and the record check finds exactly what they sent (and notices when something is missing).

No timing is asserted here: the figures are the benchmark's business (``python -m bench trainingday``)."""

import threading

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from bench import trainingday, trainingday_check
from bench import trainingday_seed as day
from lms import create_app
from lms.config import TestConfig


@pytest.fixture
def small_day(tmp_path, monkeypatch):
    """A seeded SQLite file (always SQLite: the seed drops the schema it works on) served on 127.0.0.1."""
    monkeypatch.setattr(day, "PARTICIPANTS", 10)  # participant 10 fails the post-test
    url = f"sqlite:///{tmp_path / 'day.sqlite3'}"
    uploads = str(tmp_path / "uploads")
    trainingday.prepare(url, uploads)
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=uploads, WTF_CSRF_ENABLED=True, TESTING=False, REDIS_URL=None)
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            from lms.extensions import db

            db.engine.dispose()


def test_a_small_training_day_leaves_exactly_what_was_sent(small_day):
    url, base = small_day
    scenario, organiser, _elapsed = trainingday.run_day(base, day.PARTICIPANTS, ramp=1.0, think=0.02)
    assert scenario.stats.failures == []
    assert set(scenario.done.values()) == {"ok"}
    recap = organiser.download_recap()
    archive = organiser.certificates_zip(timeout=60)
    organiser.b.close()

    assert trainingday_check.check_database(url) == []
    assert trainingday_check.check_downloads(recap, archive) == []
    figures = trainingday.figures(scenario.stats)
    assert figures["answer"]["requests"] == day.PARTICIPANTS * day.QUESTIONS
    assert all(f["errors"] == 0 for f in figures.values())
    assert figures["certificate_pdf"]["requests"] == day.PARTICIPANTS - 1  # all but the one who failed

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM survey_responses WHERE user_id = 3"))
        conn.execute(text("UPDATE attempts SET score = 0 WHERE user_id = 4"))
    engine.dispose()
    problems = trainingday_check.check_database(url)
    assert any("evaluation responses" in p for p in problems)
    assert any("wrongly scored" in p for p in problems)


def test_the_check_reports_a_day_nobody_came_to(tmp_path, monkeypatch):
    monkeypatch.setattr(day, "PARTICIPANTS", 10)
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    trainingday.prepare(url, str(tmp_path / "uploads"))
    problems = trainingday_check.check_database(url)
    assert any("QR-session attendance records" in p for p in problems)
    assert any("attempts, expected 10" in p for p in problems)
    assert any("certificate holders" in p for p in problems)
