"""`flask backup` / `flask restore`: data built through the operations, backed up, wiped, restored and found again
(rows, file bytes, log-in, downloads); damaged, tampered and too-new archives refused with nothing changed."""

import io
import json
import shutil
import tarfile
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, inspect, select

from lms.auth import operations as auth_ops
from lms.auth.models import Role, User
from lms.certificates import operations as cert_ops
from lms.certificates.models import Certificate
from lms.courses.models import Material
from lms.events import enrolment
from lms.events.models import Enrolment, Event
from lms.storage import get_storage
from tests.conftest import PASSWORD, valid_nip
from tests.ops.conftest import PDF_BYTES, stored_files


def _build(db, make_agency, organiser, event, module, upload_material):
    """Participants, their enrolments, a material file and issued certificates, all through the operations."""
    agency = make_agency("Dinas Komunikasi dan Informatika")
    people = [
        auth_ops.create_user(
            name=f"Dr. H. Peserta Cadangan {i}, S.Kom., M.T.",
            agency=agency,
            email=f"cadangan{i}@kominfo.go.id",
            password=PASSWORD,
            nip=valid_nip(7000 + i),
        )
        for i in range(3)
    ]
    for person in people:
        enrolment.add_participant(event, person, organiser)
    db.session.commit()
    content = PDF_BYTES + b"% bahan tayang modul 1\n" * 50
    assert upload_material(event, module, content, "Modul 1 - Dasar.pdf").status_code == 302
    cert_ops.save_settings(
        event,
        number_pattern="800/{seq:04}/BPSDMD/{year}",
        signatory_name="Dr. H. Ahmad Fauzi, S.Kom., M.T.",
        signatory_position="Kepala BPSDMD",
        signatory_nip="197001012005011001",
        issue_date=date(2026, 11, 22),
    )
    certificates = cert_ops.issue_certificates(event, organiser)
    db.session.commit()
    assert len(certificates) == 3
    return people, content


def _snapshot(db) -> dict:
    rows = db.session.execute
    return {
        "users": rows(select(User.id, User.email, User.name, User.nip, User.password_hash).order_by(User.id)).all(),
        "enrolments": rows(
            select(Enrolment.event_id, Enrolment.user_id, Enrolment.status).order_by(Enrolment.id)
        ).all(),
        "events": rows(select(Event.id, Event.title).order_by(Event.id)).all(),
        "materials": rows(select(Material.id, Material.storage_key, Material.original_name, Material.size)).all(),
        "certificates": rows(
            select(Certificate.id, Certificate.number, Certificate.code, Certificate.user_id).order_by(Certificate.id)
        ).all(),
    }


def _backup(app, path):
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert path.exists() and "Cadangan dibuat" in result.output
    return result


def _restore(app, path, *args, **kwargs):
    return app.test_cli_runner().invoke(args=["restore", str(path), *args], **kwargs)


def _wipe_everything(db, upload_dir):
    db.session.remove()
    db.drop_all()
    shutil.rmtree(upload_dir)
    assert inspect(db.engine).get_table_names() == [] or db.engine.dialect.name == "postgresql"


def test_backup_then_restore_finds_everything(
    app, db, make_agency, organiser, event, module, upload_material, upload_dir, client_as, client, tmp_path
):
    people, content = _build(db, make_agency, organiser, event, module, upload_material)
    before = _snapshot(db)
    (material,) = db.session.execute(select(Material)).scalars().all()
    key, material_id, event_id = material.storage_key, material.id, event.id
    person_id, person_email = people[0].id, people[0].email
    archive = tmp_path / "cadangan.tar.gz"
    _backup(app, archive)
    assert archive.stat().st_mode & 0o077 == 0  # personal data: for the service account only

    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert manifest["database"]["dialect"] == db.engine.dialect.name
    assert manifest["created_at"].endswith("Z") and manifest["app"] == "SiPelatihan"
    assert f"uploads/{key}" in listed and listed[f"uploads/{key}"]["size"] == len(content)
    assert manifest["database"]["path"] in listed and set(listed) | {"manifest.json"} == names
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"])

    _wipe_everything(db, upload_dir)
    declined = _restore(app, archive, input="n\n")
    assert declined.exit_code != 0 and "checksum cocok" in declined.output and "DIGANTI" in declined.output
    assert not upload_dir.exists()  # declined: nothing restored

    result = _restore(app, archive, "--yes")
    assert result.exit_code == 0, result.output
    assert "Pemulihan selesai" in result.output
    db.session.remove()
    assert _snapshot(db) == before
    with get_storage().open(key) as fh:
        assert fh.read() == content

    # The restored system works: log-in with the old password, downloads of the file and the certificate.
    login = client.post("/masuk", data={"identifier": person_email, "password": PASSWORD})
    assert login.status_code == 302
    participant = db.session.get(User, person_id)
    download = client_as(participant).get(f"/pelatihan/{event_id}/materi/{material_id}/unduh")
    assert download.status_code == 200 and download.data == content
    certificate = db.session.execute(select(Certificate).filter_by(user_id=participant.id)).scalar_one()
    pdf = client_as(participant).get(f"/sertifikat-saya/{certificate.id}.pdf")
    assert pdf.status_code == 200
    assert certificate.number in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert client.get(f"/verifikasi/{certificate.code}").status_code == 200


