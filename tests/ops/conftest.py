"""Fixtures of the operations tests: uploads in a temporary folder, an organiser's event with a module, and the
upload of a material file through the real form."""

import io
import time

import pytest

from lms.auth.models import Role
from lms.courses import operations as course_ops

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(upload_dir):
    """Every test stores its files in its own temporary folder (``upload_dir`` of tests/conftest.py)."""
    return upload_dir


@pytest.fixture(autouse=True)
def backup_dir(app, tmp_path):
    """Archives (and a restore's unpacked copy) in a temporary folder, never under instance/."""
    folder = tmp_path / "backups"
    old = app.config["BACKUP_DIR"]
    app.config["BACKUP_DIR"] = str(folder)
    yield folder
    app.config["BACKUP_DIR"] = old


@pytest.fixture
def organiser(make_user, make_agency):
    return make_user(Role.organiser, agency=make_agency("Badan Pengembangan SDM Daerah", short_name="BPSDMD"))


@pytest.fixture
def event(make_event, organiser):
    return make_event(title="Bimtek Keamanan Siber", organisers=[organiser], sessions=2)


@pytest.fixture
def module(db, event):
    created = course_ops.create_module(event, title="Modul 1: Dasar Keamanan")
    db.session.commit()
    return created


@pytest.fixture
def upload_material(client_as, organiser):
    """``upload_material(event, module, data, filename)``: the organiser uploads a file through the form."""

    def do_upload(event, module, data: bytes = PDF_BYTES, filename: str = "materi.pdf", title: str = "Bahan tayang"):
        return client_as(organiser).post(
            f"/kelola/acara/{event.id}/materi/modul/{module.id}/materi/baru?jenis=file",
            data={"title": title, "file": (io.BytesIO(data), filename)},
            content_type="multipart/form-data",
        )

    return do_upload


def stored_files(folder) -> list:
    """Every file under the storage folder, temporary ones included."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def terminate_backends(connection, pids: list[int]) -> int:
    """Terminate PostgreSQL backends ``pids`` through ``connection`` (autocommit); the number terminated.

    pg_terminate_backend only signals: wait until the backends are gone (and their sockets closed), as they are
    once a restarted server answers again. Within that moment a request gets the retry page instead."""
    killed = sum(bool(connection.execute("SELECT pg_terminate_backend(%s)", (p,)).fetchone()[0]) for p in pids)
    deadline = time.monotonic() + 10
    while (
        time.monotonic() < deadline
        and connection.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)).fetchone()[0]
    ):
        time.sleep(0.01)
    return killed
