"""File checks before parsing: size limit, a real .xlsx, no zip bomb; a header that cannot be found; the template."""

import zipfile
from io import BytesIO

from sqlalchemy import func, select

from lms.events.roster_models import RosterImport
from tests.roster.conftest import build_roster, read_xlsx


def imports(db) -> int:
    return db.session.execute(select(func.count(RosterImport.id))).scalar_one()


def test_non_xlsx_renamed_to_xlsx(db, org_client, event, upload):
    response, batch = upload(org_client, event, b"Nama;NIP\nAhmad;198507152010011003\n", "peserta.xlsx")
    assert response.status_code == 400 and batch is None
    assert "bukan berkas Excel .xlsx" in response.get_data(as_text=True)
    # A zip that is not a workbook (a .docx-like archive) is refused as well.
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
    response, _ = upload(org_client, event, buffer.getvalue(), "daftar.xlsx")
    assert response.status_code == 400 and "bukan berkas Excel .xlsx" in response.get_data(as_text=True)
    assert imports(db) == 0


def test_old_xls_gets_its_own_message(db, org_client, event, upload):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "Workbook".encode("utf-16-le")
    response, _ = upload(org_client, event, data, "peserta.xlsx")
    assert response.status_code == 400 and ".xls" in response.get_data(as_text=True)


def _bomb() -> bytes:
    """A real workbook plus one member that inflates from a few KB to 30 MB."""
    source = zipfile.ZipFile(
        BytesIO(build_roster([(1, "Ahmad", "198507152010011003", "Dinas", None, None, None, None)]))
    )
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        archive.writestr("xl/media/padding.bin", b"\0" * (30 * 1024 * 1024))
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_parsing(db, app, org_client, event, upload, monkeypatch):
    data = _bomb()
    assert len(data) < 200 * 1024
    response, batch = upload(org_client, event, data)
    assert response.status_code == 400 and batch is None
    assert "zip bomb" in response.get_data(as_text=True)
    # The total uncompressed size counts too, whatever the ratio.
    monkeypatch.setitem(app.config, "ROSTER_MAX_UNCOMPRESSED_MB", 0)
    response, _ = upload(org_client, event, build_roster([]))
    assert response.status_code == 400 and "zip bomb" in response.get_data(as_text=True)
    assert imports(db) == 0


def test_size_limit(db, app, org_client, event, upload, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_MAX_UPLOAD_MB", 0)
    response, batch = upload(org_client, event, build_roster([]))
    assert batch is None and response.status_code in (400, 413)
    assert imports(db) == 0


def test_header_not_found(db, org_client, event, upload):
    data = build_roster([("Ahmad", "x")], headers=["Kolom A", "Kolom B"])
    response, batch = upload(org_client, event, data)
    assert response.status_code == 400 and batch is None
    assert "Baris judul kolom tidak ditemukan" in response.get_data(as_text=True)


def test_empty_upload_field(db, org_client, event):
    response = org_client.post(f"/kelola/acara/{event.id}/impor-peserta", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Pilih berkas" in response.get_data(as_text=True)


def test_template_round_trip(db, org_client, event, upload):
    response = org_client.get(f"/kelola/acara/{event.id}/impor-peserta/templat.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = read_xlsx(response.data)
    assert sheet[0][0] == f"Daftar Peserta: {event.title}"
    assert "Nama Lengkap (beserta gelar)" in sheet[3]
    response, batch = upload(org_client, event, response.data, "templat-peserta.xlsx")
    assert batch is not None and batch.header_row == 4 and batch.rows == []
    assert set(batch.headers) >= {"NIP", "NIK", "Instansi/OPD", "E-mail"}
