"""The template editor: layouts validated server side (nothing saved when refused), the preview drawn from the
unsaved values (read back with pdfplumber: a moved field is where it was moved), saving, reset to default."""

import base64
from io import BytesIO

import pdfplumber
import pytest
from PIL import Image

from lms.auth.models import Role
from lms.certificates import documents, operations
from lms.certificates.layout import FIELDS, MM, LayoutError, default_layout, validate_layout
from lms.certificates.models import CertificateSettings
from lms.certificates.pdf import PAGE_H

SAMPLE_NAME = documents.SAMPLE_HOLDER[0]
BASE = "https://lms.bpsdmd.example.go.id"


def _form(layout: dict) -> dict:
    """The editor's form fields for ``layout`` (a checkbox is only sent when ticked)."""
    data = {}
    for key, props in layout.items():
        for prop, value in props.items():
            if prop == "visible":
                if value:
                    data[f"{key}.visible"] = "y"
            else:
                data[f"{key}.{prop}"] = str(value)
    return data


def _layout(**changes) -> dict:
    layout = default_layout()
    for key, props in changes.items():
        layout[key] = {**layout[key], **props}
    return layout


def _words(body: bytes, text: str) -> list[dict]:
    """The characters of the first occurrence of ``text`` on page 1, with their glyph origins."""
    with pdfplumber.open(BytesIO(body)) as pdf:
        chars = pdf.pages[0].chars
    joined = "".join(c["text"] for c in chars)
    start = joined.index(text)
    return chars[start : start + len(text)]


def _text(body: bytes) -> str:
    with pdfplumber.open(BytesIO(body)) as pdf:
        return pdf.pages[0].extract_text()


def _settings(db, event) -> CertificateSettings:
    db.session.expire_all()
    return db.session.query(CertificateSettings).filter_by(event_id=event.id).one()


def test_bad_values_are_refused_with_indonesian_messages_and_nothing_is_saved(db, setup, client_as):
    organiser, event, _users = setup(n=1)
    data = _form(default_layout())
    data.update({"holder_name.x": "-5", "title.size": "500", "number.font": "Comic Sans", "facts.align": "justify"})
    data.update({"qr.width": "abc", "stempel.x": "10", "logo.x": "280"})  # unknown field; logo box past the edge
    response = client_as(organiser).post(f"/kelola/acara/{event.id}/sertifikat/tata-letak", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "Nama peserta: posisi X harus antara 0 dan 297.",
        "Judul sertifikat: ukuran huruf harus antara 4 dan 72.",
        "Nomor sertifikat: jenis huruf tidak dikenal.",
        "perataan harus kiri, tengah, atau kanan.",
        "Kode QR: lebar harus berupa angka.",
        "Bagian tata letak tidak dikenal: stempel.",
        "Logo: kotaknya melewati tepi halaman",
    ):
        assert message in html
    assert 'value="-5"' in html  # the typed values are shown again next to the errors
    assert _settings(db, event).layout is None


def test_unknown_property_and_wrong_types_refused():
    with pytest.raises(LayoutError) as error:
        validate_layout({"holder_name": {**default_layout()["holder_name"], "color": "red"}})
    assert "isian \u201ccolor\u201d tidak dikenal" in str(error.value)
    with pytest.raises(LayoutError):
        validate_layout({"holder_name": "besar"})
    with pytest.raises(LayoutError):
        validate_layout({"title": {**default_layout()["title"], "font": ["Helvetica"], "align": {}}})
    with pytest.raises(LayoutError):
        validate_layout({"qr": {**default_layout()["qr"], "width": "nan"}})
    assert validate_layout({}) == default_layout()


def test_preview_draws_the_unsaved_layout(db, setup, client_as):
    organiser, event, _users = setup(n=1)
    moved = _layout(holder_name={"x": 20.0, "y": 150.0, "width": 120.0, "align": "left", "font": "Times-Bold"})
    moved["statement"]["visible"] = False
    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/sertifikat/tata-letak/pratinjau.pdf", data=_form(moved)
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    chars = _words(response.data, SAMPLE_NAME)
    first = chars[0]
    assert first["x0"] == pytest.approx(20 * MM, abs=0.5)  # left-aligned at x = 20 mm
    assert first["matrix"][5] == pytest.approx(PAGE_H - 150 * MM, abs=0.2)  # baseline 150 mm from the top
    assert "Times-Bold" in first["fontname"]
    with pdfplumber.open(BytesIO(response.data)) as pdf:
        text = pdf.pages[0].extract_text()
    assert "telah mengikuti" not in text  # hidden field
    assert "Nomor: 800/0123/BPSDMD/2026" in text  # sample data, nothing numbered
    assert _settings(db, event).layout is None  # a preview saves nothing
    attendance = client_as(organiser).post(
        f"/kelola/acara/{event.id}/sertifikat/tata-letak/pratinjau.pdf", data={**_form(moved), "jenis": "kehadiran"}
    )
    assert "SERTIFIKAT KEHADIRAN" in _text(attendance.data)
    assert _settings(db, event).event.id == event.id


def test_preview_image_for_htmx(db, setup, client_as):
    organiser, event, _users = setup(n=1)
    url = f"/kelola/acara/{event.id}/sertifikat/tata-letak/pratinjau"
    html = client_as(organiser).post(url, data=_form(default_layout())).get_data(as_text=True)
    encoded = html.split('src="data:image/png;base64,')[1].split('"')[0]
    image = Image.open(BytesIO(base64.b64decode(encoded)))
    assert image.size[0] > image.size[1] > 500  # A4 landscape
    bad = client_as(organiser).post(url, data={**_form(default_layout()), "title.size": "1"})
    assert "ukuran huruf harus antara 4 dan 72" in bad.get_data(as_text=True) and "data:image" not in bad.get_data(
        as_text=True
    )


