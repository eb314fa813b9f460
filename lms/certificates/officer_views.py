"""The agency officer's (petugas instansi) pages: certificates of his agency's staff across events."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_

from lms.auth.models import Role
from lms.auth.permissions import role_required
from lms.certificates import documents
from lms.certificates.jobs import agency_certificates_query
from lms.certificates.models import Certificate
from lms.certificates.views import _pdf_response, _user, bp
from lms.events.models import Event
from lms.extensions import db
from lms.jobs import enqueue

AGENCY = "/instansi/sertifikat"


@bp.get(AGENCY)
@role_required(Role.agency_officer)
def agency_index():
    query = agency_certificates_query(current_user.agency_id)
    q = (request.args.get("q") or "").strip()[:100]
    if q:
        like = f"%{q.lower()}%"
        query = query.join(Event, Event.id == Certificate.event_id).where(
            or_(
                func.lower(Certificate.holder_name).like(like),
                Certificate.holder_nip.like(like),
                func.lower(Certificate.number).like(like),
                func.lower(Event.title).like(like),
            )
        )
    pagination = db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template("certificates/agency.html", pagination=pagination, q=q, agency=current_user.agency)


def _agency_certificate_or_404(certificate_id: int) -> Certificate:
    certificate = db.session.execute(
        agency_certificates_query(current_user.agency_id).where(Certificate.id == certificate_id)
    ).scalar_one_or_none()
    return certificate or abort(404)


@bp.get(AGENCY + "/<int:certificate_id>.pdf")
@role_required(Role.agency_officer)
def agency_download(certificate_id: int):
    certificate = _agency_certificate_or_404(certificate_id)
    return _pdf_response(documents.certificate_pdf(certificate), documents.filename(certificate))


@bp.post(AGENCY + "/semua.zip")
@role_required(Role.agency_officer)
def agency_zip():
    if not db.session.execute(agency_certificates_query(current_user.agency_id).limit(1)).first():
        flash(_("Belum ada sertifikat pegawai instansi ini."), "warning")
        return redirect(url_for(".agency_index"))
    job = enqueue(
        "certificates_zip",
        "lms.certificates.jobs:agency_zip",
        current_user.agency_id,
        title=_("Sertifikat pegawai %(agency)s (ZIP)", agency=current_user.agency.name),
        user=_user(),
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id, kembali=url_for(".agency_index")))
