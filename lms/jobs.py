"""Background jobs for long work (a ZIP of an event's certificates, large recaps) with a progress bar.

``enqueue(kind, "package.module:function", *args, title=..., user=...)`` adds a ``Job`` row; once the
transaction commits the job starts: on RQ when ``REDIS_URL`` is configured (a ``flask jobs-worker`` runs it),
otherwise in a thread of this process with its own app context (the embedded default needs no Redis).

The function is called as ``function(progress, *args)``: it reports with ``progress(done, total)`` and returns
``(stream, file_name)``; the stream is kept in lms.storage and its key stored in the job as its result. A
``JobError`` raised by the function is shown to the user as it is (Indonesian); anything else is logged and shown
as a general failure message.
"""

import logging
import threading
import time
from contextlib import nullcontext
from importlib import import_module

import click
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, scoped_session

from lms.db import utcnow
from lms.extensions import db
from lms.jobs_models import Job, JobStatus
from lms.storage import get_storage

log = logging.getLogger(__name__)
QUEUE = "lms"
GENERAL_FAILURE = _l("Terjadi kesalahan saat memproses pekerjaan ini. Silakan coba lagi atau hubungi admin.")
_threads: list[threading.Thread] = []


class JobError(Exception):
    """A failure to tell the user (message in Indonesian, wrapped for translation)."""


def enqueue(kind: str, func_path: str, *args, title: str = "", user=None) -> Job:
    """Add the job to the current transaction; it starts once that commits (never if it rolls back)."""
    job = Job(kind=kind, func_path=func_path, args=list(args), title=title, created_by=user)
    if has_request_context():
        job.base_url = request.url_root
    db.session.add(job)
    db.session.flush()
    session = db.session() if isinstance(db.session, scoped_session) else db.session
    session.info.setdefault("jobs_to_start", []).append((current_app._get_current_object(), job.id))
    return job


