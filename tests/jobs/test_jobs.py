"""Background jobs: in-process (no Redis) end to end, on RQ against the real local Redis, failures, access."""

import io
import os

import pytest
from sqlalchemy import select

from lms import jobs
from lms.auth.models import Role
from lms.jobs_models import Job, JobStatus
from lms.storage import get_storage

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def count_to(progress, n: int, word: str):
    """A job for the tests: reports progress n times and returns a text file."""
    for i in range(1, n + 1):
        progress(i, n)
    return io.BytesIO((word * n).encode()), "hasil.txt"


def fails(progress, message: str | None):
    progress(0, 3)
    if message:
        raise jobs.JobError(message)
    raise RuntimeError("boom")


@pytest.fixture
def storage_dir(app, tmp_path):
    old = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["UPLOAD_DIR"] = old


@pytest.fixture
def redis_app(app):
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    app.config["REDIS_URL"] = REDIS_URL
    yield connection
    app.config["REDIS_URL"] = None
    connection.flushdb()


def _start(db, user, *args, func="tests.jobs.test_jobs:count_to"):
    job = jobs.enqueue("test", func, *args, title="Uji", user=user)
    db.session.commit()
    return job.id


def test_in_process_job_runs_after_commit_and_is_downloadable(db, make_user, client_as, storage_dir):
    user = make_user(role=Role.organiser)
    job_id = _start(db, user, 4, "ab")
    jobs.join_threads()
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.status, job.done, job.total, job.result_name, job.error) == (
        JobStatus.finished,
        4,
        4,
        "hasil.txt",
        None,
    )
    assert job.started_at and job.finished_at and job.percent == 100
    with get_storage().open(job.result_key) as stream:
        assert stream.read() == b"abababab"
    client = client_as(user)
    status = client.get(f"/pekerjaan/{job_id}/status").get_json()
    assert status["status"] == "finished" and status["percent"] == 100
    assert status["download_url"] == f"/pekerjaan/{job_id}/unduh"
    page = client.get(f"/pekerjaan/{job_id}", query_string={"kembali": "/kelola/acara"}).get_data(as_text=True)
    assert 'href="/kelola/acara"' in page
    assert ">Kembali</a>" not in client.get(f"/pekerjaan/{job_id}?kembali=/%5Cevil.example").get_data(as_text=True)
    assert "Selesai" in page and f"/pekerjaan/{job_id}/unduh" in page and "hx-get" not in page
    download = client.get(status["download_url"])
    assert download.data == b"abababab" and 'filename="hasil.txt"' in download.headers["Content-Disposition"]


def test_job_is_not_started_when_the_transaction_rolls_back(db, make_user, storage_dir):
    user = make_user()
    jobs.enqueue("test", "tests.jobs.test_jobs:count_to", 1, "x", user=user)
    db.session.rollback()
    jobs.join_threads()
    assert db.session.execute(select(Job)).first() is None
    assert not jobs._threads


def test_running_job_page_polls_the_status_fragment(db, make_user, client_as):
    user = make_user()
    job = Job(kind="test", func_path="x:y", args=[], created_by=user, status=JobStatus.running, done=3, total=12)
    db.session.add(job)
    db.session.commit()
    client = client_as(user)
    page = client.get(f"/pekerjaan/{job.id}").get_data(as_text=True)
    assert f'hx-get="/pekerjaan/{job.id}/status"' in page and 'hx-trigger="every 1s"' in page
    assert 'value="25"' in page and "3 dari 12" in page and "<script>" not in page.split("<main")[-1]
    fragment = client.get(f"/pekerjaan/{job.id}/status", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="job-status"') and "Sedang diproses" in fragment
    assert client.get(f"/pekerjaan/{job.id}/unduh").status_code == 404  # not finished yet


def test_failures_are_recorded_with_an_indonesian_message(db, make_user, client_as, storage_dir):
    user = make_user()
    expected = _start(db, user, "Acara tidak ditemukan.", func="tests.jobs.test_jobs:fails")
    unexpected = _start(db, user, None, func="tests.jobs.test_jobs:fails")
    jobs.join_threads()
    db.session.expire_all()
    first, second = db.session.get(Job, expected), db.session.get(Job, unexpected)
    assert (first.status, first.error, first.total) == (JobStatus.failed, "Acara tidak ditemukan.", 3)
    assert second.status is JobStatus.failed and second.error.startswith("Terjadi kesalahan saat memproses")
    page = client_as(user).get(f"/pekerjaan/{unexpected}").get_data(as_text=True)
    assert "Gagal" in page and "Terjadi kesalahan saat memproses" in page and "boom" not in page


def test_only_the_user_who_started_a_job_sees_it(db, make_user, client_as, client):
    owner, other = make_user(role=Role.organiser), make_user(role=Role.admin)
    job = Job(kind="test", func_path="x:y", args=[], created_by=owner, status=JobStatus.finished, result_key="k")
    db.session.add(job)
    db.session.commit()
    for path in (f"/pekerjaan/{job.id}", f"/pekerjaan/{job.id}/status", f"/pekerjaan/{job.id}/unduh"):
        assert client_as(other).get(path).status_code == 404
        assert "/masuk" in client.get(path).headers["Location"]
    assert client_as(owner).get(f"/pekerjaan/{job.id}/unduh").status_code == 404  # the file is missing


def test_rq_mode_queues_on_redis_and_a_worker_runs_it(db, make_user, redis_app, storage_dir):
    from rq import Queue, SimpleWorker

    user = make_user()
    job_id = _start(db, user, 3, "rq")
    assert not jobs._threads  # nothing ran in this process
    queue = Queue(jobs.QUEUE, connection=redis_app)
    assert queue.count == 1
    assert db.session.get(Job, job_id).status is JobStatus.queued
    assert SimpleWorker([queue], connection=redis_app).work(burst=True)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.status, job.done, job.total) == (JobStatus.finished, 3, 3)
    with get_storage().open(job.result_key) as stream:
        assert stream.read() == b"rqrqrq"
    assert queue.count == 0


def test_rq_mode_without_a_reachable_redis_marks_the_job_failed(db, make_user, app, storage_dir):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        job_id = _start(db, make_user(), 1, "x")
    finally:
        app.config["REDIS_URL"] = None
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status is JobStatus.failed and "Terjadi kesalahan" in job.error


def test_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["jobs-worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output
