"""Oversized and disguised uploads (course materials, rosters, certificate images, signed PDFs) are refused with a
clear message, and nothing is stored: no row, no file left in the upload folder."""

from io import BytesIO

import pytest
from sqlalchemy import func, select

from lms.certificates.models import CertificateSettings
from lms.courses.models import Material
from lms.events.roster_models import RosterImport
from tests.security.conftest import stored_files

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00" + b"\x00" * 200
PDF_POLYGLOT = b"<html><script>alert(1)</script></html>%PDF-1.4\n%%EOF\n"  # PDF magic not at the start
DISGUISES = [(HTML, "materi.pdf"), (SVG, "gambar.png"), (EXE, "laporan.docx"), (PDF_POLYGLOT, "bahan.pdf")]


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _files_before(upload_dir) -> set:
    return set(stored_files(upload_dir))  # the scene's own two materials and the job result


@pytest.mark.parametrize(("data", "name"), DISGUISES)
def test_disguised_material_is_refused(db, client_as, scene, upload_dir, data, name):
    before_files, before_rows = _files_before(upload_dir), _count(db, Material)
    e, m = scene["event"].id, scene["modules"]["event"].id
    response = client_as(scene["organiser"]).post(
        f"/kelola/acara/{e}/materi/modul/{m}/materi/baru?jenis=file",
        data={"title": "Bahan", "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 400)
    assert "tidak dikenali" in response.get_data(as_text=True)
    assert _count(db, Material) == before_rows
    assert set(stored_files(upload_dir)) == before_files


def test_oversized_material_is_refused(db, app, client_as, scene, upload_dir, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    before_files, before_rows = _files_before(upload_dir), _count(db, Material)
    e, m = scene["event"].id, scene["modules"]["event"].id
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    response = client_as(scene["organiser"]).post(
        f"/kelola/acara/{e}/materi/modul/{m}/materi/baru?jenis=file",
        data={"title": "Besar", "file": (BytesIO(big), "besar.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True)
    assert _count(db, Material) == before_rows
    assert set(stored_files(upload_dir)) == before_files


def test_request_over_the_app_wide_limit_is_cut_off(db, app, client_as, scene, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = client_as(scene["organiser"]).post(
        f"/kelola/acara/{scene['event'].id}/ubah", data={"description": "x" * (128 * 1024)}
    )
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "name"), [(HTML, "peserta.xlsx"), (EXE, "peserta.xlsx"), (b"PK\x03\x04junk", "a.xlsx")]
)
def test_disguised_roster_is_refused(db, client_as, scene, upload_dir, data, name):
    before_files = _files_before(upload_dir)
    response = client_as(scene["organiser"]).post(
        f"/kelola/acara/{scene['event'].id}/impor-peserta",
        data={"file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert _count(db, RosterImport) == 0
    assert set(stored_files(upload_dir)) == before_files


def test_oversized_roster_is_refused(db, app, client_as, scene, upload_dir, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_MAX_UPLOAD_MB", 1)
    big = b"PK\x03\x04" + b"0" * (2 * 1024 * 1024)
    response = client_as(scene["organiser"]).post(
        f"/kelola/acara/{scene['event'].id}/impor-peserta",
        data={"file": (BytesIO(big), "peserta.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (400, 413)
    assert _count(db, RosterImport) == 0


def _settings_form(**files) -> dict:
    return {
        "number_pattern": "800/{seq:04}/BPSDMD/{year}",
        "signatory_name": "Dr. H. Ahmad Fauzi, S.Kom., M.T.",
        "signatory_position": "Kepala BPSDMD",
        "issue_date": "2026-11-22",
        **files,
    }


@pytest.mark.parametrize("field", ["background", "logo", "signature"])
@pytest.mark.parametrize(("data", "name"), [(HTML, "latar.png"), (SVG, "latar.png"), (b"%PDF-1.4\n%%EOF", "latar.jpg")])
def test_disguised_certificate_image_is_refused(db, client_as, scene, upload_dir, field, data, name):
    before_files = _files_before(upload_dir)
    response = client_as(scene["organiser"]).post(
        f"/kelola/acara/{scene['event'].id}/sertifikat/pengaturan",
        data=_settings_form(**{field: (BytesIO(data), name)}),
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 400)
    assert "tidak dikenali" in response.get_data(as_text=True) or "PNG" in response.get_data(as_text=True)
    keys = db.session.execute(
        select(CertificateSettings.background_key, CertificateSettings.logo_key, CertificateSettings.signature_key)
    ).first()
    assert keys is None or keys == (None, None, None)
    assert set(stored_files(upload_dir)) == before_files


def test_oversized_certificate_background_is_refused(db, app, client_as, scene, upload_dir, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    before_files = _files_before(upload_dir)
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024)
    response = client_as(scene["organiser"]).post(
        f"/kelola/acara/{scene['event'].id}/sertifikat/pengaturan",
        data=_settings_form(background=(BytesIO(big), "latar.png")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    keys = db.session.execute(select(CertificateSettings.background_key)).scalars().all()
    assert keys in ([], [None])
    assert set(stored_files(upload_dir)) == before_files


def test_unsigned_file_in_the_signed_pdf_import_is_refused(db, client_as, scene, upload_dir):
    before_files = _files_before(upload_dir)
    response = client_as(scene["organiser"]).post(
        f"/kelola/acara/{scene['event'].id}/sertifikat/tte/impor",
        data={"files": [(BytesIO(HTML), "800-0001-UJI-2026.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 302, 400)
    db.session.expire_all()
    assert all(c.signed_pdf_key is None for c in scene["certificates"].values())
    assert set(stored_files(upload_dir)) == before_files
