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
from sqlalchemy import event, update
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


class Progress:
    """``progress(done, total)``: written to the job row on its own connection, at most a few times a second."""

    def __init__(self, job_id: int, interval: float = 0.5):
        self.job_id, self.interval, self._last = job_id, interval, 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self._last < self.interval and (total is None or done < total):
            return
        self._last = now
        values = {"done": done} if total is None else {"done": done, "total": total}
        with db.engine.begin() as connection:
            connection.execute(update(Job.__table__).where(Job.__table__.c.id == self.job_id).values(**values))


def _resolve(func_path: str):
    module, _, name = func_path.partition(":")
    return getattr(import_module(module), name)


def _finish(job_id: int, **values) -> None:
    """Record the end of a job in a statement of its own (the job's session may be in any state)."""
    values["finished_at"] = utcnow()
    with db.engine.begin() as connection:
        connection.execute(update(Job.__table__).where(Job.__table__.c.id == job_id).values(**values))


def run(job_id: int) -> None:
    """Run a queued job to its end: finished with a result file, or failed with a message."""
    job = db.session.get(Job, job_id)
    if job is None or job.status is not JobStatus.queued:
        return
    job.status, job.started_at = JobStatus.running, utcnow()
    func_path, args, base_url = job.func_path, list(job.args or []), job.base_url
    db.session.commit()
    key = None
    try:
        with current_app.test_request_context("/", base_url=base_url) if base_url else nullcontext():
            stream, name = _resolve(func_path)(Progress(job_id), *args)
        key = get_storage().save(stream, name)
        db.session.rollback()  # the job only read; end its transaction before the job row is written
        _finish(job_id, status=JobStatus.finished, result_key=key, result_name=name, error=None)
        log.info("job %s finished key=%s", job_id, key)
    except JobError as exc:
        db.session.rollback()
        _finish(job_id, status=JobStatus.failed, error=str(exc))
    except Exception:
        log.exception("job %s failed", job_id)
        db.session.rollback()
        if key:
            get_storage().delete(key)
        _finish(job_id, status=JobStatus.failed, error=str(GENERAL_FAILURE))


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