@event.listens_for(Session, "after_commit")
def _start_committed(session: Session) -> None:
    for app, job_id in session.info.pop("jobs_to_start", []):
        start(app, job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("jobs_to_start", None)


def redis_connection(app: Flask):
    from redis import Redis

    return Redis.from_url(app.config["REDIS_URL"])


def start(app: Flask, job_id: int) -> None:
    """Hand a committed job to RQ, or run it in a thread of this process when no Redis is configured."""
    if app.config.get("REDIS_URL"):
        from rq import Queue

        try:
            queue = Queue(app.config.get("JOBS_QUEUE", QUEUE), connection=redis_connection(app))
            queue.enqueue("lms.jobs.perform", job_id, job_timeout=app.config.get("JOBS_TIMEOUT", 3600))
        except Exception:
            log.exception("job %s could not be queued", job_id)
            with app.app_context():
                _finish(job_id, status=JobStatus.failed, error=str(GENERAL_FAILURE))
        return
    thread = threading.Thread(target=_run_in_thread, args=(app, job_id), name=f"job-{job_id}", daemon=True)
    _threads.append(thread)
    thread.start()


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        run(job_id)


def join_threads(timeout: float = 60) -> None:
    """Wait for the in-process jobs started so far (tests, and a clean shutdown)."""
    while _threads:
        _threads.pop().join(timeout)


def perform(job_id: int) -> None:
    """The RQ entry point: run the job in the current app context, or in a new app's."""
    if has_app_context():
        run(job_id)
        return
    from lms import create_app

    with create_app().app_context():
        run(job_id)


def _this_run(job_id: int, attempt: int | None):
    """The WHERE clause of writes by one run of a job: once the job was rerun, a stale run's writes match nothing."""
    table = Job.__table__
    clause = table.c.id == job_id
    return clause if attempt is None else clause & (table.c.attempt == attempt)


class Progress:
    """``progress(done, total)``: written to the job row on its own connection, at most a few times a second,
    with the heartbeat (the run's sign of life, see lms.jobs_recovery)."""

    def __init__(self, job_id: int, interval: float = 0.5, attempt: int | None = None):
        self.job_id, self.interval, self._last, self.attempt = job_id, interval, 0.0, attempt

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self._last < self.interval and (total is None or done < total):
            return
        self._last = now
        values = {"done": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = total
        with db.engine.begin() as connection:
            connection.execute(update(Job.__table__).where(_this_run(self.job_id, self.attempt)).values(**values))


class Heartbeat:
    """A daemon thread that stamps ``heartbeat_at`` every few seconds while a run lasts: when the worker (thread or
    RQ work horse) dies, the stamps stop and the job is recognised as stale."""

    def __init__(self, app: Flask, job_id: int, attempt: int):
        self.app, self.job_id, self.attempt = app, job_id, attempt
        self.interval = float(app.config.get("JOBS_HEARTBEAT_SECONDS", 10))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(self.interval + 5)

    def _beat(self) -> None:
        with self.app.app_context():
            while not self._stop.wait(self.interval):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(
                            update(Job.__table__)
                            .where(_this_run(self.job_id, self.attempt), Job.__table__.c.status == "running")
                            .values(heartbeat_at=utcnow())
                        )
                except Exception:  # the database may be away for a moment; the next beat tries again
                    log.warning("job %s heartbeat failed", self.job_id, exc_info=True)


def _resolve(func_path: str):
    module, _, name = func_path.partition(":")
    return getattr(import_module(module), name)


def _finish(job_id: int, attempt: int | None = None, **values) -> bool:
    """Record the end of a job in a statement of its own (the job's session may be in any state); with
    ``attempt``, only if the job was not rerun meanwhile. True when the row was written."""
    values["finished_at"] = utcnow()
    with db.engine.begin() as connection:
        result = connection.execute(update(Job.__table__).where(_this_run(job_id, attempt)).values(**values))
    return result.rowcount == 1


def _claim(job_id: int) -> int | None:
    """Mark a queued job running (one UPDATE, so two workers handed the same job cannot both run it); returns
    the number of this run (``attempt``), None when the job is not queued any more."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.queued)
        .values(status=JobStatus.running, started_at=now, heartbeat_at=now, attempt=Job.attempt + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    attempt = db.session.execute(select(Job.attempt).where(Job.id == job_id)).scalar_one()
    db.session.commit()
    return attempt


def run(job_id: int) -> None:
    """Run a queued job to its end: finished with a result file, or failed with a message."""
    job = db.session.get(Job, job_id)
    if job is None or job.status is not JobStatus.queued:
        return
    func_path, args, base_url = job.func_path, list(job.args or []), job.base_url
    attempt = _claim(job_id)
    if attempt is None:
        return
    key = None
    try:
        with Heartbeat(current_app._get_current_object(), job_id, attempt):
            with current_app.test_request_context("/", base_url=base_url) if base_url else nullcontext():
                stream, name = _resolve(func_path)(Progress(job_id, attempt=attempt), *args)
            key = get_storage().save(stream, name)
        db.session.rollback()  # the job only read; end its transaction before the job row is written
        if not _finish(job_id, attempt, status=JobStatus.finished, result_key=key, result_name=name, error=None):
            get_storage().delete(key)  # this run was given up and rerun meanwhile: its result is not wanted
        log.info("job %s finished key=%s", job_id, key)
    except JobError as exc:
        db.session.rollback()
        _finish(job_id, attempt, status=JobStatus.failed, error=str(exc))
    except Exception:
        log.exception("job %s failed", job_id)
        db.session.rollback()
        if key:
            get_storage().delete(key)
        _finish(job_id, attempt, status=JobStatus.failed, error=str(GENERAL_FAILURE))


def visible_job_or_none(job_id: int, user) -> Job | None:
    """The job when ``user`` started it (jobs of others stay hidden)."""
    job = db.session.get(Job, job_id)
    if job is None or job.created_by_id != user.id:
        return None
    return job


@click.command("jobs-worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def jobs_worker(burst: bool) -> None:
    """Run the background jobs queued on REDIS_URL (RQ worker)."""
    from rq import Worker

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL belum diatur; tanpa Redis pekerjaan berjalan di dalam proses web.")
    db.engine.dispose()  # forked work horses open their own connections
    worker = Worker([app.config.get("JOBS_QUEUE", QUEUE)], connection=redis_connection(app))
    worker.work(burst=burst)
