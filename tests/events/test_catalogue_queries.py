"""Catalogue listing (who sees what, search, filters, pages, seats) and constant query counts of the lists."""

import re
from datetime import timedelta

import pytest

from lms.auth.models import Role
from lms.db import utcnow
from lms.events import enrolment as ops
from lms.events.models import Enrolment, EnrolmentStatus, EventKind, EventMode, EventStatus


@pytest.fixture
def per_page(app):
    """Set PER_PAGE for one test and restore it afterwards."""
    original = app.config["PER_PAGE"]

    def set_to(n: int) -> None:
        app.config["PER_PAGE"] = n

    yield set_to
    app.config["PER_PAGE"] = original


def _enrol(db, event, user, status=EnrolmentStatus.approved, **fields):
    enrolment = Enrolment(event_id=event.id, user_id=user.id, status=status, **fields)
    db.session.add(enrolment)
    db.session.commit()
    return enrolment


# Catalogue content ------------------------------------------------------------------------------


def test_catalogue_lists_open_and_running_events_only_for_anonymous(client, make_event):
    make_event(title="Bimtek Terbuka", status=EventStatus.open)
    make_event(title="Pelatihan Berjalan", status=EventStatus.running)
    make_event(title="Draf Rahasia", status=EventStatus.draft)
    make_event(title="Acara Selesai", status=EventStatus.finished)
    make_event(title="Acara Arsip", status=EventStatus.archived)

    response = client.get("/pelatihan")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Bimtek Terbuka" in page
    assert "Pelatihan Berjalan" in page
    for hidden in ("Draf Rahasia", "Acara Selesai", "Acara Arsip"):
        assert hidden not in page


def test_catalogue_orders_by_start_date(client, make_event):
    today = utcnow().date()
    make_event(title="Kedua Mulai", start_date=today + timedelta(days=20))
    make_event(title="Pertama Mulai", start_date=today + timedelta(days=5))
    make_event(title="Ketiga Mulai", start_date=today + timedelta(days=40))

    page = client.get("/pelatihan").get_data(as_text=True)

    assert page.index("Pertama Mulai") < page.index("Kedua Mulai") < page.index("Ketiga Mulai")


def test_catalogue_card_shows_kind_mode_agency_dates_place_jp(client, make_event, make_agency):
    from datetime import date

    agency = make_agency("Badan Pengembangan SDM Daerah")
    make_event(
        title="Bimtek Tanda Tangan Elektronik",
        organiser_agency=agency,
        kind=EventKind.pelatihan,
        mode=EventMode.klasikal,
        place="Aula Serbaguna BPSDMD",
        start_date=date(2031, 11, 22),
        end_date=date(2031, 11, 24),
        sessions=3,
    )
    make_event(title="Webinar Keamanan Siber", kind=EventKind.webinar, mode=EventMode.daring, place=None)

    page = client.get("/pelatihan").get_data(as_text=True)

    assert "Badan Pengembangan SDM Daerah" in page
    assert "Pelatihan" in page and "Klasikal (tatap muka)" in page
    assert "22 - 24 November 2031" in page
    assert "Aula Serbaguna BPSDMD" in page
    assert "12 JP" in page  # 3 sessions x 4 JP
    assert "Daring" in page


def test_catalogue_registration_window_states(client, make_event):
    now = utcnow()
    make_event(title="Belum Buka", registration_opens_at=now + timedelta(days=3))
    make_event(title="Buka Terbatas", registration_closes_at=now + timedelta(days=3))
    make_event(title="Sudah Tutup", registration_closes_at=now - timedelta(days=1))

    page = client.get("/pelatihan").get_data(as_text=True)

    assert "Pendaftaran belum dibuka" in page
    assert "Pendaftaran dibuka sampai" in page
    assert "Pendaftaran ditutup" in page


def test_catalogue_seats_left_and_unlimited(client, db, make_event, make_user):
    limited = make_event(title="Kuota Lima", quota=5)
    make_event(title="Tanpa Kuota", quota=None)
    full = make_event(title="Kuota Satu", quota=1)
    for _ in range(2):
        _enrol(db, limited, make_user())
    _enrol(db, limited, make_user(), status=EnrolmentStatus.pending)
    _enrol(db, limited, make_user(), status=EnrolmentStatus.withdrawn)  # holds no seat
    _enrol(db, full, make_user())

    page = client.get("/pelatihan").get_data(as_text=True)

    assert "Sisa 2 dari 5 kursi" in page
    assert "Tanpa batas kuota" in page
    assert "Kuota penuh (1)" in page


