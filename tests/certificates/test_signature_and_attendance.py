"""The signature image (checked by content and size, stored under a generated name, drawn in the signatory
block) and the certificate of attendance (own title and number pattern, the same yearly sequence)."""

import os
from io import BytesIO

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from lms.certificates import criteria, documents, operations
from lms.certificates.models import Certificate, CertificateKind, CertificateSettings
from lms.storage import get_storage

BASE = "https://lms.bpsdmd.example.go.id"


def _png(size=(300, 120), noise=False) -> bytes:
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    for x in range(20, size[0] - 20):
        image.putpixel((x, size[1] // 2 + (x % 7)), (0, 0, 120, 255))
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))  # does not compress
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _settings_form(**extra) -> dict:
    return {
        "number_pattern": "800/{seq:04}/BPSDMD/{year}",
        "signatory_name": "Dr. H. Ahmad Fauzi, S.Kom., M.T.",
        "signatory_position": "Kepala BPSDMD",
        "issue_date": "2026-11-22",
        **extra,
    }


def _image_xobjects(body: bytes, page: int = 0) -> list:
    resources = PdfReader(BytesIO(body)).pages[page]["/Resources"]
    xobjects = resources.get("/XObject", {})
    return [xobjects[name].get_object() for name in xobjects if xobjects[name].get_object()["/Subtype"] == "/Image"]


@pytest.mark.parametrize("custom_layout", [False, True])
def test_uploaded_signature_is_stored_and_drawn(db, app, setup, client_as, storage_dir, custom_layout):
    organiser, event, _users = setup(n=1)
    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/sertifikat/pengaturan",
        data=_settings_form(signature=(BytesIO(_png()), "../../ttd kepala.png")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    settings = db.session.execute(select(CertificateSettings)).scalar_one()
    key = settings.signature_key
    assert key and "ttd kepala" not in key and ".." not in key  # a generated name
    with get_storage().open(key) as stream:
        assert stream.read() == _png()
    if custom_layout:
        from lms.certificates.layout import default_layout

        layout = default_layout()
        layout["signature"].update(x=20.0, y=20.0)
        operations.save_layout(event, layout)
    (certificate,) = operations.issue_certificates(event, organiser)
    db.session.commit()
    with app.test_request_context(base_url=BASE):
        body = documents.certificate_pdf(certificate)
    (image,) = _image_xobjects(body)
    assert (image["/Width"], image["/Height"]) == (300, 120)
    assert _image_xobjects(body, 1) == []  # page 2 has none


def test_bad_signature_images_are_refused(db, setup, client_as, storage_dir):
    organiser, event, _users = setup(n=1)
    client = client_as(organiser)
    url = f"/kelola/acara/{event.id}/sertifikat/pengaturan"
    cases = [
        (b"\x89PNG\r\n\x1a\n" + b"bukan gambar" * 50, "ttd.png", "Gambar rusak atau tidak dapat dibaca"),
        (b"%PDF-1.4 tanda tangan", "ttd.png", "Gambar harus berupa PNG atau JPEG"),
        (_png((1400, 1000), noise=True), "ttd.png", "Gambar tanda tangan terlalu besar"),
    ]
    for content, name, message in cases:
        response = client.post(url, data=_settings_form(signature=(BytesIO(content), name)))
        assert message in response.get_data(as_text=True), message
    settings = db.session.execute(select(CertificateSettings)).scalar_one()
    assert settings.signature_key is None
    assert not storage_dir.exists() or not any(p.is_file() for p in storage_dir.rglob("*"))  # nothing half-stored


def test_attendance_certificate_for_attendees_who_did_not_pass(db, app, setup, providers, client_as):
    organiser, event, (passed, attended, absent) = setup(
        n=3,
        issue_attendance=True,
        attendance_title="SURAT KETERANGAN MENGIKUTI",
        attendance_pattern="800/{seq:04}/KHD/{year}",
    )
    providers(criteria.ATTENDANCE_SESSIONS, {passed.id: 100, attended.id: 50, absent.id: 0})
    providers(criteria.POST_TEST, {passed.id: 90, attended.id: 95, absent.id: 99})
    operations.save_rule(event, min_attendance=80, min_post_test=70)
    created = operations.issue_certificates(event, organiser)
    db.session.commit()
    by_user = {c.user_id: c for c in created}
    assert set(by_user) == {passed.id, attended.id}  # the absent participant gets nothing
    assert by_user[passed.id].kind is CertificateKind.completion
    assert by_user[attended.id].kind is CertificateKind.attendance
    numbers = sorted(c.number for c in created)
    assert numbers == ["800/0001/BPSDMD/2026", "800/0002/KHD/2026"]  # one sequence, each kind its own pattern
    with app.test_request_context(base_url=BASE):
        text = PdfReader(BytesIO(documents.certificate_pdf(by_user[attended.id]))).pages[0].extract_text()
        passed_text = PdfReader(BytesIO(documents.certificate_pdf(by_user[passed.id]))).pages[0].extract_text()
    assert "SURAT KETERANGAN MENGIKUTI" in text and "telah hadir dan mengikuti" in text and "LULUS" not in text
    assert "SURAT KETERANGAN" not in passed_text and "dinyatakan LULUS" in passed_text
    page = client_as(organiser).get(f"/verifikasi/{by_user[attended.id].code}").get_data(as_text=True)
    assert "Sertifikat Kehadiran" in page and "bukan pernyataan lulus" in page
    page = client_as(organiser).get(f"/verifikasi/{by_user[passed.id].code}").get_data(as_text=True)
    assert "bukan pernyataan lulus" not in page


def test_attendance_pattern_is_validated(db, setup, client_as):
    organiser, event, _users = setup(n=1)
    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/sertifikat/pengaturan", data=_settings_form(attendance_pattern="KHD/{nomor}")
    )
    assert "tidak dikenal" in response.get_data(as_text=True)
    assert db.session.execute(select(CertificateSettings.attendance_pattern)).scalar_one() is None
    assert db.session.execute(select(Certificate)).first() is None