def test_saved_layout_is_used_for_issued_certificates_and_reset_restores_default(db, app, setup, client_as):
    organiser, event, _users = setup(n=1)
    client = client_as(organiser)
    moved = _layout(number={"x": 10.0, "y": 20.0, "width": 100.0, "align": "left", "size": 9.0, "font": "Courier"})
    response = client.post(f"/kelola/acara/{event.id}/sertifikat/tata-letak", data=_form(moved))
    assert response.status_code == 302
    assert _settings(db, event).layout["number"]["font"] == "Courier"
    editor = client.get(f"/kelola/acara/{event.id}/sertifikat/tata-letak").get_data(as_text=True)
    assert 'name="number.font"' in editor and '<option value="Courier" selected>' in editor
    (certificate,) = operations.issue_certificates(event, organiser)
    db.session.commit()
    with app.test_request_context(base_url=BASE):
        body = documents.certificate_pdf(certificate)
    first = _words(body, "Nomor: 800/0001")[0]
    assert first["x0"] == pytest.approx(10 * MM, abs=0.5) and "Courier" in first["fontname"]
    assert first["matrix"][5] == pytest.approx(PAGE_H - 20 * MM, abs=0.2)
    client.post(f"/kelola/acara/{event.id}/sertifikat/tata-letak/bawaan")
    assert _settings(db, event).layout is None


def test_default_values_describe_the_default_page(db, app, setup):
    """Drawn from the editor's default values, every field lands where the default page puts it."""
    _organiser, event, _users = setup(n=1)
    with app.test_request_context(base_url=BASE):
        flowing = documents.Renderer(event, layout=None).sample()
        placed = documents.Renderer(event, layout=default_layout()).sample()
    for text in (SAMPLE_NAME, "Nomor: 800/0123", "diberikan kepada", "Diterbitkan tanggal", "Kepala BPSDMD"):
        a, b = _words(flowing, text)[0], _words(placed, text)[0]
        assert (a["x0"], a["matrix"][5], a["size"]) == pytest.approx((b["x0"], b["matrix"][5], b["size"]), abs=0.2)


def test_saving_the_default_values_keeps_the_default_layout(db, setup, client_as):
    organiser, event, _users = setup(n=1)
    client_as(organiser).post(f"/kelola/acara/{event.id}/sertifikat/tata-letak", data=_form(default_layout()))
    assert _settings(db, event).layout is None


def test_long_name_shrinks_into_its_box(db, app, setup):
    _organiser, event, (user,) = setup(n=1)
    layout = _layout(holder_name={"x": 100.0, "y": 90.0, "width": 80.0, "size": 30.0})
    name = "Prof. Dr. Ir. H. Muhammad Abdurrahman Wicaksono, S.Kom., M.T., M.Sc."
    user.name = name
    db.session.commit()
    operations.save_layout(event, layout)
    (certificate,) = operations.issue_certificates(event, _organiser)
    db.session.commit()
    with app.test_request_context(base_url=BASE):
        body = documents.certificate_pdf(certificate)
    chars = _words(body, name)
    assert chars[0]["x0"] >= 100 * MM - 0.5 and chars[-1]["x1"] <= 180 * MM + 0.5
    assert chars[0]["size"] < 30


def test_every_field_is_offered_and_strangers_get_404(db, setup, make_user, client_as):
    organiser, event, (participant,) = setup(n=1)
    html = client_as(organiser).get(f"/kelola/acara/{event.id}/sertifikat/tata-letak").get_data(as_text=True)
    for key in FIELDS:
        assert f'name="{key}.x"' in html
    saved = client_as(organiser).get(f"/kelola/acara/{event.id}/sertifikat/pratinjau.pdf")
    assert saved.status_code == 200 and SAMPLE_NAME in _text(saved.data)
    stranger = make_user(role=Role.organiser)
    for url in ("tata-letak", "pratinjau.pdf"):
        assert client_as(stranger).get(f"/kelola/acara/{event.id}/sertifikat/{url}").status_code == 404
    response = client_as(stranger).post(
        f"/kelola/acara/{event.id}/sertifikat/tata-letak/pratinjau.pdf", data=_form(default_layout())
    )
    assert response.status_code == 404
    assert client_as(participant).get(f"/kelola/acara/{event.id}/sertifikat/tata-letak").status_code == 403


def test_previews_leave_no_audit_entry_but_saving_does(db, setup, client_as):
    """The preview is asked for on every change in the editor: it changes nothing, so it is not audited."""
    from sqlalchemy import select

    from lms.audit.models import AuditEntry

    organiser, event, _users = setup(n=1)
    http = client_as(organiser)
    base = f"/kelola/acara/{event.id}/sertifikat/tata-letak"
    assert http.post(base + "/pratinjau", data=_form(default_layout())).status_code == 200
    assert http.post(base + "/pratinjau.pdf", data=_form(default_layout())).status_code == 200
    assert http.post(base, data=_form(_layout(holder_name={"y": 90}))).status_code == 302
    db.session.expire_all()
    endpoints = [e.endpoint for e in db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]
    assert endpoints == ["certificates.layout_save"]