def test_catalogue_search_by_title_and_description(client, make_event):
    make_event(title="Bimtek Arsip Digital", description="Pengelolaan arsip dinamis")
    make_event(title="Pelatihan Kepemimpinan", description="Materi tentang SRIKANDI dan tata naskah")
    make_event(title="Workshop Data", description="Analisis data")

    by_title = client.get("/pelatihan?q=arsip").get_data(as_text=True)
    by_description = client.get("/pelatihan?q=srikandi").get_data(as_text=True)
    nothing = client.get("/pelatihan?q=tidakada%25").get_data(as_text=True)

    assert "Bimtek Arsip Digital" in by_title and "Workshop Data" not in by_title
    assert "Pelatihan Kepemimpinan" in by_description and "Bimtek Arsip Digital" not in by_description
    assert "Tidak ada pelatihan yang cocok" in nothing


def test_catalogue_filter_by_kind_and_mode(client, make_event):
    make_event(title="Acara Bimtek Klasikal", kind=EventKind.bimtek, mode=EventMode.klasikal)
    make_event(title="Acara Webinar Daring", kind=EventKind.webinar, mode=EventMode.daring)
    make_event(title="Acara Bimtek Daring", kind=EventKind.bimtek, mode=EventMode.daring)

    bimtek = client.get("/pelatihan?kind=bimtek").get_data(as_text=True)
    daring_bimtek = client.get("/pelatihan?kind=bimtek&mode=daring").get_data(as_text=True)
    bogus = client.get("/pelatihan?kind=bukan-jenis")

    assert "Acara Bimtek Klasikal" in bimtek and "Acara Bimtek Daring" in bimtek
    assert "Acara Webinar Daring" not in bimtek
    assert "Acara Bimtek Daring" in daring_bimtek
    assert "Acara Bimtek Klasikal" not in daring_bimtek and "Acara Webinar Daring" not in daring_bimtek
    assert bogus.status_code == 200  # an unknown value means "all"
    assert "Acara Webinar Daring" in bogus.get_data(as_text=True)


def test_catalogue_pagination(client, make_event, per_page):
    per_page(2)
    today = utcnow().date()
    for i in range(5):
        make_event(title=f"Acara Nomor {i}", start_date=today + timedelta(days=10 + i))

    first = client.get("/pelatihan").get_data(as_text=True)
    third = client.get("/pelatihan?page=3").get_data(as_text=True)

    assert "Acara Nomor 0" in first and "Acara Nomor 1" in first and "Acara Nomor 2" not in first
    assert "Acara Nomor 4" in third and "Acara Nomor 0" not in third
    assert "Menampilkan 2 dari 5 data" in first


def test_catalogue_shows_participants_own_status_and_waitlist_position(db, client_as, make_event, make_user):
    me, other = make_user(), make_user()
    approved_event = make_event(title="Saya Diterima")
    waiting_event = make_event(title="Saya Menunggu", quota=1)
    make_event(title="Belum Saya Ikuti")
    _enrol(db, approved_event, me)
    _enrol(db, waiting_event, other)
    _enrol(
        db, waiting_event, make_user(), status=EnrolmentStatus.waitlisted, requested_at=utcnow() - timedelta(hours=2)
    )
    _enrol(db, waiting_event, me, status=EnrolmentStatus.waitlisted, requested_at=utcnow() - timedelta(hours=1))

    page = client_as(me).get("/pelatihan").get_data(as_text=True)

    assert page.count("Status Anda:") == 2
    assert "Diterima" in page
    assert re.search(r"Daftar tunggu</span>\s*<span class=\"small\">nomor 2", page)


def test_catalogue_without_login_has_no_personal_status(client, db, make_event, make_user):
    event = make_event(title="Acara Umum")
    _enrol(db, event, make_user())

    page = client.get("/pelatihan").get_data(as_text=True)

    assert "Acara Umum" in page
    assert "Status Anda:" not in page


# Query helpers ----------------------------------------------------------------------------------


