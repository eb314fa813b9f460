"""Uploads: the type comes from the content, the size is limited, names are made safe, files are kept outside
static/ under generated names and sent back with their original name."""

import io
from urllib.parse import quote

import pytest
from sqlalchemy import select

from lms.courses.models import Material, MaterialKind
from lms.storage import LocalStorage, get_storage
from lms.uploads import DOC, DOCX, GIF, JPEG, PDF, PNG, PPT, PPTX, WEBP, XLSX, safe_filename, sniff
from tests.courses.conftest import (
    DOC_BYTES,
    DOCX_BYTES,
    HTML_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    PPT_BYTES,
    PPTX_BYTES,
    XLSX_BYTES,
    ooxml_bytes,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF_BYTES, PDF),
        (PNG_BYTES, PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", JPEG),
        (b"GIF89a\x01\x00", GIF),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", WEBP),
        (DOCX_BYTES, DOCX),
        (PPTX_BYTES, PPTX),
        (XLSX_BYTES, XLSX),
        (DOC_BYTES, DOC),
        (PPT_BYTES, PPT),
        (HTML_BYTES, None),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", None),
        (b"MZ\x90\x00", None),  # a Windows program
        (ooxml_bytes("word/document.xml", "wordprocessingml.document.macroEnabled.main"), None),  # .docm
        (b"PK\x03\x04 not really a zip", None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, None),  # OLE, but no Office stream
    ],
)
def test_type_is_read_from_the_content(data, expected):
    assert sniff(io.BytesIO(data)) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../laporan akhir 報告.pdf", "laporan akhir 報告.pdf"),
        ("C:\\Users\\siti\\Desktop\\Materi Sesi 1.pptx", "Materi Sesi 1.pptx"),
        ("..", "berkas"),
        ("", "berkas"),
        ('bad<>:"|?*\x00\x1fname.pdf', "badname.pdf"),
        ("   .hidden.pdf  ", "hidden.pdf"),
        ("Ανάλυση δεδομένων.docx", "Ανάλυση δεδομένων.docx"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_safe_filename(given, expected):
    assert safe_filename(given) == expected


def test_local_storage_round_trip(tmp_path):
    storage = LocalStorage(tmp_path)
    key = storage.save(io.BytesIO(b"isi berkas"), "../../laporan.pdf")
    assert key.endswith(".pdf") and ".." not in key and "laporan" not in key
    assert storage.size(key) == 10
    with storage.open(key) as f:
        assert f.read() == b"isi berkas"
    assert list(tmp_path.rglob("*")) and all(".upload-" not in p.name for p in tmp_path.rglob("*"))
    storage.delete(key)
    storage.delete(key)  # twice is fine
    with pytest.raises(FileNotFoundError):
        storage.open(key)
    with pytest.raises(FileNotFoundError):
        storage.open("../../etc/passwd")


def test_upload_is_stored_under_a_generated_name_and_downloaded_with_the_original(
    app, db, event, make_module, upload, participant, client_as, upload_dir
):
    module = make_module(event, "Pengantar")
    response = upload(event, module, PDF_BYTES, "../../laporan akhir 報告.pdf")
    assert response.status_code == 302
    material = db.session.execute(select(Material)).scalar_one()
    assert material.kind is MaterialKind.file
    assert (material.original_name, material.mimetype, material.size) == (
        "laporan akhir 報告.pdf",
        "application/pdf",
        len(PDF_BYTES),
    )
    stored = list(upload_dir.rglob("*.pdf"))
    assert len(stored) == 1 and "laporan" not in str(stored[0]) and "static" not in str(stored[0])
    assert stored[0].read_bytes() == PDF_BYTES

    response = client_as(participant).get(f"/pelatihan/{event.id}/materi/{material.id}/unduh")
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=UTF-8''{quote('laporan akhir 報告.pdf')}" in disposition


def test_html_renamed_to_pdf_is_refused(db, event, make_module, upload, upload_dir):
    module = make_module(event)
    response = upload(event, module, HTML_BYTES, "materi.pdf")
    assert response.status_code == 200
    assert "Isi berkas tidak dikenali" in response.get_data(as_text=True)
    assert db.session.execute(select(Material)).first() is None
    assert not [p for p in upload_dir.rglob("*") if p.is_file()]


def test_over_size_file_is_refused_with_413(app, db, event, make_module, upload, upload_dir):
    module = make_module(event)
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        too_big = PDF_BYTES + b"0" * (1024 * 1024)
        response = upload(event, module, too_big, "besar.pdf")  # within the request limit, over the file limit
        assert response.status_code == 413
        text = response.get_data(as_text=True)
        assert "Berkas terlalu besar" in text and "1 MB" in text
        response = upload(event, module, too_big + b"0" * (200 * 1024), "lebih-besar.pdf")  # cut off unread
        assert response.status_code == 413
        assert "paling besar 1 MB" in response.get_data(as_text=True)
    finally:
        app.config["MAX_UPLOAD_MB"] = 20
    assert db.session.execute(select(Material)).first() is None
    assert not [p for p in upload_dir.rglob("*") if p.is_file()]


def test_extension_follows_the_content(db, event, make_module, upload):
    module = make_module(event)
    assert upload(event, module, PNG_BYTES, "diagram.pdf").status_code == 302
    assert upload(event, module, DOCX_BYTES, "panduan").status_code == 302
    names = db.session.execute(select(Material.original_name, Material.mimetype).order_by(Material.id)).all()
    assert names == [
        ("diagram.pdf.png", "image/png"),
        ("panduan.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]


def test_replacing_a_file_keeps_progress_and_removes_the_old_file(
    app, db, event, make_module, upload, participant, client_as, organiser, upload_dir
):
    module = make_module(event)
    upload(event, module, PDF_BYTES, "versi-1.pdf")
    material = db.session.execute(select(Material)).scalar_one()
    old_key = material.storage_key
    client_as(participant).get(f"/pelatihan/{event.id}/materi/{material.id}/unduh")

    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/materi/{material.id}/ubah",
        data={"title": "Bahan tayang (revisi)", "file": (io.BytesIO(PPTX_BYTES), "versi-2.pptx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(material)
    assert material.storage_key != old_key
    assert (material.title, material.original_name) == ("Bahan tayang (revisi)", "versi-2.pptx")
    storage = get_storage(app)
    assert storage.size(material.storage_key) == len(PPTX_BYTES)
    with pytest.raises(FileNotFoundError):
        storage.size(old_key)
    page = client_as(participant).get(f"/pelatihan/{event.id}/materi").get_data(as_text=True)
    assert "1 dari 1 materi selesai" in page

    # Editing without a new file keeps the current one.
    client_as(organiser).post(
        f"/kelola/acara/{event.id}/materi/{material.id}/ubah",
        data={"title": "Bahan tayang final"},
        content_type="multipart/form-data",
    )
    db.session.refresh(material)
    assert (material.title, material.original_name) == ("Bahan tayang final", "versi-2.pptx")


def test_deleting_a_material_removes_its_file(app, db, event, make_module, upload, organiser, client_as, upload_dir):
    module = make_module(event)
    upload(event, module, PDF_BYTES, "a.pdf")
    material = db.session.execute(select(Material)).scalar_one()
    response = client_as(organiser).post(f"/kelola/acara/{event.id}/materi/{material.id}/hapus")
    assert response.status_code == 302
    assert db.session.execute(select(Material)).first() is None
    assert not [p for p in upload_dir.rglob("*") if p.is_file()]


def test_files_follow_the_transaction(app, db, upload_dir):
    from lms.storage import delete_after_commit, discard_on_rollback

    storage = get_storage(app)

    def exists(key: str) -> bool:
        try:
            storage.size(key)
        except FileNotFoundError:
            return False
        return True

    written = storage.save(io.BytesIO(b"baru"), "a.pdf")
    discard_on_rollback(db.session, written)
    db.session.rollback()
    assert not exists(written)

    abandoned = storage.save(io.BytesIO(b"baru"), "b.pdf")
    discard_on_rollback(db.session, abandoned)
    db.session.close()  # the request ended without a commit
    assert not exists(abandoned)

    kept = storage.save(io.BytesIO(b"baru"), "c.pdf")
    discard_on_rollback(db.session, kept)
    db.session.commit()
    assert exists(kept)
    delete_after_commit(db.session, kept)
    db.session.rollback()
    assert exists(kept)  # the change that dropped it did not happen
    delete_after_commit(db.session, kept)
    db.session.commit()
    assert not exists(kept)
