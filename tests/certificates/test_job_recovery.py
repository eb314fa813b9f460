"""A worker killed during a bulk certificate job: the job is recognised as stale, shown as failed with a rerun
button, and the rerun issues only the missing certificates (no number twice, none skipped). Also: writes of a
stale run are ignored, the heartbeat, and the cleanup of old result files."""

import os
import subprocess
import sys
import textwrap
import time
import zipfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from sqlalchemy import select, update

from lms import jobs
from lms.auth.models import Role
from lms.certificates.models import Certificate, NumberSequence
from lms.db import utcnow
from lms.jobs_models import Job, JobStatus
from lms.jobs_recovery import mark_stale
from lms.storage import get_storage

ROOT = Path(__file__).resolve().parents[2]
# Runs the job in another process that dies (os._exit, as a SIGKILL would) in the middle of the third batch of
# two certificates: four are committed, two more are numbered in a transaction that never commits.
KILLED_WORKER = textwrap.dedent(
    """
    import os, sys
    from lms import create_app
    from lms.config import TestConfig
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=sys.argv[1], UPLOAD_DIR=sys.argv[2])
    app = create_app(config)
    from lms import jobs
    from lms.certificates import jobs as certificate_jobs, operations
    from lms.extensions import db
    certificate_jobs.ISSUE_BATCH = 2
    real, calls = operations.issue_certificates, []
    def issue_then_die(event, by, limit=None):
        created = real(event, by, limit=limit)
        calls.append(len(created))
        if len(calls) == 3:
            db.session.flush()
            os._exit(9)
        return created
    operations.issue_certificates = issue_then_die
    with app.app_context():
        if len(sys.argv) > 4:  # an RQ worker: its forked work horse runs the job and dies
            from redis import Redis
            from rq import Queue, Worker
            app.config["REDIS_URL"] = sys.argv[4]
            db.engine.dispose()
            connection = Redis.from_url(sys.argv[4])
            Worker([Queue(jobs.QUEUE, connection=connection)], connection=connection).work(burst=True)
        else:
            jobs.run(int(sys.argv[3]))
    """
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/12")


def _job(db, organiser, event, **fields) -> Job:
    job = Job(
        kind="certificates_issue_zip",
        func_path="lms.certificates.jobs:issue_zip",
        args=[event.id, organiser.id],
        title="Sertifikat",
        created_by=organiser,
        base_url="https://lms.bpsdmd.example.go.id/",
        **fields,
    )
    db.session.add(job)
    db.session.commit()
    return job


def _numbers(db) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.execute(select(Certificate.number)).scalars())


