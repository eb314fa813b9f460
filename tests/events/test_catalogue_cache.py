"""The memoised catalogue and "Pelatihan saya" cards (lms/events/catalogue.py) are never stale, never
cross locales, and keep each participant's own status to himself; the page and its total come in one query."""

import re
from datetime import timedelta

import pytest

from lms.db import utcnow
from lms.events.catalogue import FragmentCache
from lms.events.models import Enrolment, EnrolmentStatus, Event, EventStatus
from lms.freshness import clear_read_caches


@pytest.fixture
def per_page(app):
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


def _card_of(page: str, title: str) -> str:
    """The HTML of the catalogue card whose title is ``title``."""
    start = page.index(title)
    return page[page.rindex('<div class="col">', 0, start) : page.index("</article>", start)]


def test_card_shows_every_change_at_once(db, client, make_event, make_user):
    event = make_event(title="Bimtek Arsip", quota=3, place="Aula Lama")
    first = _card_of(client.get("/pelatihan").get_data(as_text=True), "Bimtek Arsip")
    assert "Sisa 3 dari 3 kursi" in first and "Aula Lama" in first

    _enrol(db, event, make_user())
    event = db.session.get(Event, event.id)
    event.title = "Bimtek Arsip Digital"
    event.place = "Aula Baru"
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    second = _card_of(client.get("/pelatihan").get_data(as_text=True), "Bimtek Arsip Digital")

    assert "Sisa 2 dari 3 kursi" in second
    assert "Aula Baru" in second and "Aula Lama" not in second
    assert "Pendaftaran ditutup" in second


def test_registration_state_follows_the_clock(db, client, make_event):
    event = make_event(title="Segera Dibuka", registration_opens_at=utcnow() + timedelta(days=1))
    assert "Pendaftaran belum dibuka" in _card_of(client.get("/pelatihan").get_data(as_text=True), "Segera Dibuka")

    event = db.session.get(Event, event.id)
    event.registration_opens_at = utcnow() - timedelta(seconds=1)  # the moment has come
    db.session.commit()

    card = _card_of(client.get("/pelatihan").get_data(as_text=True), "Segera Dibuka")
    assert "Pendaftaran dibuka" in card and "belum" not in card


def test_cards_follow_the_chosen_language(client, make_event):
    make_event(title="Webinar Bahasa", quota=None)
    assert "Tanpa batas kuota" in client.get("/pelatihan").get_data(as_text=True)

    client.post("/bahasa/en", data={"next": "/pelatihan"})
    english = client.get("/pelatihan").get_data(as_text=True)
    assert "No quota limit" in english and "Tanpa batas kuota" not in english

    client.post("/bahasa/id", data={"next": "/pelatihan"})
    assert "Tanpa batas kuota" in client.get("/pelatihan").get_data(as_text=True)


def test_each_participant_sees_only_his_own_status(db, client, client_as, make_event, make_user):
    event = make_event(title="Kelas Penuh", quota=1)
    holder, waiting = make_user(), make_user()
    _enrol(db, event, holder)
    _enrol(db, event, waiting, status=EnrolmentStatus.waitlisted)

    holder_page = client_as(holder).get("/pelatihan").get_data(as_text=True)
    waiting_page = client_as(waiting).get("/pelatihan").get_data(as_text=True)
    anonymous_page = client.get("/pelatihan").get_data(as_text=True)

    assert "Diterima" in _card_of(holder_page, "Kelas Penuh") and "Daftar tunggu" not in holder_page
    assert re.search(r"Daftar tunggu</span>\s*<span class=\"small\">nomor 1", _card_of(waiting_page, "Kelas Penuh"))
    assert "Status Anda:" not in anonymous_page
    # the shared part of the card is the same for all three
    for page in (holder_page, waiting_page, anonymous_page):
        assert "Kuota penuh (1)" in page


def test_my_trainings_status_reason_and_changes(db, client_as, make_event, make_user):
    me = make_user()
    event = make_event(title="Pelatihan Ditolak")
    enrolment = _enrol(db, event, me, status=EnrolmentStatus.rejected, reason="Kuota <b>instansi</b> penuh")
    browser = client_as(me)

    page = browser.get("/pelatihan-saya").get_data(as_text=True)
    assert "Ditolak" in page and "Kuota &lt;b&gt;instansi&lt;/b&gt; penuh" in page

    enrolment = db.session.get(Enrolment, enrolment.id)
    enrolment.status, enrolment.reason = EnrolmentStatus.approved, None
    event = db.session.get(Event, event.id)
    event.title = "Pelatihan Diterima"
    event.status = EventStatus.draft  # no longer public: the title is shown without a link
    db.session.commit()

    page = browser.get("/pelatihan-saya").get_data(as_text=True)
    assert "Diterima" in page and "Alasan penolakan" not in page
    assert "Pelatihan Diterima" in page and f'href="/pelatihan/{event.id}"' not in page


def test_filter_form_keeps_each_search(client, make_event):
    make_event(title="Bimtek Arsip")
    first = client.get("/pelatihan?q=arsip&kind=bimtek").get_data(as_text=True)
    second = client.get("/pelatihan?q=data").get_data(as_text=True)
    plain = client.get("/pelatihan").get_data(as_text=True)

    assert 'value="arsip"' in first and re.search(r'<option selected value="bimtek">|value="bimtek" selected', first)
    assert 'value="data"' in second and 'value="arsip"' not in second
    assert "Tidak ada pelatihan yang cocok" in second
    assert 'value="arsip"' not in plain and "Bimtek Arsip" in plain


def test_total_is_exact_on_every_page_and_past_the_end(client, make_event, per_page):
    per_page(2)
    today = utcnow().date()
    for i in range(5):
        make_event(title=f"Acara Halaman {i}", start_date=today + timedelta(days=10 + i))
    make_event(title="Draf Tersembunyi", status=EventStatus.draft)

    third = client.get("/pelatihan?page=3").get_data(as_text=True)
    past_the_end = client.get("/pelatihan?page=9")

    assert "Acara Halaman 4" in third and "Menampilkan 1 dari 5 data" in third
    assert past_the_end.status_code == 200
    assert "Acara Halaman" not in past_the_end.get_data(as_text=True)


def test_anonymous_catalogue_is_one_query(app, client, make_event, count_queries):
    for i in range(3):
        make_event(title=f"Acara {i}", quota=10)

    client.get("/pelatihan")  # first use of the connection pool
    clear_read_caches(app)  # the rows are read again (lms/freshness.py would otherwise keep them)
    with count_queries() as counter:
        response = client.get("/pelatihan")

    assert response.status_code == 200
    selects = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT") and "events" in s]
    assert len(selects) == 1, counter.statements  # page, seats, JP and the total together


def test_fragment_cache_is_a_bounded_lru():
    cache = FragmentCache(maxsize=2)
    assert cache.get("a", lambda: "A") == "A"
    assert cache.get("b", lambda: "B") == "B"
    assert cache.get("a", lambda: "changed") == "A"  # a hit; "a" is now the most recent
    assert cache.get("c", lambda: "C") == "C"  # evicts "b", the least recent
    assert cache.get("b", lambda: "B again") == "B again"
    assert (cache.hits, cache.misses) == (1, 4)
