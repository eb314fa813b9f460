"""Pages of background jobs: the progress page (polls the status fragment with htmx), status as JSON, download."""

import mimetypes

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms.auth.redirects import safe_next_url
from lms.extensions import db
from lms.jobs import visible_job_or_none
from lms.jobs_models import JobStatus
from lms.jobs_recovery import can_rerun, looks_stale, mark_stale, rerun
from lms.storage import get_storage

bp = Blueprint("jobs", __name__)


def _job_or_404(job_id: int):
    job = visible_job_or_none(job_id, current_user) or abort(404)
    if looks_stale(job) and mark_stale(job.id):
        db.session.refresh(job)  # its worker died: now failed, with a rerun button
    return job


@bp.get("/pekerjaan/<int:job_id>")
@login_required
def show(job_id: int):
    job = _job_or_404(job_id)
    back = safe_next_url(request.args.get("kembali"))
    return render_template("jobs/show.html", job=job, back=back, can_rerun=can_rerun(job))


@bp.get("/pekerjaan/<int:job_id>/status")
@login_required
def status(job_id: int):
    job = _job_or_404(job_id)
    if request.headers.get("HX-Request"):
        return render_template("jobs/_status.html", job=job, can_rerun=can_rerun(job))
    ready = job.status is JobStatus.finished and job.result_key
    return jsonify(
        id=job.id,
        status=job.status.value,
        done=job.done,
        total=job.total,
        percent=job.percent,
        error=job.error,
        can_rerun=can_rerun(job),
        download_url=url_for(".download", job_id=job.id) if ready else None,
    )


@bp.get("/pekerjaan/<int:job_id>/unduh")
@login_required
def download(job_id: int):
    job = _job_or_404(job_id)
    if job.status is not JobStatus.finished or not job.result_key:
        abort(404)
    try:
        stream = get_storage().open(job.result_key)
    except FileNotFoundError:
        abort(404)
    name = job.result_name or "hasil"
    response = Response(stream, mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream")
    response.direct_passthrough = True
    response.call_on_close(stream.close)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/pekerjaan/<int:job_id>/ulang")
@login_required
def rerun_job(job_id: int):
    """Run a failed job (also one whose worker died) again; its progress page shows the new run."""
    job = _job_or_404(job_id)
    if not FlaskForm().validate_on_submit():  # the CSRF token
        abort(400)
    if not can_rerun(job):
        flash(_("Pekerjaan ini masih berjalan atau sudah selesai; tidak perlu dijalankan ulang."), "warning")
    else:
        rerun(job)
        db.session.commit()
        flash(_("Pekerjaan dijalankan ulang."), "success")
    return redirect(url_for(".show", job_id=job.id, kembali=safe_next_url(request.args.get("kembali")) or None))