@pytest.fixture
def backed_up(app, db, organiser, event, module, upload_material, upload_dir, make_user, tmp_path):
    """An archive of a small system, then a change made after it (a restore that is refused keeps it)."""
    assert upload_material(event, module).status_code == 302
    archive = tmp_path / "cadangan.tar.gz"
    _backup(app, archive)
    make_user(Role.participant, email="setelah.cadangan@uji.go.id")
    files = {path: path.read_bytes() for path in stored_files(upload_dir)}
    return archive, files


def _unchanged(db, upload_dir, files) -> bool:
    db.session.remove()
    still_there = db.session.execute(select(User).filter_by(email="setelah.cadangan@uji.go.id")).scalar_one_or_none()
    return still_there is not None and {p: p.read_bytes() for p in stored_files(upload_dir)} == files


def _rewrite(archive, target, change):
    """Copy ``archive`` to ``target`` with ``change(name, data) -> data`` applied to every member."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def test_truncated_or_damaged_archive_is_refused(app, db, backed_up, upload_dir, tmp_path):
    archive, files = backed_up
    raw = archive.read_bytes()
    truncated = tmp_path / "terpotong.tar.gz"
    truncated.write_bytes(raw[: len(raw) // 2])
    damaged = tmp_path / "rusak.tar.gz"
    middle = len(raw) // 2
    damaged.write_bytes(raw[:middle] + bytes(b ^ 0xFF for b in raw[middle : middle + 64]) + raw[middle + 64 :])
    not_gzip = tmp_path / "bukan.tar.gz"
    not_gzip.write_bytes(b"ini bukan arsip")
    for bad in (truncated, damaged, not_gzip):
        result = _restore(app, bad, "--yes")
        assert result.exit_code == 1, result.output
        assert "Arsip ditolak; tidak ada yang diubah." in result.output
        assert "rusak" in result.output or "tidak cocok" in result.output
        assert _unchanged(db, upload_dir, files)


def test_tampered_file_is_refused_before_anything_changes(app, db, backed_up, upload_dir, tmp_path):
    archive, files = backed_up
    tampered = _rewrite(
        archive, tmp_path / "diubah.tar.gz", lambda name, data: data + b"x" if name.startswith("uploads/") else data
    )
    result = _restore(app, tampered, "--yes")
    assert result.exit_code == 1
    assert "checksum tidak cocok" in result.output and "tidak ada yang diubah" in result.output
    assert _unchanged(db, upload_dir, files)


def test_archive_from_a_newer_version_is_refused(app, db, backed_up, upload_dir, tmp_path):
    archive, files = backed_up

    def newer(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["alembic_revision"] = "9999_from_the_future"
        return json.dumps(manifest).encode()

    result = _restore(app, _rewrite(archive, tmp_path / "baru.tar.gz", newer), "--yes")
    assert result.exit_code == 1
    assert "versi aplikasi yang lebih baru" in result.output and "9999_from_the_future" in result.output
    assert _unchanged(db, upload_dir, files)


def test_unlisted_member_and_unsafe_name_are_refused(app, db, backed_up, upload_dir, tmp_path):
    archive, files = backed_up
    extra = tmp_path / "tambahan.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(extra, "w:gz") as out:
        for member in source:
            out.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo("uploads/../../etc/cron.d/x")
        info.size = 3
        out.addfile(info, io.BytesIO(b"bad"))
    result = _restore(app, extra, "--yes")
    assert result.exit_code == 1 and "tidak aman" in result.output
    assert _unchanged(db, upload_dir, files)


def test_keep_prunes_old_archives(app, db, tmp_path):
    folder = tmp_path / "cadangan"
    folder.mkdir()
    for stamp in ("20260101T000000Z", "20260102T000000Z", "20260103T000000Z"):
        (folder / f"sipelatihan-{stamp}.tar.gz").write_bytes(b"lama")
    old, app.config["BACKUP_DIR"] = app.config["BACKUP_DIR"], str(folder)
    try:
        result = app.test_cli_runner().invoke(args=["backup", "--keep", "2"])
    finally:
        app.config["BACKUP_DIR"] = old
    assert result.exit_code == 0, result.output
    left = sorted(p.name for p in folder.glob("sipelatihan-*.tar.gz"))
    assert len(left) == 2 and "sipelatihan-20260103T000000Z.tar.gz" in left
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 0
