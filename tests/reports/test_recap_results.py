"""The Nilai, Evaluasi, Per Instansi sheets and the result lines of Ringkasan, read back with openpyxl and compared
with the figures computed by hand in results_world.py."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete

from lms.assessments.surveys import survey_ikm
from lms.certificates.models import CompletionRule
from tests.reports.results_world import EVIL_NAME, build_results_world


@pytest.fixture
def world(db, make_agency, make_user, make_event):
    return build_results_world(db, make_agency, make_user, make_event)


def recap(client_as, world):
    response = client_as(world["organiser"]).get(f"/kelola/acara/{world['event'].id}/rekap.xlsx")
    assert response.status_code == 200
    return load_workbook(BytesIO(response.data))


def table(ws, header_first: str):
    rows = list(ws.iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == header_first)
    return [c.value for c in rows[start]], [list(row) for row in rows[start + 1 :]]


def assert_table_layout(ws, header_row: int, columns: int):
    """Bold frozen header with a filter over it, widths, and a printable page setup."""
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.auto_filter.ref.startswith(f"A{header_row}:")
    assert all(ws.cell(header_row, c).font.b for c in range(1, columns + 1))
    assert ws.column_dimensions["A"].width and ws.column_dimensions["B"].width
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows


def test_scores_sheet(client_as, world):
    ws = recap(client_as, world)["Nilai"]
    header, rows = table(ws, "No.")
    assert header == [
        "No.",
        "NIP",
        "Nama",
        "Instansi",
        "Pre-test",
        "Post-test",
        "Kenaikan (post - pre)",
        "Gain ternormalisasi (g)",
        "Kategori g",
        "Hasil",
    ]
    assert_table_layout(ws, rows[0][0].row - 1, len(header))
    by_name = {row[2].value: row for row in rows}
    assert list(by_name) == [EVIL_NAME, "Budi Sempurna", "Citra Naik", "Dedi Tanpa Post"]  # approved, by name
    values = {name: [c.value for c in row[3:]] for name, row in by_name.items()}
    assert values[EVIL_NAME] == ["Dinas Kominfo", 40, 70, 30, 0.5, "Sedang", "Tidak lulus"]
    assert values["Budi Sempurna"] == ["Dinas Kominfo", 100, 90, -10, "—", None, "Lulus"]
    assert values["Citra Naik"] == ["Dinas Sosial", 50, 95, 45, 0.9, "Tinggi", "Lulus"]  # the organiser's override
    assert values["Dedi Tanpa Post"] == ["Dinas Sosial", 60, None, None, None, None, "Tidak lulus"]
    evil = by_name[EVIL_NAME]
    assert evil[2].data_type == "s"  # the formula-looking name is text
    assert evil[1].data_type == "s" and evil[1].number_format == "@"
    assert evil[4].data_type == "n" and evil[6].data_type == "n"
    assert evil[7].data_type == "n"


def test_scores_without_a_rule_follow_the_post_test_grade(db, client_as, world):
    db.session.execute(delete(CompletionRule))
    db.session.commit()
    header, rows = table(recap(client_as, world)["Nilai"], "No.")
    results = {row[2].value: row[9].value for row in rows}
    # pass mark 75: EVIL 70 no, Budi 90 yes, Citra's override stays, Dedi has no post-test score yet
    assert results == {
        EVIL_NAME: "Tidak lulus",
        "Budi Sempurna": "Lulus",
        "Citra Naik": "Lulus",
        "Dedi Tanpa Post": "—",
    }


def test_summary_results_and_ikm(client_as, world):
    ws = recap(client_as, world)["Ringkasan"]
    header, rows = table(ws, "Uraian")
    cells = {row[0].value: row[1] for row in rows}
    values = {name: c.value for name, c in cells.items()}
    assert values["Mengikuti pre-test"] == 4 and values["Mengikuti post-test"] == 3
    assert values["Rata-rata pre-test"] == 62.5
    assert values["Rata-rata post-test"] == 85.0
    assert values["Rata-rata kenaikan (post - pre)"] == 21.67
    assert values["Rata-rata gain ternormalisasi (g)"] == 0.7
    assert values["Pre-test 100 (g tidak dihitung)"] == 1
    assert values["Lulus menurut aturan kelulusan"] == 2
    assert values["Tingkat kelulusan menurut aturan (%)"] == 50.0
    assert values["Responden evaluasi penyelenggaraan"] == 2
    assert values["IKM penyelenggaraan"] == 79.17 and cells["IKM penyelenggaraan"].number_format == "0.00"
    assert values["Mutu pelayanan"] == "B (Baik)"
    assert values["IKM narasumber: Narasumber 1"] == 93.75
    assert values["IKM narasumber: Narasumber 2"] == "belum ada penilaian"
    assert "IKM" not in values  # the old placeholder line is gone


def test_evaluation_sheet(client_as, world):
    ws = recap(client_as, world)["Evaluasi"]
    header, rows = table(ws, "Evaluasi")
    assert header == [
        "Evaluasi",
        "Sasaran",
        "No.",
        "Unsur",
        "Jumlah penilai",
        "NRR",
        "Bobot",
        "NRR tertimbang",
        "Nilai konversi (x25)",
        "Mutu",
    ]
    assert_table_layout(ws, rows[0][0].row - 1, len(header))
    lines = [[c.value for c in row] for row in rows]
    third = pytest.approx(1 / 3)
    assert lines[:4] == [
        [
            "Evaluasi Penyelenggaraan",
            "Penyelenggaraan",
            1,
            "Materi",
            2,
            3.5,
            third,
            pytest.approx(3.5 / 3),
            87.5,
            "B (Baik)",
        ],
        ["Evaluasi Penyelenggaraan", "Penyelenggaraan", 2, "Fasilitas", 2, 3.0, third, 1.0, 75.0, "C (Kurang baik)"],
        ["Evaluasi Penyelenggaraan", "Penyelenggaraan", 3, "Konsumsi", 2, 3.0, third, 1.0, 75.0, "C (Kurang baik)"],
        [
            "Evaluasi Penyelenggaraan",
            "Penyelenggaraan",
            None,
            "IKM (jumlah NRR tertimbang x 25)",
            2,
            None,
            1.0,
            pytest.approx(9.5 / 3),
            79.17,
            "B (Baik)",
        ],
    ]
    assert lines[4][1:6] == ["Narasumber 1", 1, "Penguasaan materi", 2, 4.0]
    assert lines[5][1:6] == ["Narasumber 1", 2, "Penyampaian", 2, 3.5]
    assert lines[6][8:] == [93.75, "A (Sangat baik)"]
    assert lines[7][1:6] == ["Narasumber 2", 1, "Penguasaan materi", 0, None]
    assert lines[8][3:] == ["IKM (jumlah NRR tertimbang x 25)", 0, None, 1.0, None, None, None]
    # the same figures as the assessments' own IKM
    assert lines[3][8] == survey_ikm(world["surveys"]["own"]).ikm
    assert lines[6][8] == survey_ikm(world["surveys"]["speaker"]).ikm
    assert rows[0][5].number_format == "0.00" and rows[0][6].number_format == "0.0000"


def test_agencies_sheet(client_as, world):
    ws = recap(client_as, world)["Per Instansi"]
    header, rows = table(ws, "No.")
    assert header == [
        "No.",
        "Instansi",
        "Peserta diterima",
        "Lulus",
        "Tingkat kelulusan (%)",
        "Rata-rata post-test",
        "Total JP hadir",
        "Total JP diakui (sertifikat)",
    ]
    assert_table_layout(ws, rows[0][0].row - 1, len(header))
    assert [[c.value for c in row] for row in rows] == [
        [1, "Dinas Kominfo", 2, 1, 50.0, 80.0, 12, 8],  # EVIL's revoked certificate does not count
        [2, "Dinas Sosial", 2, 1, 50.0, 95.0, 4, 8],  # the pending participant is not counted
    ]


def _scored_event(db, make_agency, make_user, make_event, participants: int):
    from lms.assessments.models import SurveyRating, SurveyResponse
    from lms.assessments.surveys import create_survey
    from lms.attendance.models import Attendance, AttendanceMethod, AttendanceStatus
    from lms.auth.models import Role
    from lms.certificates.models import CompletionOverride, OverrideResult
    from lms.events.models import Enrolment, EnrolmentStatus, EventStatus
    from tests.reports.results_world import add_attempts, make_tests

    agency = make_agency()
    organiser = make_user(Role.organiser, agency=agency)
    event = make_event(organisers=[organiser], sessions=3, organiser_agency=agency, status=EventStatus.running)
    pre, post = make_tests(db, event)
    db.session.add(CompletionRule(event_id=event.id, min_attendance=50, min_post_test=75, require_evaluation=True))
    surveys = [create_survey(event, None, "Evaluasi"), create_survey(event, "Narasumber 1", "Narasumber")]
    for i in range(participants):
        user = make_user(agency=make_agency() if i % 3 else agency, password=None)
        db.session.add(Enrolment(event=event, user=user, status=EnrolmentStatus.approved))
        add_attempts(db, pre, user, 10 * (i % 11))
        add_attempts(db, post, user, 50 + i % 51)
        db.session.add(
            Attendance(
                session=event.sessions[i % 3], user=user, status=AttendanceStatus.hadir, method=AttendanceMethod.qr
            )
        )
        for survey in surveys:
            response = SurveyResponse(survey_id=survey.id, user_id=user.id)
            response.ratings = [
                SurveyRating(item_id=item.id, value=1 + (i + item.position) % 4) for item in survey.items
            ]
            db.session.add(response)
        if i % 7 == 0:
            db.session.add(
                CompletionOverride(event_id=event.id, user_id=user.id, result=OverrideResult.failed, reason="Uji coba")
            )
    db.session.commit()
    return event, organiser


def test_query_count_with_results_does_not_grow(db, client_as, make_agency, make_user, make_event, count_queries):
    counts = []
    for n in (5, 50):
        event, organiser = _scored_event(db, make_agency, make_user, make_event, n)
        http = client_as(organiser)
        with count_queries() as counter:
            response = http.get(f"/kelola/acara/{event.id}/rekap.xlsx")
        wb = load_workbook(BytesIO(response.data))
        assert wb["Nilai"].max_row == 7 + n  # 3 title lines, 2 notes, a blank line, the header, the participants
        assert wb["Evaluasi"].max_row == 6 + 9 + 1 + 9 + 1  # two surveys of the nine default unsur, an IKM line each
        counts.append(counter.count)
    assert counts[0] == counts[1]
