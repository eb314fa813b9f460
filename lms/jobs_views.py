"""Pages of background jobs: the progress page (polls the status fragment with htmx), status as JSON, download."""

import mimetypes

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from lms.auth.redirects import safe_next_url
from lms.jobs import visible_job_or_none
from lms.jobs_models import JobStatus
from lms.storage import get_storage

bp = Blueprint("jobs", __name__)


def _job_or_404(job_id: int):
    return visible_job_or_none(job_id, current_user) or abort(404)


@bp.get("/pekerjaan/<int:job_id>")
@login_required
def show(job_id: int):
    job = _job_or_404(job_id)
    return render_template("jobs/show.html", job=job, back=safe_next_url(request.args.get("kembali")))


@bp.get("/pekerjaan/<int:job_id>/status")
@login_required
def status(job_id: int):
    job = _job_or_404(job_id)
    if request.headers.get("HX-Request"):
        return render_template("jobs/_status.html", job=job)
    ready = job.status is JobStatus.finished and job.result_key
    return jsonify(
        id=job.id,
        status=job.status.value,
        done=job.done,
        total=job.total,
        percent=job.percent,
        error=job.error,
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
