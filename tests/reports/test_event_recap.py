"""The event recap workbook read back with openpyxl: every sheet, figures equal to the data, text cells."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from lms.attendance.models import Attendance, AttendanceMethod, AttendanceStatus
from lms.auth.models import Role
from lms.certificates.models import Certificate, CertificateKind
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentStatus, EventStatus
from lms.reports.event_recap import recap_sheets
from lms.spreadsheets import XLSX_MIMETYPE
from tests.conftest import valid_nip

EVIL_NAME = '=HYPERLINK("http://evil.example","klik")'
TITLED_NAME = "Dr. H. Ahmad Fauzi, S.Kom., M.T."
ALL_SHEETS = ["Ringkasan", "Peserta", "Kehadiran", "Nilai", "Evaluasi", "Sertifikat", "Per Instansi"]


def read(response):
    assert response.status_code == 200
    assert response.mimetype == XLSX_MIMETYPE
    return load_workbook(BytesIO(response.data))


def table(ws, header_first: str = "No."):
    """Rows under the header row (the row whose first cell is ``header_first``), as lists of cells."""
    rows = list(ws.iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == header_first)
    return [c.value for c in rows[start]], [list(row) for row in rows[start + 1 :]]


@pytest.fixture
def recap(db, make_agency, make_user, make_event):
    agency = make_agency("Dinas Komunikasi dan Informatika")
    organiser = make_user(Role.organiser, agency=agency)
    event = make_event(
        organisers=[organiser],
        sessions=3,
        organiser_agency=agency,
        status=EventStatus.running,
        start_date=date(2026, 3, 2),
        end_date=date(2026, 3, 4),
        place="Aula BPSDMD",
    )
    evil = make_user(agency=agency, name=EVIL_NAME, nip=valid_nip(9001), position="Pranata Komputer", rank="III/a")
    titled = make_user(agency=agency, name=TITLED_NAME, nip=valid_nip(9002), position="Analis", rank="III/c")
    pending = make_user(agency=agency, name="Citra Pending")
    withdrawn = make_user(agency=agency, name="Dedi Mundur")
    for user, status in [
        (evil, EnrolmentStatus.approved),
        (titled, EnrolmentStatus.approved),
        (pending, EnrolmentStatus.pending),
        (withdrawn, EnrolmentStatus.withdrawn),
    ]:
        db.session.add(Enrolment(event=event, user=user, status=status))
    s1, s2, s3 = event.sessions
    marks = [
        (evil, s1, AttendanceStatus.hadir),
        (evil, s2, AttendanceStatus.terlambat),
        (evil, s3, AttendanceStatus.alpa),
        (titled, s1, AttendanceStatus.hadir),
        (titled, s2, AttendanceStatus.hadir),
        (titled, s3, AttendanceStatus.hadir),
    ]
    for user, session, status in marks:
        db.session.add(Attendance(session=session, user=user, status=status, method=AttendanceMethod.manual))
    db.session.add_all(
        [
            Certificate(
                event=event,
                user=titled,
                kind=CertificateKind.completion,
                number="800/0001/BPSDMD/2026",
                holder_name=titled.name,
                holder_nip=titled.nip,
                holder_agency=agency.name,
                total_jp=12,
                issue_date=date(2026, 3, 5),
                signed_pdf_key="signed/1.pdf",
                signed_at=utcnow(),
            ),
            Certificate(
                event=event,
                user=evil,
                kind=CertificateKind.attendance,
                number="800/0002/BPSDMD/2026",
                holder_name=evil.name,
                holder_nip=evil.nip,
                holder_agency=agency.name,
                total_jp=12,
                issue_date=date(2026, 3, 5),
                revoked_at=utcnow(),
                revoke_reason="Salah cetak",
            ),
        ]
    )
    db.session.commit()
    return {"event": event, "organiser": organiser, "evil": evil, "titled": titled}


def test_recap_has_one_sheet_per_concern(client_as, recap):
    wb = read(client_as(recap["organiser"]).get(f"/kelola/acara/{recap['event'].id}/rekap.xlsx"))
    assert wb.sheetnames == ALL_SHEETS
    assert [s.name for s in recap_sheets()] == [
        "summary",
        "participants",
        "attendance",
        "scores",
        "evaluation",
        "certificates",
        "agencies",
    ]
    for ws in wb.worksheets:
        assert ws.freeze_panes is not None
        assert ws.auto_filter.ref
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows


def test_summary_sheet_figures(client_as, recap):
    wb = read(client_as(recap["organiser"]).get(f"/kelola/acara/{recap['event'].id}/rekap.xlsx"))
    header, rows = table(wb["Ringkasan"], "Uraian")
    values = {row[0].value: row[1].value for row in rows}
    assert values["Acara"] == recap["event"].title
    assert values["Tempat"] == "Aula BPSDMD"
    assert values["Tanggal mulai"].date() == date(2026, 3, 2)
    assert values["Total JP"] == 12
    assert values["Jumlah sesi"] == 3
    assert values["Jumlah pendaftar"] == 4
    assert values["Peserta: Diterima"] == 2
    assert values["Peserta: Menunggu persetujuan"] == 1
    assert values["Peserta: Mengundurkan diri"] == 1
    assert values["Sertifikat terbit (berlaku)"] == 1
    assert values["Tingkat kelulusan (%)"] == 50.0  # one of two approved participants holds a valid completion


def test_participants_sheet_keeps_nip_and_formulas_as_text(client_as, recap):
    wb = read(client_as(recap["organiser"]).get(f"/kelola/acara/{recap['event'].id}/rekap.xlsx"))
    header, rows = table(wb["Peserta"])
    assert header == ["No.", "NIP", "Nama", "Instansi", "Jabatan", "Pangkat/Gol.", "Status"]
    assert len(rows) == 4
    by_name = {row[2].value: row for row in rows}
    evil = by_name[EVIL_NAME]
    assert evil[2].data_type == "s"  # not a formula
    assert evil[1].value == recap["evil"].nip and evil[1].data_type == "s" and evil[1].number_format == "@"
    assert [c.value for c in evil[3:]] == ["Dinas Komunikasi dan Informatika", "Pranata Komputer", "III/a", "Diterima"]
    assert by_name[TITLED_NAME][5].value == "III/c"
    assert by_name["Citra Pending"][6].value == "Menunggu persetujuan"


def test_attendance_sheet_codes_and_percentages(client_as, recap):
    wb = read(client_as(recap["organiser"]).get(f"/kelola/acara/{recap['event'].id}/rekap.xlsx"))
    header, rows = table(wb["Kehadiran"])
    assert header[:4] == ["No.", "NIP", "Nama", "Instansi"]
    assert header[4].startswith("1. Sesi 1") and header[6].startswith("3. Sesi 3")
    assert header[7:] == ["Sesi hadir", "% sesi", "JP hadir", "% JP"]
    assert len(rows) == 2  # approved participants only
    by_name = {row[2].value: [c.value for c in row] for row in rows}
    assert by_name[EVIL_NAME][4:] == ["H", "T", "A", 2, 66.67, 8, 66.67]
    assert by_name[TITLED_NAME][4:] == ["H", "H", "H", 3, 100.0, 12, 100.0]


def test_certificates_sheet(client_as, recap):
    wb = read(client_as(recap["organiser"]).get(f"/kelola/acara/{recap['event'].id}/rekap.xlsx"))
    header, rows = table(wb["Sertifikat"])
    assert header[1] == "Nomor sertifikat" and header[8] == "Ditandatangani (TTE)" and header[9] == "Dicabut"
    by_number = {row[1].value: [c.value for c in row] for row in rows}
    valid = by_number["800/0001/BPSDMD/2026"]
    assert valid[2] == recap["titled"].nip and valid[3] == TITLED_NAME
    assert valid[5] == "Sertifikat" and valid[6] == 12 and valid[7].date() == date(2026, 3, 5)
    assert valid[8:10] == ["Ya", "Tidak"]
    revoked = by_number["800/0002/BPSDMD/2026"]
    assert revoked[3] == EVIL_NAME and revoked[8:] == ["Tidak", "Ya", "Salah cetak"]


def test_recap_is_scoped_to_the_event_managers(client_as, make_user, recap):
    url = f"/kelola/acara/{recap['event'].id}/rekap.xlsx"
    assert client_as(make_user(Role.organiser)).get(url).status_code == 404
    assert client_as(make_user(Role.admin)).get(url).status_code == 200
    assert client_as(make_user()).get(url).status_code == 403


def _event_with(db, make_agency, make_user, make_event, participants: int):
    agency = make_agency()
    organiser = make_user(Role.organiser, agency=agency)
    event = make_event(organisers=[organiser], sessions=4, organiser_agency=agency, status=EventStatus.running)
    for i in range(participants):
        user = make_user(agency=make_agency() if i % 2 else agency, password=None)
        db.session.add(Enrolment(event=event, user=user, status=EnrolmentStatus.approved))
        db.session.add(
            Attendance(
                session=event.sessions[i % 4], user=user, status=AttendanceStatus.hadir, method=AttendanceMethod.qr
            )
        )
        db.session.add(
            Certificate(
                event=event,
                user=user,
                kind=CertificateKind.completion,
                number=f"800/{event.id}/{i}",
                holder_name=user.name,
                holder_nip=user.nip,
                holder_agency=user.agency.name,
                issue_date=date(2026, 3, 5),
            )
        )
    db.session.commit()
    return event, organiser


def test_query_count_does_not_grow_with_participants(db, client_as, make_agency, make_user, make_event, count_queries):
    counts = []
    for n in (5, 50):
        event, organiser = _event_with(db, make_agency, make_user, make_event, n)
        http = client_as(organiser)
        with count_queries() as counter:
            wb = read(http.get(f"/kelola/acara/{event.id}/rekap.xlsx"))
        assert wb["Peserta"].max_row == 5 + n  # 3 title lines, a blank line, the header, the participants
        counts.append(counter.count)
    assert counts[0] == counts[1]


@pytest.fixture
def job_threshold(app, tmp_path):
    """Recaps of more than one enrolment go through a background job; job results in a temporary folder."""
    old = app.config.get("RECAP_JOB_THRESHOLD"), app.config["UPLOAD_DIR"]
    app.config.update(RECAP_JOB_THRESHOLD=1, UPLOAD_DIR=str(tmp_path))
    yield
    app.config["RECAP_JOB_THRESHOLD"], app.config["UPLOAD_DIR"] = old
    if old[0] is None:
        del app.config["RECAP_JOB_THRESHOLD"]


def test_big_event_recap_is_a_background_job(db, client_as, make_user, recap, job_threshold):
    from sqlalchemy import select

    from lms import jobs
    from lms.jobs_models import Job, JobStatus

    http = client_as(recap["organiser"])
    event_id = recap["event"].id
    page = http.get(f"/kelola/acara/{event_id}/rekap.xlsx")
    assert page.status_code == 200 and "Siapkan rekap (.xlsx)" in page.get_data(as_text=True)
    assert client_as(make_user(Role.organiser)).post(f"/kelola/acara/{event_id}/rekap").status_code == 404
    response = http.post(f"/kelola/acara/{event_id}/rekap")
    assert response.status_code == 302 and "/pekerjaan/" in response.headers["Location"]
    jobs.join_threads()
    job = db.session.execute(select(Job)).scalar_one()
    db.session.refresh(job)
    assert job.status is JobStatus.finished and (job.done, job.total) == (7, 7)
    assert job.result_name == f"rekap-acara-{event_id}.xlsx"
    wb = read(http.get(f"/pekerjaan/{job.id}/unduh"))
    assert wb.sheetnames == ALL_SHEETS
