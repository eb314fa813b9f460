"""Organiser: issue the missing certificates and ZIP all of them, as one background job (safe to rerun)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from lms.auth.permissions import get_managed_event_or_404, role_required
from lms.certificates import operations
from lms.certificates.forms import ConfirmForm
from lms.certificates.views import MANAGE, MANAGERS, _user, bp
from lms.events.operations import OperationError
from lms.extensions import db
from lms.jobs import enqueue


@bp.post(MANAGE + "/terbitkan-zip")
@role_required(*MANAGERS)
def issue_zip(event_id: int):
    event = get_managed_event_or_404(event_id)
    back = url_for(".manage", event_id=event.id)
    if not ConfirmForm().validate_on_submit():
        flash(_("Sesi formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."), "error")
        return redirect(back)
    try:
        operations.ready_settings(event)
    except OperationError as exc:
        flash(str(exc), "error")
        return redirect(back)
    job = enqueue(
        "certificates_issue_zip",
        "lms.certificates.jobs:issue_zip",
        event.id,
        _user().id,
        title=_("Penerbitan dan ZIP sertifikat %(title)s", title=event.title),
        user=_user(),
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id, kembali=back))
