"""Event management by organisers and admins: create, edit, validation, list scoping and the detail page
(status moves and organisers: test_event_status.py)."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.auth.models import Role
from lms.events.models import (
    Enrolment,
    EnrolmentStatus,
    Event,
    EventKind,
    EventMode,
    EventStatus,
)


@pytest.fixture
def event_form(make_agency):
    agency = make_agency("BPSDMD Provinsi Banten")

    def build(**overrides) -> dict:
        data = {
            "kind": "bimtek",
            "title": "Bimtek Tata Kelola Data",
            "organiser_agency_id": str(agency.id),
            "description": "Baris satu\nBaris dua",
            "mode": "klasikal",
            "place": "Aula BPSDMD",
            "meeting_url": "",
            "start_date": "2026-11-23",
            "end_date": "2026-11-25",
            "timezone": "Asia/Jakarta",
            "registration_opens_at": "2026-11-01T08:00",
            "registration_closes_at": "2026-11-20T17:00",
            "quota": "30",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    build.agency = agency
    return build


def only_event(db) -> Event:
    return db.session.execute(select(Event)).scalar_one()


# Create / edit ------------------------------------------------------------------------------------


def test_organiser_creates_event_and_becomes_its_organiser(client_as, organiser, event_form, db):
    response = client_as(organiser).post("/kelola/acara/baru", data=event_form(requires_approval="y"))

    event = only_event(db)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kelola/acara/{event.id}")
    assert [u.id for u in event.organisers] == [organiser.id]
    assert event.created_by_id == organiser.id
    assert event.status is EventStatus.draft
    assert (event.kind, event.mode, event.title) == (EventKind.bimtek, EventMode.klasikal, "Bimtek Tata Kelola Data")
    assert (event.start_date, event.end_date) == (date(2026, 11, 23), date(2026, 11, 25))
    assert event.organiser_agency_id == event_form.agency.id
    assert (event.quota, event.requires_approval) == (30, True)
    # 08.00 WIB (UTC+7) is 01.00 UTC; 17.00 WIB is 10.00 UTC.
    assert event.registration_opens_at == datetime(2026, 11, 1, 1, 0)
    assert event.registration_closes_at == datetime(2026, 11, 20, 10, 0)


def test_admin_creates_event_without_becoming_organiser(client_as, admin, event_form, db):
    client_as(admin).post("/kelola/acara/baru", data=event_form(quota=""))

    event = only_event(db)
    assert event.organisers == []
    assert event.quota is None  # empty quota: unlimited


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("Asia/Jakarta", datetime(2026, 11, 1, 1, 0)),
        ("Asia/Makassar", datetime(2026, 11, 1, 0, 0)),
        ("Asia/Jayapura", datetime(2026, 10, 31, 23, 0)),
    ],
)
def test_registration_times_read_in_event_time_zone(client_as, organiser, event_form, db, tz, expected):
    client_as(organiser).post("/kelola/acara/baru", data=event_form(timezone=tz, registration_closes_at=""))

    event = only_event(db)
    assert event.timezone == tz
    assert event.registration_opens_at == expected
    assert event.registration_closes_at is None


def test_new_event_form_defaults(client_as, organiser):
    html = client_as(organiser).get("/kelola/acara/baru").get_data(as_text=True)

    assert '<option selected value="Asia/Jakarta">WIB (Asia/Jakarta)</option>' in html
    assert f'<option selected value="{organiser.agency_id}">' in html


def test_edit_shows_local_times_and_saves_changes(client_as, organiser, make_event, db):
    event = make_event(
        organisers=[organiser],
        timezone="Asia/Makassar",
        start_date=date(2026, 11, 23),
        end_date=date(2026, 11, 24),
        registration_opens_at=datetime(2026, 11, 1, 0, 0),  # 08.00 WITA
        quota=10,
    )
    client = client_as(organiser)

    form = client.get(f"/kelola/acara/{event.id}/ubah").get_data(as_text=True)
    response = client.post(
        f"/kelola/acara/{event.id}/ubah",
        data={
            "kind": "pelatihan",
            "title": "Pelatihan Keamanan Informasi",
            "organiser_agency_id": str(event.organiser_agency_id),
            "description": "",
            "mode": "daring",
            "place": "",
            "meeting_url": "https://zoom.example.go.id/j/1",
            "start_date": "2026-11-23",
            "end_date": "2026-11-26",
            "timezone": "Asia/Makassar",
            "registration_opens_at": "2026-11-02T09:30",
            "registration_closes_at": "",
            "quota": "",
        },
    )

    assert 'value="2026-11-01T08:00"' in form
    assert response.status_code == 302
    db.session.refresh(event)
    assert (event.kind, event.mode, event.title) == (
        EventKind.pelatihan,
        EventMode.daring,
        "Pelatihan Keamanan Informasi",
    )
    assert event.meeting_url == "https://zoom.example.go.id/j/1"
    assert event.place is None
    assert event.end_date == date(2026, 11, 26)
    assert event.registration_opens_at == datetime(2026, 11, 2, 1, 30)
    assert event.quota is None
    assert event.status is EventStatus.open  # editing does not touch the status


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2026-11-22"}, "Tanggal selesai tidak boleh sebelum tanggal mulai."),
        ({"place": ""}, "Tempat wajib diisi untuk acara klasikal atau blended."),
        ({"mode": "daring", "place": ""}, "Tautan rapat wajib diisi untuk acara daring atau blended."),
        ({"mode": "blended", "place": "", "meeting_url": "https://meet.example.id/x"}, "Tempat wajib diisi"),
        ({"mode": "blended"}, "Tautan rapat wajib diisi"),
        ({"mode": "daring", "meeting_url": "javascript:alert(1)"}, "diawali http:// atau https://"),
        ({"mode": "daring", "meeting_url": "ftp://files.example.id/a"}, "diawali http:// atau https://"),
        ({"quota": "0"}, "Kuota harus lebih dari 0"),
        ({"quota": "-5"}, "Kuota harus lebih dari 0"),
        ({"title": "  "}, "Wajib diisi."),
        ({"start_date": "23/11/2026"}, "Tanggal tidak valid."),
        ({"registration_closes_at": "2026-10-01T08:00"}, "Penutupan pendaftaran harus setelah pembukaannya."),
    ],
)
def test_create_validation_errors(client_as, organiser, event_form, db, overrides, message):
    response = client_as(organiser).post("/kelola/acara/baru", data=event_form(**overrides))

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.execute(select(Event)).first() is None


def test_blended_with_place_and_link_is_valid(client_as, organiser, event_form, db):
    client_as(organiser).post(
        "/kelola/acara/baru", data=event_form(mode="blended", meeting_url="http://meet.example.id/abc")
    )

    event = only_event(db)
    assert (event.mode, event.place, event.meeting_url) == (
        EventMode.blended,
        "Aula BPSDMD",
        "http://meet.example.id/abc",
    )


def test_description_is_escaped_and_keeps_line_breaks(client_as, organiser, make_event):
    event = make_event(organisers=[organiser], description="<script>alert(1)</script>\nBaris dua")

    html = client_as(organiser).get(f"/kelola/acara/{event.id}").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\nBaris dua" in html
    assert 'class="mb-0 text-pre-line"' in html  # white-space: pre-line, as a class (the CSP allows no inline style)


# List -------------------------------------------------------------------------------------------


def test_organiser_sees_only_assigned_events(client_as, organiser, make_user, make_event):
    other = make_user(role=Role.organiser)
    make_event(title="Acara Bersama", organisers=[organiser, other])
    make_event(title="Acara Milik Saya", organisers=[organiser])
    make_event(title="Acara Orang Lain", organisers=[other])
    make_event(title="Acara Tanpa Panitia")

    html = client_as(organiser).get("/kelola/acara/").get_data(as_text=True)

    assert "Acara Bersama" in html and "Acara Milik Saya" in html
    assert "Acara Orang Lain" not in html and "Acara Tanpa Panitia" not in html


def test_admin_sees_all_events(client_as, admin, organiser, make_event):
    make_event(title="Acara Milik Panitia", organisers=[organiser])
    make_event(title="Acara Tanpa Panitia")

    html = client_as(admin).get("/kelola/acara/").get_data(as_text=True)

    assert "Acara Milik Panitia" in html and "Acara Tanpa Panitia" in html


@pytest.mark.parametrize("role", [Role.participant, Role.agency_officer])
def test_list_and_create_forbidden_for_other_roles(client_as, make_user, make_event, event_form, db, role):
    event = make_event()
    client = client_as(make_user(role=role))

    assert client.get("/kelola/acara/").status_code == 403
    assert client.get("/kelola/acara/baru").status_code == 403
    assert client.post("/kelola/acara/baru", data=event_form()).status_code == 403
    assert client.get(f"/kelola/acara/{event.id}").status_code == 403
    assert client.post(f"/kelola/acara/{event.id}/status", data={"status": "draft"}).status_code == 403
    assert db.session.execute(select(Event.id)).scalars().all() == [event.id]


def test_list_row_shows_dates_status_jp_and_enrolled(client_as, admin, make_event, make_user, db):
    event = make_event(
        title="Bimtek Statistik Sektoral",
        start_date=date(2026, 11, 23),
        end_date=date(2026, 11, 25),
        sessions=3,  # 4 JP each
        quota=40,
    )
    for status in [EnrolmentStatus.approved, EnrolmentStatus.approved, EnrolmentStatus.pending]:
        db.session.add(Enrolment(event_id=event.id, user_id=make_user().id, status=status))
    db.session.commit()

    html = client_as(admin).get("/kelola/acara/").get_data(as_text=True)

    assert "23 - 25 November 2026" in html
    assert "Dibuka" in html
    assert '<td class="text-end">12</td>' in html
    assert '2</span><span class="text-muted"> / 40</span>' in html
    assert "1 menunggu" in html


def test_search_and_filters(client_as, admin, make_event):
    make_event(title="Bimtek Media Sosial", kind=EventKind.bimtek, status=EventStatus.open)
    make_event(title="Pelatihan Media Digital", kind=EventKind.pelatihan, status=EventStatus.draft)
    make_event(title="Webinar Keamanan Siber", kind=EventKind.webinar, status=EventStatus.open)
    make_event(title="Diskon 100% Bimtek", kind=EventKind.bimtek, status=EventStatus.finished)
    client = client_as(admin)

    by_title = client.get("/kelola/acara/?q=media").get_data(as_text=True)
    by_status = client.get("/kelola/acara/?status=open").get_data(as_text=True)
    by_kind = client.get("/kelola/acara/?kind=pelatihan").get_data(as_text=True)
    combined = client.get("/kelola/acara/?q=media&status=open&kind=bimtek").get_data(as_text=True)
    percent = client.get("/kelola/acara/?q=100%25").get_data(as_text=True)
    junk = client.get("/kelola/acara/?status=bogus&kind=bogus")

    assert "Bimtek Media Sosial" in by_title and "Pelatihan Media Digital" in by_title
    assert "Webinar Keamanan Siber" not in by_title
    assert "Bimtek Media Sosial" in by_status and "Webinar Keamanan Siber" in by_status
    assert "Pelatihan Media Digital" not in by_status
    assert "Pelatihan Media Digital" in by_kind and "Bimtek Media Sosial" not in by_kind
    assert "Bimtek Media Sosial" in combined and "Pelatihan Media Digital" not in combined
    assert "Webinar Keamanan Siber" not in combined
    assert "Diskon 100% Bimtek" in percent and "Bimtek Media Sosial" not in percent  # % matched literally
    assert junk.status_code == 200 and "Webinar Keamanan Siber" in junk.get_data(as_text=True)


def test_pagination(client_as, admin, make_event, app):
    per_page = app.config["PER_PAGE"]
    base = date(2026, 1, 1)
    for i in range(per_page + 3):
        make_event(title=f"Acara Nomor {i:03d}", start_date=base + timedelta(days=i))
    client = client_as(admin)

    first = client.get("/kelola/acara/").get_data(as_text=True)
    second = client.get("/kelola/acara/?page=2").get_data(as_text=True)

    # Newest first: the last three created are on page one, the first three on page two.
    assert "Acara Nomor 022" in first and "Acara Nomor 000" not in first
    assert first.count("Acara Nomor ") == per_page
    assert second.count("Acara Nomor ") == 3 and "Acara Nomor 000" in second
    assert 'aria-current="page">2<' in second


@pytest.mark.parametrize("as_admin", [True, False])
def test_list_query_count_does_not_grow_with_events(
    client_as, admin, organiser, make_event, make_user, db, count_queries, as_admin
):
    user = admin if as_admin else organiser
    participant = make_user()

    def add_events(n):
        for _ in range(n):
            event = make_event(organisers=[organiser], sessions=2)
            db.session.add(Enrolment(event_id=event.id, user_id=participant.id, status=EnrolmentStatus.approved))
        db.session.commit()

    client = client_as(user)
    add_events(3)
    client.get("/kelola/acara/")  # warm-up
    with count_queries() as few:
        response = client.get("/kelola/acara/")
    assert response.get_data(as_text=True).count("/kelola/acara/") >= 3
    add_events(27)
    with count_queries() as many:
        response = client.get("/kelola/acara/")
    assert response.status_code == 200
    assert few.count == many.count


# Detail ------------------------------------------------------------------------------------------


def test_detail_shows_data_sessions_and_counts(client_as, organiser, make_event, make_user, db):
    event = make_event(
        organisers=[organiser],
        title="Bimtek Satu Data",
        start_date=date(2026, 11, 23),
        end_date=date(2026, 11, 24),
        sessions=2,
        meeting_url="https://meet.example.id/abc",
    )
    for status in [EnrolmentStatus.approved, EnrolmentStatus.waitlisted, EnrolmentStatus.waitlisted]:
        db.session.add(Enrolment(event_id=event.id, user_id=make_user().id, status=status))
    db.session.commit()

    html = client_as(organiser).get(f"/kelola/acara/{event.id}").get_data(as_text=True)

    assert "Bimtek Satu Data" in html
    assert "Senin, 23 November 2026 08.00 WIB" in html  # the fixture's first session, 01.00 UTC
    assert "11.00 WIB" in html
    assert "Narasumber 1" in html and "Narasumber 2" in html
    assert '<td class="text-end fw-semibold">8</td>' in html  # total JP
    assert "180 menit ≈ 4 JP" in html
    assert 'href="https://meet.example.id/abc"' in html
    assert 'Daftar tunggu</span><span class="fw-semibold">2</span>' in html
    assert 'Diterima</span><span class="fw-semibold">1</span>' in html


def test_detail_participants_link_only_when_endpoint_exists(client_as, organiser, make_event, app):
    event = make_event(organisers=[organiser])

    html = client_as(organiser).get(f"/kelola/acara/{event.id}").get_data(as_text=True)

    if "enrolment.participants" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            assert url_for("enrolment.participants", event_id=event.id) in html
    else:
        assert ">Peserta</a>" not in html


def test_other_organisers_event_is_404(client_as, organiser, make_user, make_event, db):
    other = make_user(role=Role.organiser)
    event = make_event(organisers=[other], sessions=1, status=EventStatus.draft, title="Rahasia")
    session_id = event.sessions[0].id
    client = client_as(organiser)

    urls_get = [
        f"/kelola/acara/{event.id}",
        f"/kelola/acara/{event.id}/ubah",
        f"/kelola/acara/{event.id}/jadwal/baru",
        f"/kelola/acara/{event.id}/jadwal/{session_id}/ubah",
        f"/kelola/acara/{event.id}/penyelenggara",
    ]
    for url in urls_get:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/kelola/acara/{event.id}/status", data={"status": "open"}).status_code == 404
    assert client.post(f"/kelola/acara/{event.id}/jadwal/{session_id}/hapus").status_code == 404
    assert client.post(f"/kelola/acara/{event.id}/ubah", data={"title": "Diubah"}).status_code == 404
    assert client.get("/kelola/acara/999999").status_code == 404
    db.session.refresh(event)
    assert (event.status, event.title, len(event.sessions)) == (EventStatus.draft, "Rahasia", 1)
