"""Fixtures of the course-material tests: uploads in a temporary folder, modules and materials, sample files."""

import io
import zipfile

import pytest

from lms.auth.models import Role
from lms.courses import operations as ops
from lms.courses.models import MaterialKind
from lms.events.models import Enrolment, EnrolmentStatus

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML_BYTES = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.{main}+xml"/></Types>'
)


def ooxml_bytes(part: str, main: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(part=part, main=main))
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


DOCX_BYTES = ooxml_bytes("word/document.xml", "wordprocessingml.document.main")
PPTX_BYTES = ooxml_bytes("ppt/presentation.xml", "presentationml.presentation.main")
XLSX_BYTES = ooxml_bytes("xl/workbook.xml", "spreadsheetml.sheet.main")
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
DOC_BYTES = OLE_HEADER + "Root Entry".encode("utf-16-le") + b"\x00" * 50 + "WordDocument".encode("utf-16-le")
PPT_BYTES = OLE_HEADER + "PowerPoint Document".encode("utf-16-le")


@pytest.fixture(autouse=True)
def _uploads_in_tmp(upload_dir):
    """Every test stores its files in its own temporary folder (``upload_dir`` of tests/conftest.py)."""
    return upload_dir


@pytest.fixture
def organiser(make_user):
    return make_user(Role.organiser, name="Dra. Nurhayati, M.Si.")


@pytest.fixture
def event(make_event, organiser):
    return make_event(title="Bimtek Literasi Digital", organisers=[organiser], sessions=1)


@pytest.fixture
def enrol(db):
    """``enrol(event, user, status)``: an enrolment straight in the database."""

    def factory(event, user, status: EnrolmentStatus = EnrolmentStatus.approved) -> Enrolment:
        enrolment = Enrolment(event_id=event.id, user_id=user.id, status=status)
        db.session.add(enrolment)
        db.session.commit()
        return enrolment

    return factory


@pytest.fixture
def participant(make_user, event, enrol):
    user = make_user(Role.participant, name="Siti Aminah, S.E.")
    enrol(event, user)
    return user


@pytest.fixture
def make_module(db):
    def factory(event, title: str = "Modul", **fields):
        module = ops.create_module(event, title=title, **fields)
        db.session.commit()
        return module

    return factory


@pytest.fixture
def make_material(db):
    """``make_material(module, kind, title, ...)``: links, videos and texts (files go through the upload view)."""

    def factory(module, kind: MaterialKind = MaterialKind.text, title: str = "Materi", **fields):
        if kind is MaterialKind.text:
            fields.setdefault("body", "Isi materi.")
        if kind in (MaterialKind.link, MaterialKind.video):
            fields.setdefault("url", "https://example.org/bacaan")
        material = ops.add_material(module, kind=kind, title=title, **fields)
        db.session.commit()
        return material

    return factory


@pytest.fixture
def upload(client_as, organiser):
    """``upload(event, module, data, filename)``: the organiser uploads a file through the form."""

    def do_upload(event, module, data: bytes, filename: str, title: str = "Bahan tayang", **extra):
        client = client_as(organiser)
        return client.post(
            f"/kelola/acara/{event.id}/materi/modul/{module.id}/materi/baru?jenis=file",
            data={"title": title, "file": (io.BytesIO(data), filename), **extra},
            content_type="multipart/form-data",
        )

    return do_upload
