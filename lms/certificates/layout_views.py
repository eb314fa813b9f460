"""Organiser: the certificate template editor (tata letak): every field's position, size, font, alignment and
visibility; a preview with sample data rendered from the values on the page (saved or not); reset to default."""

import base64
from io import BytesIO

import pypdfium2
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.auth.permissions import get_managed_event_or_404, role_required
from lms.certificates import documents, layout, operations, queries
from lms.certificates.forms import ConfirmForm
from lms.certificates.models import CertificateKind
from lms.certificates.views import MANAGE, MANAGERS, _pdf_response, bp
from lms.events.operations import OperationError
from lms.extensions import db

LAYOUT = MANAGE + "/tata-letak"
PREVIEW_SCALE = 1.0  # 842 x 595 px


def _current(event) -> dict:
    settings = queries.settings_for(event)
    if settings is not None and settings.layout:
        return settings.layout
    return layout.default_layout(with_logo=bool(settings and settings.logo_key))


def _kind() -> CertificateKind:
    return CertificateKind.attendance if request.values.get("jenis") == "kehadiran" else CertificateKind.completion


def _editor(event, values: dict, errors: list[str] | None = None, status: int = 200):
    settings = queries.settings_for(event)
    return (
        render_template(
            "certificates/layout.html",
            event=event,
            values=values,
            errors=errors or [],
            fields=layout.FIELDS,
            fonts=layout.FONTS,
            aligns=layout.ALIGNS,
            labels=layout.PROPERTY_LABELS,
            custom=bool(settings and settings.layout),
            form=ConfirmForm(formdata=None),
        ),
        status,
    )


def _posted_layout() -> tuple[dict | None, list[str]]:
    """The layout in the posted form, validated (nothing is saved here), or the reasons it was refused."""
    try:
        return layout.validate_layout(layout.layout_from_form(request.form)), []
    except layout.LayoutError as exc:
        return None, exc.errors


def _csrf_ok() -> bool:
    if ConfirmForm().validate_on_submit():
        return True
    flash(_("Sesi formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."), "error")
    return False


@bp.get(LAYOUT)
@role_required(*MANAGERS)
def layout_editor(event_id: int):
    event = get_managed_event_or_404(event_id)
    return _editor(event, _current(event))


@bp.post(LAYOUT)
@role_required(*MANAGERS)
def layout_save(event_id: int):
    event = get_managed_event_or_404(event_id)
    if not _csrf_ok():
        return redirect(url_for(".layout_editor", event_id=event.id))
    clean, errors = _posted_layout()
    if errors:
        flash(_("Tata letak belum disimpan: periksa isian yang ditandai."), "error")
        return _editor(event, _raw_values(), errors, 400)
    try:
        operations.save_layout(event, clean)
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        return _editor(event, _raw_values(), [str(exc)], 400)
    flash(_("Tata letak sertifikat disimpan."), "success")
    return redirect(url_for(".layout_editor", event_id=event.id))


@bp.post(LAYOUT + "/bawaan")
@role_required(*MANAGERS)
def layout_reset(event_id: int):
    event = get_managed_event_or_404(event_id)
    if _csrf_ok():
        operations.save_layout(event, None)
        db.session.commit()
        flash(_("Tata letak dikembalikan ke bawaan."), "success")
    return redirect(url_for(".layout_editor", event_id=event.id))


def _raw_values() -> dict:
    """The posted values as typed (to show them again next to the errors), over the defaults."""
    values = layout.default_layout()
    for key, props in layout.layout_from_form(request.form).items():
        if key in values:
            values[key] = {**values[key], **props, "visible": bool(props.get("visible"))}
    return values


def _sample_pdf(event, values: dict) -> bytes:
    settings = queries.settings_for(event)
    default = values == layout.default_layout(with_logo=bool(settings and settings.logo_key))
    return documents.Renderer(event, layout=None if default else values).sample(_kind())


@bp.post(LAYOUT + "/pratinjau.pdf")
@role_required(*MANAGERS)
def layout_preview(event_id: int):
    """The sample certificate drawn with the posted (unsaved) layout, as a PDF shown in the browser."""
    event = get_managed_event_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        return Response(_("Sesi formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."), 400, mimetype="text/plain")
    clean, errors = _posted_layout()
    if errors:
        return Response("\n".join(errors), 400, mimetype="text/plain")
    return _pdf_response(_sample_pdf(event, clean), "pratinjau-sertifikat.pdf", inline=True)


@bp.post(LAYOUT + "/pratinjau")
@role_required(*MANAGERS)
def layout_preview_image(event_id: int):
    """htmx: page 1 of the sample certificate from the posted (unsaved) layout as an image, or the errors (answered
    with 200: htmx does not swap error responses in, and the errors are what the preview must show)."""
    event = get_managed_event_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        return render_template("certificates/_layout_preview.html", errors=[_("Sesi formulir kedaluwarsa.")])
    clean, errors = _posted_layout()
    if errors:
        return render_template("certificates/_layout_preview.html", errors=errors)
    return render_template("certificates/_layout_preview.html", image=_png_data_url(_sample_pdf(event, clean)))


@bp.get(MANAGE + "/pratinjau.pdf")
@role_required(*MANAGERS)
def saved_preview(event_id: int):
    """The sample certificate with the saved settings and layout (seen before issuing)."""
    event = get_managed_event_or_404(event_id)
    return _pdf_response(documents.Renderer(event).sample(_kind()), "pratinjau-sertifikat.pdf", inline=True)


def _png_data_url(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=PREVIEW_SCALE).to_pil()
    finally:
        document.close()
    out = BytesIO()
    image.save(out, "PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")
