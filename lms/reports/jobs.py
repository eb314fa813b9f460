"""The event recap as a background job (lms.jobs), for events too big to build within a request."""

import tempfile

from flask_babel import lazy_gettext as _l

from lms.events.models import Event
from lms.extensions import db
from lms.jobs import JobError
from lms.reports.event_recap import event_recap_workbook

SPOOL_BYTES = 8 * 1024 * 1024


def event_recap(progress, event_id: int):
    """``(stream, file name)`` of the event's recap workbook; progress counts the sheets written."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise JobError(_l("Acara tidak ditemukan."))
    wb = event_recap_workbook(event, progress=progress)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    wb.save(out)
    out.seek(0)
    return out, f"rekap-acara-{event.id}.xlsx"
