"""Jobs whose worker died, reruns, and the cleanup of old result files.

A running job stamps ``heartbeat_at`` every few seconds (lms.jobs.Heartbeat, and every progress report). When
its worker dies (the web process running it in a thread restarts, an RQ work horse is killed, the machine goes
down) the stamps stop: after ``JOBS_STALE_SECONDS`` without one the job is marked failed with a message saying so,
and its owner can rerun it ("Jalankan ulang"). A rerun is a new attempt of the same row; writes of an earlier
attempt that is somehow still alive are ignored (lms.jobs._this_run). Jobs must therefore be safe to run again:
the certificate jobs reuse what is already issued and number only what is missing.

``flask jobs-cleanup`` (run it daily from cron or a systemd timer) marks stale jobs failed and deletes result
files older than ``JOBS_KEEP_DAYS``.
"""

import logging
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from lms.db import utcnow
from lms.extensions import db
from lms.jobs_models import Job, JobStatus
from lms.storage import get_storage

log = logging.getLogger(__name__)
STALE_MESSAGE = _l(
    "Pekerjaan ini terhenti karena proses yang mengerjakannya berhenti (misalnya server dimulai ulang). "
    "Jalankan ulang: bagian yang sudah selesai tidak diulang."
)
EXPIRED_MESSAGE = _l("Berkas hasil pekerjaan ini sudah dihapus karena lewat masa simpan. Jalankan ulang bila perlu.")


def stale_seconds() -> float:
    return float(current_app.config.get("JOBS_STALE_SECONDS", 120))


def _stale_clause(now):
    """Running jobs without a sign of life for too long; without Redis, also jobs still queued after that time
    (their thread would have started at once: the process that should run them is gone)."""
    limit = now - timedelta(seconds=stale_seconds())
    running = (Job.status == JobStatus.running) & (func.coalesce(Job.heartbeat_at, Job.started_at) < limit)
    if current_app.config.get("REDIS_URL"):
        return running
    return or_(running, (Job.status == JobStatus.queued) & (Job.created_at < limit))


def looks_stale(job: Job) -> bool:
    """The same test as ``_stale_clause`` on a loaded row (so a status poll writes only when it must)."""
    limit = utcnow() - timedelta(seconds=stale_seconds())
    if job.status is JobStatus.running:
        return (job.heartbeat_at or job.started_at or job.created_at) < limit
    return job.status is JobStatus.queued and not current_app.config.get("REDIS_URL") and job.created_at < limit


def mark_stale(job_id: int | None = None) -> int:
    """Mark the stale jobs (or only ``job_id``, if stale) failed, in a transaction of their own; returns how many."""
    now = utcnow()
    statement = update(Job.__table__).where(_stale_clause(now))
    if job_id is not None:
        statement = statement.where(Job.__table__.c.id == job_id)
    with db.engine.begin() as connection:
        count = connection.execute(
            statement.values(status=JobStatus.failed.value, error=str(STALE_MESSAGE), finished_at=now)
        ).rowcount
    if count:
        log.warning("jobs marked stale count=%s job=%s", count, job_id)
    return count


def can_rerun(job: Job) -> bool:
    return job.status is JobStatus.failed or (job.status is JobStatus.finished and not job.result_key)


def rerun(job: Job) -> Job:
    """Queue ``job`` again (same function and arguments, next attempt); it starts once the transaction commits."""
    if not can_rerun(job):
        raise ValueError(f"job {job.id} is {job.status.value}")
    job.status, job.done, job.total, job.error = JobStatus.queued, 0, 0, None
    job.started_at = job.heartbeat_at = job.finished_at = None
    job.result_key = job.result_name = None
    job.created_at = utcnow()  # the queue timeout counts from the rerun
    db.session.flush()
    session = db.session()
    session.info.setdefault("jobs_to_start", []).append((current_app._get_current_object(), job.id))
    log.info("job %s rerun (attempt %s done)", job.id, job.attempt)
    return job


def cleanup(keep_days: float | None = None) -> tuple[int, int]:
    """Mark stale jobs failed and delete result files of jobs finished more than ``keep_days`` ago (the rows stay,
    saying the file has expired). Returns (stale jobs, files deleted)."""
    stale = mark_stale()
    days = float(current_app.config.get("JOBS_KEEP_DAYS", 7) if keep_days is None else keep_days)
    limit = utcnow() - timedelta(days=days)
    old = db.session.execute(
        select(Job).where(Job.result_key.is_not(None), Job.finished_at < limit).order_by(Job.id)
    ).scalars()
    storage, deleted = get_storage(), 0
    for job in old:
        try:
            storage.delete(job.result_key)
        except FileNotFoundError:
            pass
        job.result_key, job.error = None, str(EXPIRED_MESSAGE)
        deleted += 1
    db.session.commit()
    log.info("jobs cleanup stale=%s deleted=%s keep_days=%s", stale, deleted, days)
    return stale, deleted


@click.command("jobs-cleanup")
@click.option("--days", type=float, default=None, help="Simpan berkas hasil selama sekian hari (JOBS_KEEP_DAYS).")
@with_appcontext
def jobs_cleanup(days: float | None) -> None:
    """Mark jobs whose worker died as failed and delete old job result files."""
    stale, deleted = cleanup(days)
    click.echo(f"{stale} pekerjaan terhenti ditandai gagal; {deleted} berkas hasil lama dihapus.")
