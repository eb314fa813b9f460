"""Sessions (jadwal) of an event: create, edit, delete, times in the event's zone, total JP, scoping."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from lms.auth.models import Role
from lms.events.models import Event, EventSession, EventStatus


@pytest.fixture
def organiser(make_user):
    return make_user(role=Role.organiser)


@pytest.fixture
def event(make_event, organiser):
    return make_event(
        organisers=[organiser],
        status=EventStatus.draft,
        start_date=date(2026, 11, 23),
        end_date=date(2026, 11, 25),
        timezone="Asia/Jakarta",
    )


def session_data(**overrides) -> dict:
    data = {
        "title": "Kebijakan Satu Data",
        "starts_at": "2026-11-23T08:00",
        "ends_at": "2026-11-23T11:00",
        "jp": "4",
        "speaker": "Dr. Ir. Bambang Sutrisno, M.Si.",
    }
    data.update(overrides)
    return data


def sessions_of(db, event) -> list[EventSession]:
    return list(db.session.execute(select(EventSession).where(EventSession.event_id == event.id)).scalars())


def total_jp(db, event) -> int:
    return db.session.execute(select(Event.total_jp).where(Event.id == event.id)).scalar_one()


def test_add_session_stores_utc_and_updates_total_jp(client_as, organiser, event, db):
    client = client_as(organiser)

    response = client.post(f"/kelola/acara/{event.id}/jadwal/baru", data=session_data())
    client.post(
        f"/kelola/acara/{event.id}/jadwal/baru",
        data=session_data(title="Praktik", starts_at="2026-11-24T13:00", ends_at="2026-11-24T16:00", jp="3"),
    )

    assert response.status_code == 302
    first, second = sorted(sessions_of(db, event), key=lambda s: s.starts_at)
    assert (first.starts_at, first.ends_at) == (datetime(2026, 11, 23, 1, 0), datetime(2026, 11, 23, 4, 0))
    assert (first.title, first.jp, first.speaker) == ("Kebijakan Satu Data", 4, "Dr. Ir. Bambang Sutrisno, M.Si.")
    assert second.jp == 3
    assert total_jp(db, event) == 7
    html = client.get(f"/kelola/acara/{event.id}").get_data(as_text=True)
    assert "Senin, 23 November 2026 08.00 WIB" in html
    assert '<td class="text-end fw-semibold">7</td>' in html


def test_session_times_read_in_event_zone(client_as, organiser, make_event, db):
    event = make_event(
        organisers=[organiser],
        start_date=date(2026, 11, 23),
        end_date=date(2026, 11, 23),
        timezone="Asia/Jayapura",
    )

    # 06.00 WIT on the event's day is still 22 November in UTC: accepted, because the zone is the event's.
    client_as(organiser).post(
        f"/kelola/acara/{event.id}/jadwal/baru",
        data=session_data(starts_at="2026-11-23T06:00", ends_at="2026-11-23T08:15"),
    )

    (session,) = sessions_of(db, event)
    assert session.starts_at == datetime(2026, 11, 22, 21, 0)


def test_session_form_shows_jp_hint(client_as, organiser, event, db):
    client = client_as(organiser)
    client.post(
        f"/kelola/acara/{event.id}/jadwal/baru",
        data=session_data(starts_at="2026-11-23T08:00", ends_at="2026-11-23T10:15"),
    )
    (session,) = sessions_of(db, event)

    new_form = client.get(f"/kelola/acara/{event.id}/jadwal/baru").get_data(as_text=True)
    edit_form = client.get(f"/kelola/acara/{event.id}/jadwal/{session.id}/ubah").get_data(as_text=True)

    assert "1 JP = 45 menit" in new_form
    assert 'value="2026-11-23T08:00"' in edit_form and 'value="2026-11-23T10:15"' in edit_form
    assert "durasi 135 menit ≈ 3 JP" in edit_form


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2026-11-23T07:00"}, "Waktu selesai harus setelah waktu mulai."),
        ({"ends_at": "2026-11-23T08:00"}, "Waktu selesai harus setelah waktu mulai."),
        ({"jp": "-1"}, "JP harus bilangan bulat 0 sampai 100."),
        ({"jp": ""}, "Wajib diisi."),
        ({"title": ""}, "Wajib diisi."),
        ({"starts_at": "besok"}, "Tanggal dan jam tidak valid."),
    ],
)
def test_session_validation(client_as, organiser, event, db, overrides, message):
    response = client_as(organiser).post(f"/kelola/acara/{event.id}/jadwal/baru", data=session_data(**overrides))

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert sessions_of(db, event) == []


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("2026-11-22T08:00", "2026-11-22T10:00"),  # the day before
        ("2026-11-26T08:00", "2026-11-26T10:00"),  # the day after
        ("2026-11-25T22:00", "2026-11-26T01:00"),  # runs past the last day
    ],
)
def test_session_outside_event_dates_refused(client_as, organiser, event, db, starts_at, ends_at):
    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/jadwal/baru", data=session_data(starts_at=starts_at, ends_at=ends_at)
    )

    assert response.status_code == 200
    assert "Sesi harus berada dalam tanggal acara (23 - 25 November 2026, WIB)." in response.get_data(as_text=True)
    assert sessions_of(db, event) == []


def test_zero_jp_session_allowed(client_as, organiser, event, db):
    client_as(organiser).post(f"/kelola/acara/{event.id}/jadwal/baru", data=session_data(title="Pembukaan", jp="0"))

    (session,) = sessions_of(db, event)
    assert session.jp == 0


def test_edit_session(client_as, organiser, make_event, db):
    event = make_event(organisers=[organiser], sessions=2, start_date=date(2026, 11, 23))
    session = event.sessions[0]
    assert total_jp(db, event) == 8

    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/jadwal/{session.id}/ubah",
        data=session_data(title="Sesi Diubah", starts_at="2026-11-23T13:00", ends_at="2026-11-23T17:30", jp="6"),
    )

    assert response.status_code == 302
    db.session.refresh(session)
    assert (session.title, session.jp) == ("Sesi Diubah", 6)
    assert (session.starts_at, session.ends_at) == (datetime(2026, 11, 23, 6, 0), datetime(2026, 11, 23, 10, 30))
    assert total_jp(db, event) == 10


def test_edit_session_outside_dates_refused(client_as, organiser, make_event, db):
    event = make_event(organisers=[organiser], sessions=1, start_date=date(2026, 11, 23))
    session = event.sessions[0]
    before = (session.starts_at, session.ends_at)

    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/jadwal/{session.id}/ubah",
        data=session_data(starts_at="2026-12-01T08:00", ends_at="2026-12-01T10:00"),
    )

    assert "Sesi harus berada dalam tanggal acara" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert (session.starts_at, session.ends_at) == before


def test_delete_session_updates_total_jp(client_as, organiser, make_event, db):
    event = make_event(organisers=[organiser], sessions=2)
    session_id = event.sessions[0].id

    response = client_as(organiser).post(f"/kelola/acara/{event.id}/jadwal/{session_id}/hapus")

    assert response.status_code == 302
    assert db.session.get(EventSession, session_id) is None
    assert total_jp(db, event) == 4


def test_session_of_another_event_is_404(client_as, organiser, make_event, db):
    mine = make_event(organisers=[organiser], sessions=1)
    also_mine = make_event(organisers=[organiser], sessions=1)
    foreign_session = also_mine.sessions[0]
    before = (foreign_session.title, foreign_session.jp)
    client = client_as(organiser)

    url = f"/kelola/acara/{mine.id}/jadwal/{foreign_session.id}"
    assert client.get(f"{url}/ubah").status_code == 404
    assert client.post(f"{url}/ubah", data=session_data(title="Dibajak")).status_code == 404
    assert client.post(f"{url}/hapus").status_code == 404
    assert client.get(f"/kelola/acara/{mine.id}/jadwal/999999/ubah").status_code == 404
    db.session.refresh(foreign_session)
    assert (foreign_session.title, foreign_session.jp) == before


def test_event_dates_cannot_move_away_from_sessions(client_as, organiser, make_event, db):
    event = make_event(organisers=[organiser], sessions=1, start_date=date(2026, 11, 23), end_date=date(2026, 11, 24))

    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/ubah",
        data={
            "kind": "bimtek",
            "title": event.title,
            "organiser_agency_id": str(event.organiser_agency_id),
            "mode": "klasikal",
            "place": "Aula",
            "start_date": "2026-11-24",
            "end_date": "2026-11-25",
            "timezone": "Asia/Jakarta",
        },
    )

    assert "Ada sesi jadwal di luar tanggal acara yang baru" in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.start_date == date(2026, 11, 23)


def test_open_after_adding_a_session(client_as, organiser, event, db):
    client = client_as(organiser)
    refused = client.post(f"/kelola/acara/{event.id}/status", data={"status": "open"})
    db.session.refresh(event)
    status_before = event.status

    client.post(f"/kelola/acara/{event.id}/jadwal/baru", data=session_data())
    client.post(f"/kelola/acara/{event.id}/status", data={"status": "open"})

    assert refused.status_code == 302 and status_before is EventStatus.draft
    db.session.refresh(event)
    assert event.status is EventStatus.open