def test_waitlist_positions_follow_request_order_per_event(db, make_event, make_user):
    a, b = make_event(quota=1), make_event(quota=1)
    now = utcnow()
    later = _enrol(db, a, make_user(), status=EnrolmentStatus.waitlisted, requested_at=now)
    sooner = _enrol(db, a, make_user(), status=EnrolmentStatus.waitlisted, requested_at=now - timedelta(hours=1))
    alone = _enrol(db, b, make_user(), status=EnrolmentStatus.waitlisted, requested_at=now)
    approved = _enrol(db, b, make_user())

    positions = ops.waitlist_positions([later, sooner, alone, approved])

    assert positions == {sooner.id: 1, later.id: 2, alone.id: 1}


def test_seat_counts_group_per_event(db, make_event, make_user):
    a, b, c = make_event(), make_event(), make_event()
    _enrol(db, a, make_user())
    _enrol(db, a, make_user(), status=EnrolmentStatus.pending)
    _enrol(db, a, make_user(), status=EnrolmentStatus.waitlisted)
    _enrol(db, b, make_user(), status=EnrolmentStatus.rejected)

    assert ops.seat_counts([a.id, b.id, c.id]) == {a.id: 2}


# Constant number of queries ---------------------------------------------------------------------


def _catalogue_rows(db, make_event, make_user, participant, n: int) -> None:
    for i in range(n):
        event = make_event(title=f"Acara Massal {i}", quota=2 if i % 2 else None, sessions=2)
        _enrol(db, event, make_user())
        if i % 3 != 2:
            _enrol(db, event, participant, status=EnrolmentStatus.waitlisted if i % 2 else EnrolmentStatus.approved)


def _count_get(count_queries, client, url: str) -> tuple[int, str]:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "participant"])
def test_catalogue_query_count_does_not_grow_with_events(
    db, client, client_as, make_event, make_user, count_queries, per_page, logged_in
):
    per_page(50)
    participant = make_user()
    browser = client_as(participant) if logged_in else client

    _catalogue_rows(db, make_event, make_user, participant, 3)
    few, page = _count_get(count_queries, browser, "/pelatihan")
    assert page.count("Acara Massal") == 3
    _catalogue_rows(db, make_event, make_user, participant, 27)
    many, page = _count_get(count_queries, browser, "/pelatihan")
    assert page.count("Acara Massal") == 30

    assert few == many
    assert ("Status Anda:" in page) is logged_in


def test_my_trainings_query_count_does_not_grow(db, client_as, make_event, make_user, count_queries):
    me = make_user()
    browser = client_as(me)

    def add(n: int, start: int) -> None:
        today = utcnow().date()
        for i in range(start, start + n):
            past = i % 2 == 0
            event = make_event(
                title=f"Pelatihan Milik Saya {i}",
                quota=1,
                sessions=2,
                start_date=today - timedelta(days=30) if past else today + timedelta(days=i + 1),
                status=EventStatus.finished if past else EventStatus.open,
            )
            if i % 3 == 0:
                _enrol(db, event, make_user())
                _enrol(db, event, me, status=EnrolmentStatus.waitlisted)
            else:
                _enrol(db, event, me, status=EnrolmentStatus.rejected if i % 3 == 1 else EnrolmentStatus.approved)

    add(3, 0)
    few, page = _count_get(count_queries, browser, "/pelatihan-saya")
    assert page.count("Pelatihan Milik Saya") == 3
    add(27, 3)
    many, page = _count_get(count_queries, browser, "/pelatihan-saya")
    assert page.count("Pelatihan Milik Saya") == 30

    assert few == many


def test_participant_list_query_count_does_not_grow(
    db, client_as, make_event, make_user, make_agency, count_queries, per_page
):
    per_page(50)
    organiser = make_user(role=Role.organiser)
    event = make_event(organisers=[organiser], quota=10, requires_approval=True)
    browser = client_as(organiser)
    agencies = [make_agency(f"Dinas Massal {i}") for i in range(3)]
    statuses = list(EnrolmentStatus)

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            user = make_user(agency=agencies[i % 3], name=f"Peserta Massal {i}", position="Analis", rank="III/a")
            _enrol(db, event, user, status=statuses[i % len(statuses)], reason="Alasan" if i % 5 == 3 else None)

    add(3, 0)
    few, page = _count_get(count_queries, browser, f"/kelola/acara/{event.id}/peserta")
    assert page.count('id="enrolment-') == 3
    add(27, 3)
    many, page = _count_get(count_queries, browser, f"/kelola/acara/{event.id}/peserta")
    assert page.count('id="enrolment-') == 30

    assert few == many
