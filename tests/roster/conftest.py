"""Rosters built with openpyxl the way agencies send them, and the upload/confirm steps as the organiser does them."""

import re
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from lms.auth.models import Role
from lms.events.roster_models import RosterImport

HEADERS = [
    "No.",
    "Nama Lengkap (beserta gelar)",
    "NIP/NIK",
    "Instansi/OPD",
    "Jabatan",
    "Pangkat/Gol.",
    "No. HP",
    "E-mail",
]


def build_roster(rows, headers=HEADERS, title_rows=("DAFTAR PESERTA BIMTEK", "Tahun Anggaran 2026", None)) -> bytes:
    """An .xlsx with a title block above the header (header on row 4 by default); cells keep their Python
    types (an int NIP is a number cell, "=..." a formula)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Peserta"
    for line in title_rows:
        ws.append([line])
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_xlsx(data: bytes) -> list[tuple]:
    wb = load_workbook(BytesIO(data), read_only=True)
    return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def organiser(make_user):
    return make_user(Role.organiser, name="Dra. Nurhayati, M.Si.")


@pytest.fixture
def event(make_event, organiser):
    return make_event(organisers=[organiser], title="Bimtek Literasi Digital")


@pytest.fixture
def org_client(client_as, organiser):
    return client_as(organiser)


@pytest.fixture
def upload(db):
    """Upload ``data`` as the organiser; returns (response, the RosterImport created or None)."""

    def do(client, event, data: bytes, filename: str = "peserta.xlsx"):
        response = client.post(
            f"/kelola/acara/{event.id}/impor-peserta",
            data={"file": (BytesIO(data), filename)},
            content_type="multipart/form-data",
        )
        batch = None
        match = re.search(r"/impor-peserta/(\d+)$", response.headers.get("Location", ""))
        if match:
            batch = db.session.get(RosterImport, int(match.group(1)))
        return response, batch

    return do


@pytest.fixture
def confirm(db):
    def do(client, event, batch, **choices):
        data = {f"agency:{key}": value for key, value in choices.items()}
        response = client.post(f"/kelola/acara/{event.id}/impor-peserta/{batch.id}/konfirmasi", data=data)
        db.session.expire_all()
        return response

    return do
