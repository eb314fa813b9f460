"""Organiser: electronic signature (TTE) of an event's certificates: export for signing, import the signed PDFs."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.auth.permissions import get_managed_event_or_404, role_required
from lms.certificates import signing
from lms.certificates.forms import ConfirmForm, SignedUploadForm
from lms.certificates.views import MANAGE, MANAGERS, _user, bp
from lms.extensions import db
from lms.jobs import enqueue
from lms.uploads import MB

TTE = MANAGE + "/tte"


def _page(event, form, results=None, status=200):
    total, signed = signing.signing_counts(event)
    return (
        render_template(
            "certificates/signing.html",
            event=event,
            form=form,
            export_form=ConfirmForm(formdata=None),
            total=total,
            signed=signed,
            results=results,
        ),
        status,
    )


@bp.get(TTE)
@role_required(*MANAGERS)
def signing_page(event_id: int):
    event = get_managed_event_or_404(event_id)
    return _page(event, SignedUploadForm(formdata=None))


@bp.post(TTE + "/ekspor")
@role_required(*MANAGERS)
def signing_export(event_id: int):
    event = get_managed_event_or_404(event_id)
    if ConfirmForm().validate_on_submit():
        total, signed = signing.signing_counts(event)
        if total == signed:
            flash(_("Tidak ada sertifikat yang menunggu tanda tangan elektronik."), "warning")
            return redirect(url_for(".signing_page", event_id=event.id))
        job = enqueue(
            "certificates_tte_export",
            "lms.certificates.signing:event_export_zip",
            event.id,
            title=_("PDF untuk TTE: %(title)s", title=event.title),
            user=_user(),
        )
        db.session.commit()
        return redirect(url_for("jobs.show", job_id=job.id, kembali=url_for(".signing_page", event_id=event.id)))
    return redirect(url_for(".signing_page", event_id=event.id))


@bp.post(TTE + "/impor")
@role_required(*MANAGERS)
def signing_import(event_id: int):
    event = get_managed_event_or_404(event_id)
    # Many signed PDFs at once: a larger request than one ordinary upload (each PDF is still checked on its own).
    request.max_content_length = current_app.config.get("TTE_MAX_UPLOAD_MB", 300) * MB
    form = SignedUploadForm()
    if not form.validate_on_submit():
        return _page(event, form, status=400)
    results = signing.import_signed(event, request.files.getlist(form.files.name))
    db.session.commit()
    stored = sum(1 for r in results if r.ok)
    if not results:
        flash(_("Pilih berkas yang akan diunggah."), "error")
    else:
        flash(
            _("%(stored)s dari %(total)s berkas disimpan.", stored=stored, total=len(results)),
            "success" if stored == len(results) else "warning",
        )
    return _page(event, SignedUploadForm(formdata=None), results=results)
