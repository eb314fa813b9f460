"""/healthz: the database, Redis and the RQ queue as JSON; 200 when every configured part answers, 503 otherwise."""

import os
import uuid

import pytest
from redis import Redis

from lms import create_app
from lms.config import TestConfig
from lms.extensions import db as _db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def make_app(app):
    """A separate app on the suite's database with some settings changed."""
    made = []

    def factory(**settings):
        config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
        config.update(settings)
        made.append(create_app(config))
        return made[-1]

    yield factory
    for application in made:
        with application.app_context():
            _db.engine.dispose()


def test_without_redis_jobs_run_in_process(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not configured",
        "jobs": {"backend": "in-process"},
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_with_redis_reports_queue_length_and_workers(make_app):
    from rq import Queue, Worker

    queue_name = f"healthz-{uuid.uuid4().hex[:8]}"
    application = make_app(REDIS_URL=REDIS_URL, JOBS_QUEUE=queue_name)
    connection = Redis.from_url(REDIS_URL)
    queue = Queue(queue_name, connection=connection)
    worker = Worker([queue], connection=connection, name=f"w-{queue_name}")
    try:
        queue.enqueue("lms.jobs.perform", 0)
        queue.enqueue("lms.jobs.perform", 0)
        worker.register_birth()
        response = application.test_client().get("/healthz")
        body = response.get_json()
        assert response.status_code == 200, body
        assert body["status"] == "ok" and body["database"] == "ok" and body["redis"] == "ok"
        assert body["jobs"] == {"backend": "rq", "queue": queue_name, "queued": 2, "workers": 1}
    finally:
        worker.register_death()
        queue.delete(delete_jobs=True)


def test_redis_down_is_503(make_app):
    response = make_app(REDIS_URL="redis://127.0.0.1:1/0").test_client().get("/healthz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["status"] == "error" and body["database"] == "ok"
    assert body["redis"].startswith("error: ") and body["jobs"]["backend"] == "rq" and body["jobs"]["error"]


def test_database_down_is_503(make_app, tmp_path):
    missing = tmp_path / "tidak-ada" / "lms.sqlite3"  # its folder does not exist: SQLite cannot open it
    response = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}").test_client().get("/healthz")
    body = response.get_json()
    assert response.status_code == 503
    assert body == {
        "status": "error",
        "database": "error: OperationalError",
        "redis": "not configured",
        "jobs": {"backend": "in-process"},
    }
