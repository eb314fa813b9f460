"""Background jobs (pekerjaan latar): one row per job, with its progress, result file and error."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, enum_type
from lms.extensions import db


class JobStatus(enum.Enum):
    queued = "queued"
    running = "running"
    finished = "finished"
    failed = "failed"

    @property
    def label(self) -> str:
        return str(JOB_STATUS_LABELS[self])


JOB_STATUS_LABELS = {
    JobStatus.queued: _l("Menunggu giliran"),
    JobStatus.running: _l("Sedang diproses"),
    JobStatus.finished: _l("Selesai"),
    JobStatus.failed: _l("Gagal"),
}


class Job(TimestampMixin, db.Model):
    """A job started by a user: ``func_path`` ("module:function") is called with ``args``; it reports progress
    (``done`` of ``total``) and leaves its result as a file in lms.storage (``result_key``)."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))  # e.g. "certificates_zip"
    title: Mapped[str] = mapped_column(String(200), default="")  # what the user sees
    func_path: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.queued)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result_key: Mapped[str | None] = mapped_column(String(200))  # lms.storage key
    result_name: Mapped[str | None] = mapped_column(String(200))  # download file name
    error: Mapped[str | None] = mapped_column(Text)  # Indonesian message for the user
    base_url: Mapped[str | None] = mapped_column(String(200))  # the site's address when started: absolute links
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)  # last sign of life of the running worker
    attempt: Mapped[int] = mapped_column(Integer, default=0)  # bumped by every run: a stale run's writes are ignored
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    created_by = relationship("User")

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status.value} {self.done}/{self.total}>"

    @property
    def is_over(self) -> bool:
        return self.status in (JobStatus.finished, JobStatus.failed)

    @property
    def percent(self) -> int:
        if self.status is JobStatus.finished:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
