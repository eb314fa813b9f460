"""The organiser's side: settings, the QR page and its live fragments, manual marking, percentages, the PDF
sheet and the matrix (screen and .xlsx), and who may see them."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.attendance import operations as ops
from lms.attendance import tokens
from lms.attendance.models import Attendance, AttendanceMethod, AttendanceSettings, AttendanceStatus
from lms.attendance.queries import attendance_summary, summaries
from lms.auth.models import Role
from lms.events.models import EnrolmentStatus
from tests.attendance.conftest import decode_svg_qr

H, T, A = AttendanceStatus.hadir, AttendanceStatus.terlambat, AttendanceStatus.alpa
IZIN, SAKIT = AttendanceStatus.izin, AttendanceStatus.sakit


@pytest.fixture
def people(make_user, enrol, event, make_agency):
    agency = make_agency("Dinas Komunikasi dan Informatika")
    names = ["Budi Santoso, S.T.", "Citra Lestari, S.E.", "Dewi Anggraini, M.Si.", "Eko Prasetyo, A.Md."]
    return [enrol(event, make_user(name=name, agency=agency)) for name in names]


def _record(db, session, user):
    return db.session.execute(
        select(Attendance).where(Attendance.session_id == session.id, Attendance.user_id == user.id)
    ).scalar_one_or_none()


# Permissions ----------------------------------------------------------------------------------------


def _organiser_urls(event):
    s = event.sessions[0].id
    base = f"/kelola/acara/{event.id}/presensi"
    return [
        base,
        f"{base}/{s}/qr",
        f"{base}/{s}/qr/kode",
        f"{base}/{s}/qr/hadir",
        f"{base}/{s}/tandai",
        f"{base}/{s}/daftar-hadir.pdf",
        f"{base}/rekap",
        f"{base}/rekap.xlsx",
    ]


def test_organiser_pages_scoped(client, client_as, make_user, event, organiser, participant):
    other_organiser = make_user(Role.organiser)
    admin = make_user(Role.admin)
    for url in _organiser_urls(event):
        assert client.get(url).status_code == 302, url  # to the log-in
        assert client_as(participant).get(url).status_code == 403, url
        assert client_as(other_organiser).get(url).status_code == 404, url
        assert client_as(organiser).get(url).status_code == 200, url
        assert client_as(admin).get(url).status_code == 200, url


def test_session_of_another_event_is_404(client_as, make_event, event, organiser):
    other = make_event(organisers=[organiser], sessions=1)
    url = f"/kelola/acara/{event.id}/presensi/{other.sessions[0].id}/qr"
    assert client_as(organiser).get(url).status_code == 404


def test_event_page_has_the_attendance_button(client_as, event, organiser):
    html = client_as(organiser).get(f"/kelola/acara/{event.id}").get_data(as_text=True)
    assert f'href="/kelola/acara/{event.id}/presensi"' in html


# Settings -------------------------------------------------------------------------------------------


def test_settings_saved(db, client_as, event, organiser):
    client = client_as(organiser)
    page = client.get(f"/kelola/acara/{event.id}/presensi").get_data(as_text=True)
    assert 'value="30"' in page  # the defaults shown
    response = client.post(
        f"/kelola/acara/{event.id}/presensi",
        data={
            "opens_before_minutes": 15,
            "closes_after_minutes": 45,
            "late_after_minutes": 10,
            "qr_rotation_seconds": 20,
        },
        follow_redirects=True,
    )
    assert "Pengaturan presensi disimpan" in response.get_data(as_text=True)
    settings = db.session.get(AttendanceSettings, event.id)
    assert (
        settings.opens_before_minutes,
        settings.closes_after_minutes,
        settings.late_after_minutes,
        settings.qr_rotation_seconds,
    ) == (15, 45, 10, 20)
    bad = client.post(
        f"/kelola/acara/{event.id}/presensi",
        data={
            "opens_before_minutes": 15,
            "closes_after_minutes": 45,
            "late_after_minutes": 10,
            "qr_rotation_seconds": 2,
        },
    )
    assert bad.status_code == 200 and "is-invalid" in bad.get_data(as_text=True)
    assert db.session.get(AttendanceSettings, event.id).qr_rotation_seconds == 20


# The QR page ----------------------------------------------------------------------------------------


def test_qr_page_encodes_the_check_in_link_with_the_current_code(client_as, event, organiser, secret):
    session = event.sessions[0]
    html = client_as(organiser).get(f"/kelola/acara/{event.id}/presensi/{session.id}/qr").get_data(as_text=True)
    code = re.search(r'data-code="([A-Z0-9]{6})"', html).group(1)
    assert tokens.code_is_valid(secret, session.id, code, 30)
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    assert decode_svg_qr(svg) == f"http://localhost/presensi/{session.id}?k={code}"
    assert "<script" not in svg
    assert 'hx-trigger="every 2s"' in html and 'hx-trigger="every 3s"' in html


def test_qr_fragment_only_swaps_when_the_code_changes(client_as, event, organiser, secret, clock):
    session = event.sessions[0]
    client = client_as(organiser)
    url = f"/kelola/acara/{event.id}/presensi/{session.id}/qr/kode"
    code = tokens.current_code(secret, session.id, 30)
    assert client.get(f"{url}?shown={code}").status_code == 204
    clock(31)
    response = client.get(f"{url}?shown={code}")
    assert response.status_code == 200
    new_code = tokens.current_code(secret, session.id, 30)
    assert new_code != code and f'data-code="{new_code}"' in response.get_data(as_text=True)


def test_live_fragment_lists_who_checked_in(db, client_as, event, organiser, people):
    session = event.sessions[0]
    ops.check_in(session, people[1])
    ops.mark_many(session, {people[2].id: (SAKIT, "Demam")}, by=organiser)
    db.session.commit()
    html = client_as(organiser).get(f"/kelola/acara/{event.id}/presensi/{session.id}/qr/hadir").get_data(as_text=True)
    assert re.search(r'id="live-count">\s*1 / 4', html)
    assert people[1].name in html and people[2].name not in html


# Manual marking -------------------------------------------------------------------------------------


def test_mark_all_present_then_change_a_few(db, client_as, event, organiser, people):
    session = event.sessions[0]
    client = client_as(organiser)
    url = f"/kelola/acara/{event.id}/presensi/{session.id}/tandai"
    prefilled = client.get(f"{url}?isi=hadir").get_data(as_text=True)
    assert prefilled.count('<option value="hadir" selected>') == 4
    assert _record(db, session, people[0]) is None  # prefilling saves nothing
    form = {f"status-{u.id}": "hadir" for u in people}
    form[f"status-{people[1].id}"] = "izin"
    form[f"reason-{people[1].id}"] = "Tugas kedinasan ke Jakarta"
    form[f"status-{people[2].id}"] = "sakit"
    form[f"reason-{people[2].id}"] = "Surat dokter terlampir"
    form[f"status-{people[3].id}"] = "alpa"
    response = client.post(url, data=form, follow_redirects=True)
    assert "Presensi disimpan (4 perubahan)" in response.get_data(as_text=True)
    got = {u.id: _record(db, session, u) for u in people}
    assert [got[u.id].status for u in people] == [H, IZIN, SAKIT, A]
    assert got[people[1].id].reason == "Tugas kedinasan ke Jakarta"
    assert all(r.method is AttendanceMethod.manual and r.recorded_by_id == organiser.id for r in got.values())


def test_izin_and_sakit_need_a_reason_nothing_saved_otherwise(db, client_as, event, organiser, people):
    session = event.sessions[0]
    url = f"/kelola/acara/{event.id}/presensi/{session.id}/tandai"
    form = {
        f"status-{people[0].id}": "hadir",
        f"status-{people[1].id}": "izin",
        f"status-{people[2].id}": "sakit",
        f"reason-{people[2].id}": "  ",
    }
    response = client_as(organiser).post(url, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Alasan wajib diisi untuk status Izin" in html and "Alasan wajib diisi untuk status Sakit" in html
    assert '<option value="izin" selected>' in html  # the form keeps what was chosen
    assert db.session.execute(select(Attendance)).first() is None


def test_marking_keeps_unchanged_rows_and_can_set_every_status(db, client_as, event, organiser, people):
    session = event.sessions[0]
    ops.check_in(session, people[0])
    db.session.commit()
    qr_row = _record(db, session, people[0])
    url = f"/kelola/acara/{event.id}/presensi/{session.id}/tandai"
    form = {
        f"status-{people[0].id}": "hadir",
        f"status-{people[1].id}": "terlambat",
        f"status-{people[2].id}": "alpa",
        f"status-{people[3].id}": "",
    }
    client_as(organiser).post(url, data=form)
    assert _record(db, session, people[0]).method is AttendanceMethod.qr  # untouched
    assert _record(db, session, people[0]).recorded_at == qr_row.recorded_at
    assert _record(db, session, people[1]).status is T
    assert _record(db, session, people[2]).status is A
    assert _record(db, session, people[3]) is None  # left empty: not recorded


def test_mark_many_refuses_someone_not_approved(db, event, organiser, make_user, enrol):
    session = event.sessions[0]
    pending = enrol(event, make_user(), status=EnrolmentStatus.pending)
    with pytest.raises(ops.MarkingError) as info:
        ops.mark_many(session, {pending.id: (H, None)}, by=organiser)
    assert pending.id in info.value.errors


# Percentages ----------------------------------------------------------------------------------------


def test_percentages_by_sessions_and_by_jp(db, event, organiser, people, make_user, enrol):
    s1, s2, s3 = event.sessions  # 4, 2 and 6 JP
    budi, citra, dewi, eko = people
    ops.mark_many(
        s1, {budi.id: (H, None), citra.id: (T, None), dewi.id: (IZIN, "Dinas luar"), eko.id: (A, None)}, by=organiser
    )
    ops.mark_many(s2, {budi.id: (H, None), citra.id: (SAKIT, "Sakit"), dewi.id: (H, None)}, by=organiser)
    ops.mark_many(s3, {budi.id: (T, None), dewi.id: (H, None)}, by=organiser)
    withdrawn = enrol(event, make_user(), status=EnrolmentStatus.withdrawn)
    db.session.commit()
    summary = attendance_summary(event)
    assert summary == {
        budi.id: (3, 3, 12, 12),
        citra.id: (1, 3, 4, 12),
        dewi.id: (2, 3, 8, 12),
        eko.id: (0, 3, 0, 12),
    }
    assert withdrawn.id not in summary
    by_user = summaries(event)
    assert (by_user[citra.id].session_percent, by_user[citra.id].jp_percent) == (33.33, 33.33)
    assert (by_user[dewi.id].session_percent, by_user[dewi.id].jp_percent) == (66.67, 66.67)
    # JP weigh differently from sessions: attending only the 6-JP session
    ops.mark_many(s3, {eko.id: (H, None)}, by=organiser)
    db.session.commit()
    eko_summary = summaries(event)[eko.id]
    assert (eko_summary.session_percent, eko_summary.jp_percent) == (33.33, 50.0)


def test_summary_of_an_event_without_sessions(db, make_event, make_user, enrol):
    event = make_event()
    user = enrol(event, make_user())
    assert attendance_summary(event) == {user.id: (0, 0, 0, 0)}
    assert summaries(event)[user.id].session_percent == 0.0


# PDF sheet ------------------------------------------------------------------------------------------


def test_attendance_sheet_pdf(db, client_as, event, organiser, make_user, enrol, make_agency):
    import pdfplumber

    session = event.sessions[0]
    agency = make_agency("Badan Kepegawaian Daerah")
    users = [enrol(event, make_user(name=f"Peserta {n:02d}, S.Kom.", agency=agency)) for n in range(1, 46)]
    ops.mark_many(session, {users[0].id: (IZIN, "Tugas kantor")}, by=organiser)
    db.session.commit()
    response = client_as(organiser).get(f"/kelola/acara/{event.id}/presensi/{session.id}/daftar-hadir.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    with pdfplumber.open(BytesIO(response.data)) as pdf:
        pages = [page.extract_text() for page in pdf.pages]
        assert pdf.pages[0].width == pytest.approx(595.28, abs=0.5)  # A4
    assert len(pages) >= 2
    first = pages[0]
    assert "DAFTAR HADIR PESERTA" in first and "Bimtek Literasi Digital" in first and "Sesi 1" in first
    from lms.i18n import format_date, to_local

    assert format_date(to_local(session.starts_at).date(), "full") in first  # e.g. "Senin, 23 November 2026"
    for page in pages:  # the table header on every page
        assert "Nama" in page and "NIP" in page and "Tanda Tangan" in page
    everything = "\n".join(pages)
    for user in users:
        assert user.name in everything and user.nip in everything
    assert "Izin" in everything
    assert "Halaman 2" in pages[1]


def test_sheet_of_an_event_without_participants(client_as, event, organiser):
    response = client_as(organiser).get(f"/kelola/acara/{event.id}/presensi/{event.sessions[0].id}/daftar-hadir.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


# Matrix ---------------------------------------------------------------------------------------------


def test_matrix_on_screen_and_as_xlsx(db, client_as, event, organiser, people, count_queries):
    s1, s2, s3 = event.sessions
    budi, citra, dewi, eko = people
    ops.mark_many(s1, {budi.id: (H, None), citra.id: (SAKIT, "Demam"), eko.id: (A, None)}, by=organiser)
    ops.mark_many(s2, {budi.id: (T, None)}, by=organiser)
    db.session.commit()
    client = client_as(organiser)
    with count_queries() as counter:
        html = client.get(f"/kelola/acara/{event.id}/presensi/rekap").get_data(as_text=True)
    assert counter.count <= 12
    row = html[html.index(f'id="row-{budi.id}"') :]
    row = row[: row.index("</tr>")]
    assert ">H<" in row and ">T<" in row and "66.7%" in row and "50.0%" in row
    searched = client.get(f"/kelola/acara/{event.id}/presensi/rekap?q=citra").get_data(as_text=True)
    assert citra.name in searched and budi.name not in searched

    response = client.get(f"/kelola/acara/{event.id}/presensi/rekap.xlsx")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data)).active
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    header_index = next(i for i, r in enumerate(rows) if r and r[0] == "No.")
    header = rows[header_index]
    assert header[1:4] == ("Nama", "NIP", "Instansi") and header[-4:] == (
        "Sesi hadir",
        "Persen sesi",
        "JP hadir",
        "Persen JP",
    )
    data = {r[1]: r for r in rows[header_index + 1 :]}
    assert data[budi.name][2] == budi.nip  # text, 18 digits intact
    assert data[budi.name][4:7] == ("Hadir", "Terlambat", None)
    assert data[budi.name][-4:] == (2, 66.67, 6, 50.0)
    assert data[citra.name][4] == "Sakit"
    assert ws.cell(row=header_index + 2, column=3).data_type == "s"


def test_late_check_in_after_window_change_counts_as_attended(db, event, participant):
    """Terlambat counts as attended in the summary."""
    session = event.sessions[0]
    session.starts_at = session.starts_at - timedelta(minutes=30)
    db.session.commit()
    record, _ = ops.check_in(session, participant)
    db.session.commit()
    assert record.status is T
    assert attendance_summary(event)[participant.id] == (1, 3, 4, 12)
