"""Electronic signature (TTE): export the PDFs for signing, import the signed ones, serve and verify them."""

import zipfile
from io import BytesIO

from sqlalchemy import select

from lms import jobs
from lms.certificates import operations, signing
from lms.certificates.models import Certificate
from lms.jobs_models import Job, JobStatus


def _issue(db, organiser, event):
    created = operations.issue_certificates(event, organiser)
    db.session.commit()
    return sorted(created, key=lambda c: c.number)


def signed_pdf(marker: str) -> bytes:
    """What a signing service returns: a PDF with a signature dictionary (a /ByteRange)."""
    return b"%PDF-1.7\n% " + marker.encode() + b"\n<< /Type /Sig /ByteRange [0 10 20 30] >>\n%%EOF\n"


def _zip(entries: dict[str, bytes]) -> BytesIO:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def test_names_and_matching():
    certificate = Certificate(number="800/0012/BPSDMD/2026")
    assert signing.export_name(certificate) == "800-0012-BPSDMD-2026.pdf"
    for name in ("800-0012-BPSDMD-2026.pdf", "800-0012-bpsdmd-2026_signed.pdf", "sertifikat-800-0012-BPSDMD-2026.pdf"):
        assert signing.file_key(name) == signing.number_key(certificate.number)
    assert signing.file_key("../../800_0012_BPSDMD_2026 (TTE).PDF") == "800-0012-bpsdmd-2026"


def test_export_job_holds_the_unsigned_pdfs_named_by_number(db, setup, client_as, storage_dir):
    organiser, event, _users = setup(n=2)
    first, second = _issue(db, organiser, event)
    first.signed_pdf_key = "2026/11/" + "a" * 32 + ".pdf"
    db.session.commit()
    client = client_as(organiser)
    response = client.post(f"/kelola/acara/{event.id}/sertifikat/tte/ekspor")
    assert "/pekerjaan/" in response.headers["Location"]
    jobs.join_threads()
    job = db.session.execute(select(Job)).scalar_one()
    assert job.status is JobStatus.finished and job.result_name == f"tte-acara-{event.id}.zip"
    archive = zipfile.ZipFile(BytesIO(client.get(f"/pekerjaan/{job.id}/unduh").data))
    assert archive.namelist() == ["800-0002-BPSDMD-2026.pdf"]
    assert archive.read("800-0002-BPSDMD-2026.pdf").startswith(b"%PDF")


def test_import_signed_pdfs_reports_per_file_and_serves_the_signed_file(db, setup, client_as, client, storage_dir):
    organiser, event, (a, b, c) = setup(n=3)
    first, second, third = _issue(db, organiser, event)
    operations.revoke(third, "Salah nama peserta", organiser)
    db.session.commit()
    upload = {
        "files": [
            (
                _zip(
                    {"800-0001-BPSDMD-2026_signed.pdf": signed_pdf("satu"), "800-0099-BPSDMD-2026.pdf": signed_pdf("x")}
                ),
                "ditandatangani.zip",
            ),
            (BytesIO(signed_pdf("dua")), "800-0002-BPSDMD-2026.pdf"),
            (BytesIO(b"<html>bukan pdf</html>"), "800-0002-BPSDMD-2026-tte.pdf"),
            (BytesIO(b"%PDF-1.4 unsigned"), "sertifikat-800-0001-BPSDMD-2026.pdf"),
            (BytesIO(signed_pdf("tiga")), "800-0003-BPSDMD-2026.pdf"),
        ]
    }
    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/sertifikat/tte/impor", data=upload, content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "2 dari 6 berkas disimpan." in html
    assert "ditandatangani.zip: 800-0099-BPSDMD-2026.pdf" in html and "Nomor sertifikat tidak dikenal" in html
    assert "Isi berkas bukan PDF." in html and "PDF ini belum bertanda tangan elektronik." in html
    assert "Sertifikat 800/0003/BPSDMD/2026 sudah dicabut." in html
    assert "2 dari 2 sertifikat sudah ditandatangani" in html
    db.session.expire_all()
    assert first.signed_at and second.signed_at and third.signed_pdf_key is None
    holder = next(u for u in (a, b, c) if u.id == first.user_id)
    assert client_as(holder).get(f"/sertifikat-saya/{first.id}.pdf").data == signed_pdf("satu")
    assert client_as(organiser).get(f"/kelola/acara/{event.id}/sertifikat/{second.id}.pdf").data == signed_pdf("dua")
    verify = client.get(f"/verifikasi/{first.code}").get_data(as_text=True)
    assert "Sertifikat ini SAH" in verify and "Ditandatangani secara elektronik (TTE)" in verify
    assert "Ditandatangani secara elektronik" not in client.get(f"/verifikasi/{third.code}").get_data(as_text=True)


def test_reimport_replaces_the_signed_file_and_removes_the_old_one(db, setup, client_as, storage_dir):
    organiser, event, _users = setup(n=1)
    (certificate,) = _issue(db, organiser, event)
    client, url = client_as(organiser), f"/kelola/acara/{event.id}/sertifikat/tte/impor"
    for marker in ("lama", "baru"):
        files = {"files": [(BytesIO(signed_pdf(marker)), "800-0001-BPSDMD-2026.pdf")]}
        client.post(url, data=files, content_type="multipart/form-data")
    db.session.expire_all()
    stored = [p for p in storage_dir.rglob("*.pdf")]
    assert len(stored) == 1 and stored[0].read_bytes() == signed_pdf("baru")
    assert db.session.get(Certificate, certificate.id).signed_pdf_key.endswith(stored[0].name)


def test_import_without_files_and_broken_zip(db, setup, client_as, storage_dir):
    organiser, event, _users = setup(n=1)
    _issue(db, organiser, event)
    client, url = client_as(organiser), f"/kelola/acara/{event.id}/sertifikat/tte/impor"
    empty = client.post(url, data={}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "Pilih berkas yang akan diunggah." in empty.get_data(as_text=True)
    broken = client.post(
        url, data={"files": [(BytesIO(b"PK\x03\x04rusak"), "a.zip")]}, content_type="multipart/form-data"
    )
    assert "Berkas ZIP rusak" in broken.get_data(as_text=True)
    assert db.session.execute(select(Certificate.signed_pdf_key)).scalar_one() is None