def test_rerun_after_a_killed_worker_issues_no_duplicate_or_skipped_number(db, app, setup, client_as, storage_dir):
    organiser, event, users = setup(n=7)
    job = _job(db, organiser, event)
    worker = subprocess.run(
        [sys.executable, "-c", KILLED_WORKER, app.config["SQLALCHEMY_DATABASE_URI"], str(storage_dir), str(job.id)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert worker.returncode == 9, worker.stderr.decode()[-2000:]
    db.session.expire_all()
    assert db.session.get(Job, job.id).status is JobStatus.running  # left behind by the dead worker
    assert _numbers(db) == [f"800/{i:04d}/BPSDMD/2026" for i in (1, 2, 3, 4)]  # the cut batch rolled back
    assert db.session.execute(select(NumberSequence.last_value)).scalar_one() == 4

    # Time passes without a heartbeat: the page shows the job failed, with a rerun button.
    db.session.execute(update(Job).where(Job.id == job.id).values(heartbeat_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    client = client_as(organiser)
    page = client.get(f"/pekerjaan/{job.id}").get_data(as_text=True)
    assert "Gagal" in page and "proses yang mengerjakannya berhenti" in page and "Jalankan ulang" in page
    response = client.post(f"/pekerjaan/{job.id}/ulang")
    assert response.status_code == 302
    jobs.join_threads()

    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.status, job.attempt, job.error) == (JobStatus.finished, 2, None)
    expected = [f"800/{i:04d}/BPSDMD/2026" for i in range(1, 8)]
    assert _numbers(db) == expected  # the four kept, the three missing numbered next: no gap, no duplicate
    holders = db.session.execute(select(Certificate.user_id)).scalars().all()
    assert sorted(holders) == sorted(u.id for u in users)
    download = client.get(f"/pekerjaan/{job.id}/unduh")
    with zipfile.ZipFile(BytesIO(download.data)) as archive:
        assert sorted(archive.namelist()) == sorted(f"sertifikat-800-{n[4:8]}-BPSDMD-2026.pdf" for n in expected)

    # Rerunning a finished job is refused; running the job function again issues nothing new.
    client.post(f"/pekerjaan/{job.id}/ulang")
    jobs.join_threads()
    assert _numbers(db) == expected and db.session.get(Job, job.id).attempt == 2


def test_writes_of_a_stale_run_are_ignored(db, setup, storage_dir):
    organiser, event, _users = setup(n=1)
    job = _job(db, organiser, event, status=JobStatus.running, attempt=2, done=1, total=3)
    assert jobs._finish(job.id, 1, status=JobStatus.failed, error="lama") is False  # attempt 1 was given up
    jobs.Progress(job.id, attempt=1)(3, 3)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.status, job.done, job.error) == (JobStatus.running, 1, None)


def test_stale_and_live_jobs_are_told_apart(db, app, setup):
    organiser, event, _users = setup(n=1)
    old = utcnow() - timedelta(minutes=30)
    dead = _job(db, organiser, event, status=JobStatus.running, started_at=old, heartbeat_at=old)
    alive = _job(db, organiser, event, status=JobStatus.running, started_at=old, heartbeat_at=utcnow())
    lost = _job(db, organiser, event, status=JobStatus.queued)
    db.session.execute(update(Job).where(Job.id == lost.id).values(created_at=old))
    db.session.commit()
    assert mark_stale() == 2
    db.session.expire_all()
    assert db.session.get(Job, dead.id).status is JobStatus.failed
    assert db.session.get(Job, lost.id).status is JobStatus.failed  # thread mode: its process is gone
    assert db.session.get(Job, alive.id).status is JobStatus.running


def test_heartbeat_stamps_a_running_job(db, app, setup):
    organiser, event, _users = setup(n=1)
    started = utcnow() - timedelta(minutes=5)
    job = _job(db, organiser, event, status=JobStatus.running, attempt=1, started_at=started, heartbeat_at=started)
    app.config["JOBS_HEARTBEAT_SECONDS"] = 0.05
    try:
        with jobs.Heartbeat(app, job.id, 1):
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                db.session.expire_all()
                if db.session.get(Job, job.id).heartbeat_at > started:
                    break
                time.sleep(0.05)
    finally:
        app.config.pop("JOBS_HEARTBEAT_SECONDS")
    db.session.expire_all()
    assert db.session.get(Job, job.id).heartbeat_at > started
    assert mark_stale() == 0


def test_cleanup_deletes_old_result_files(db, app, setup, client_as, storage_dir):
    organiser, event, _users = setup(n=1)
    storage = get_storage()
    old_key, new_key = storage.save(BytesIO(b"zip lama"), "a.zip"), storage.save(BytesIO(b"zip baru"), "b.zip")
    finished = {"status": JobStatus.finished, "result_name": "a.zip"}
    old = _job(db, organiser, event, result_key=old_key, finished_at=utcnow() - timedelta(days=10), **finished)
    new = _job(db, organiser, event, result_key=new_key, finished_at=utcnow() - timedelta(hours=1), **finished)
    result = app.test_cli_runner().invoke(args=["jobs-cleanup", "--days", "7"])
    assert result.exit_code == 0 and "1 berkas hasil lama dihapus" in result.output
    db.session.expire_all()
    assert db.session.get(Job, old.id).result_key is None and db.session.get(Job, new.id).result_key == new_key
    with storage.open(new_key) as stream:
        assert stream.read() == b"zip baru"
    assert not (storage_dir / old_key).exists()
    client = client_as(organiser)
    assert client.get(f"/pekerjaan/{old.id}/unduh").status_code == 404
    page = client.get(f"/pekerjaan/{old.id}").get_data(as_text=True)
    assert "sudah dihapus karena lewat masa simpan" in page and "Jalankan ulang" in page


def test_issue_and_zip_button_runs_the_job(db, setup, make_user, client_as, storage_dir):
    organiser, event, users = setup(n=3)
    client = client_as(organiser)
    response = client.post(f"/kelola/acara/{event.id}/sertifikat/terbitkan-zip")
    assert response.status_code == 302 and "/pekerjaan/" in response.headers["Location"]
    jobs.join_threads()
    job = db.session.execute(select(Job)).scalar_one()
    assert job.status is JobStatus.finished and job.kind == "certificates_issue_zip"
    assert _numbers(db) == [f"800/{i:04d}/BPSDMD/2026" for i in (1, 2, 3)]
    with zipfile.ZipFile(BytesIO(client.get(f"/pekerjaan/{job.id}/unduh").data)) as archive:
        assert len(archive.namelist()) == 3
    stranger = make_user(role=Role.organiser)
    assert client_as(stranger).post(f"/kelola/acara/{event.id}/sertifikat/terbitkan-zip").status_code == 404
    assert client_as(stranger).get(f"/pekerjaan/{job.id}").status_code == 404


def test_issue_and_zip_refused_without_signatory(db, setup, client_as):
    organiser, event, _users = setup(n=1, signatory_name="")
    response = client_as(organiser).post(f"/kelola/acara/{event.id}/sertifikat/terbitkan-zip", follow_redirects=True)
    assert "Lengkapi pengaturan sertifikat" in response.get_data(as_text=True)
    assert db.session.execute(select(Job)).first() is None


def test_rq_work_horse_killed_then_rerun_on_rq(db, app, setup, client_as, storage_dir):
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    organiser, event, users = setup(n=5)
    app.config["REDIS_URL"] = REDIS_URL
    try:
        job = jobs.enqueue(
            "certificates_issue_zip",
            "lms.certificates.jobs:issue_zip",
            event.id,
            organiser.id,
            title="Sertifikat",
            user=organiser,
        )
        job.base_url = "https://lms.bpsdmd.example.go.id/"
        db.session.commit()  # queued on Redis
        worker = subprocess.run(
            [
                sys.executable,
                "-c",
                KILLED_WORKER,
                app.config["SQLALCHEMY_DATABASE_URI"],
                str(storage_dir),
                str(job.id),
                REDIS_URL,
            ],
            cwd=ROOT,
            capture_output=True,
            timeout=120,
        )
        assert worker.returncode == 0, worker.stderr.decode()[-2000:]  # the worker survives its work horse
        db.session.expire_all()
        assert db.session.get(Job, job.id).status is JobStatus.running
        assert _numbers(db) == [f"800/{i:04d}/BPSDMD/2026" for i in (1, 2, 3, 4)]
        db.session.execute(update(Job).where(Job.id == job.id).values(heartbeat_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        client = client_as(organiser)
        assert "Jalankan ulang" in client.get(f"/pekerjaan/{job.id}").get_data(as_text=True)
        client.post(f"/pekerjaan/{job.id}/ulang")
        queue = Queue(jobs.QUEUE, connection=connection)
        assert queue.count == 1 and not jobs._threads  # rerun on RQ too
        assert SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        app.config["REDIS_URL"] = None
        connection.flushdb()
    db.session.expire_all()
    assert db.session.get(Job, job.id).status is JobStatus.finished
    assert _numbers(db) == [f"800/{i:04d}/BPSDMD/2026" for i in range(1, 6)]
    assert sorted(db.session.execute(select(Certificate.user_id)).scalars()) == sorted(u.id for u in users)
