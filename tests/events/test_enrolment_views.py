"""Event page, registration and withdrawal, and "Pelatihan saya" (the organiser's side: test_participant_list.py)."""

import threading
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from lms.auth.models import Role
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentStatus, EventStatus
from tests.events.enrolment_helpers import enrol, status_of

# Event page -------------------------------------------------------------------------------------


def test_event_page_public_details_with_local_session_times(client, make_event):
    event = make_event(title="Bimtek SPBE", sessions=2, description="Materi <b>penting</b>")

    response = client.get(f"/pelatihan/{event.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bimtek SPBE" in page
    assert "08.00 WIB" in page  # 01.00 UTC shown in Asia/Jakarta
    assert "11.00 WIB" in page
    assert "Sesi 1" in page and "Narasumber 2" in page
    assert "8 JP" in page
    assert "Materi &lt;b&gt;penting&lt;/b&gt;" in page  # user text escaped


def test_event_page_uses_the_event_timezone(client, make_event):
    event = make_event(sessions=1, timezone="Asia/Makassar")

    page = client.get(f"/pelatihan/{event.id}").get_data(as_text=True)

    assert "09.00 WITA" in page


def test_event_page_anonymous_is_sent_to_log_in_with_next(app, client, make_event):
    event = make_event()

    page = client.get(f"/pelatihan/{event.id}").get_data(as_text=True)

    with app.test_request_context():
        login_url = url_for("auth.login", next=f"/pelatihan/{event.id}")
    assert f'href="{login_url}"' in page
    assert "Masuk untuk mendaftar" in page


def test_register_post_when_anonymous_redirects_to_login(app, client, db, make_event):
    event = make_event()

    response = client.post(f"/pelatihan/{event.id}/daftar")

    assert response.status_code == 302
    with app.test_request_context():
        assert response.headers["Location"].startswith(url_for("auth.login"))
    assert db.session.scalar(select(Enrolment.id)) is None


@pytest.mark.parametrize("status", [EventStatus.draft, EventStatus.archived])
def test_hidden_event_page_404_for_anonymous_and_participants_visible_to_organiser(
    client, client_as, make_event, make_user, status
):
    organiser = make_user(role=Role.organiser)
    event = make_event(title="Acara Tersembunyi", status=status, organisers=[organiser])

    assert client.get(f"/pelatihan/{event.id}").status_code == 404
    assert client_as(make_user()).get(f"/pelatihan/{event.id}").status_code == 404
    assert client_as(make_user(role=Role.organiser)).get(f"/pelatihan/{event.id}").status_code == 404
    response = client_as(organiser).get(f"/pelatihan/{event.id}")
    assert response.status_code == 200
    assert "Acara Tersembunyi" in response.get_data(as_text=True)
    assert client_as(make_user(role=Role.admin)).get(f"/pelatihan/{event.id}").status_code == 200


def test_finished_event_page_is_public_without_register_button(client, make_event):
    event = make_event(status=EventStatus.finished)

    response = client.get(f"/pelatihan/{event.id}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Pendaftaran ditutup" in page
    assert "Masuk untuk mendaftar" not in page


def test_event_page_unknown_id_404(client):
    assert client.get("/pelatihan/999999").status_code == 404


# Registration -----------------------------------------------------------------------------------


def test_register_approved(db, client_as, make_event, make_user):
    event = make_event(title="Bimtek Terbuka", quota=3)
    user = make_user()
    browser = client_as(user)

    response = browser.post(f"/pelatihan/{event.id}/daftar", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.request.path == f"/pelatihan/{event.id}"
    assert "Pendaftaran Anda diterima" in page
    assert status_of(db, event, user) is EnrolmentStatus.approved
    assert "Batalkan pendaftaran" in page  # he may withdraw
    assert "Sisa 2 dari 3 kursi" in page


def test_register_pending_when_approval_required(db, client_as, make_event, make_user):
    event = make_event(requires_approval=True)
    user = make_user()

    page = client_as(user).post(f"/pelatihan/{event.id}/daftar", follow_redirects=True).get_data(as_text=True)

    assert "menunggu persetujuan penyelenggara" in page
    assert status_of(db, event, user) is EnrolmentStatus.pending


def test_register_waitlisted_with_position(db, client_as, make_event, make_user):
    event = make_event(quota=1)
    enrol(db, event, make_user())
    first, second = make_user(), make_user()

    client_as(first).post(f"/pelatihan/{event.id}/daftar")
    browser = client_as(second)
    page = browser.post(f"/pelatihan/{event.id}/daftar", follow_redirects=True).get_data(as_text=True)

    assert "daftar tunggu nomor 2" in page
    assert status_of(db, event, first) is EnrolmentStatus.waitlisted
    assert status_of(db, event, second) is EnrolmentStatus.waitlisted


@pytest.mark.parametrize(
    "fields",
    [
        {"registration_opens_at": "future"},
        {"registration_closes_at": "past"},
        {"status": EventStatus.running},
    ],
    ids=["not-yet-open", "closed", "running"],
)
def test_register_outside_window_refused(db, client_as, make_event, make_user, fields):
    now = utcnow()
    values = {"future": now + timedelta(days=1), "past": now - timedelta(days=1)}
    event = make_event(**{k: values.get(v, v) if isinstance(v, str) else v for k, v in fields.items()})
    user = make_user()

    page = client_as(user).post(f"/pelatihan/{event.id}/daftar", follow_redirects=True).get_data(as_text=True)

    assert "Pendaftaran untuk acara ini sedang tidak dibuka." in page
    assert status_of(db, event, user) is None


def test_register_as_non_participant_refused(db, client_as, make_event, make_user):
    event = make_event()
    organiser = make_user(role=Role.organiser)

    response = client_as(organiser).post(f"/pelatihan/{event.id}/daftar")

    assert response.status_code == 403
    assert "Akses ditolak" in response.get_data(as_text=True)
    assert status_of(db, event, organiser) is None


def test_register_twice_refused(db, client_as, make_event, make_user):
    event = make_event(quota=5)
    user = make_user()
    browser = client_as(user)

    browser.post(f"/pelatihan/{event.id}/daftar")
    page = browser.post(f"/pelatihan/{event.id}/daftar", follow_redirects=True).get_data(as_text=True)

    assert "Anda sudah terdaftar pada acara ini." in page
    count = db.session.scalar(select(db.func.count(Enrolment.id)).where(Enrolment.event_id == event.id))
    assert count == 1


def test_register_draft_event_404(db, client_as, make_event, make_user):
    event = make_event(status=EventStatus.draft)
    user = make_user()

    assert client_as(user).post(f"/pelatihan/{event.id}/daftar").status_code == 404
    assert status_of(db, event, user) is None


def test_withdraw_promotes_waiting_list_and_keeps_reason(db, client_as, make_event, make_user):
    event = make_event(quota=1)
    holder, waiting = make_user(), make_user()
    client_as(holder).post(f"/pelatihan/{event.id}/daftar")
    client_as(waiting).post(f"/pelatihan/{event.id}/daftar")
    assert status_of(db, event, waiting) is EnrolmentStatus.waitlisted

    response = client_as(holder).post(
        f"/pelatihan/{event.id}/batal", data={"reason": "Bentrok dengan tugas kantor"}, follow_redirects=True
    )

    assert "telah dibatalkan" in response.get_data(as_text=True)
    assert status_of(db, event, holder) is EnrolmentStatus.withdrawn
    assert status_of(db, event, waiting) is EnrolmentStatus.approved
    reason = db.session.scalar(select(Enrolment.reason).where(Enrolment.user_id == holder.id))
    assert reason == "Bentrok dengan tugas kantor"


def test_withdraw_without_enrolment_or_when_running_refused(db, client_as, make_event, make_user):
    user = make_user()
    open_event = make_event()
    running = make_event(status=EventStatus.running)
    enrol(db, running, user)

    first = client_as(user).post(f"/pelatihan/{open_event.id}/batal", follow_redirects=True).get_data(as_text=True)
    second = client_as(user).post(f"/pelatihan/{running.id}/batal", follow_redirects=True).get_data(as_text=True)

    assert "Anda belum terdaftar pada acara ini." in first
    assert "tidak dapat dibatalkan lagi" in second
    assert status_of(db, running, user) is EnrolmentStatus.approved


def test_register_again_after_withdrawing(db, client_as, make_event, make_user):
    event = make_event()
    user = make_user()
    browser = client_as(user)
    browser.post(f"/pelatihan/{event.id}/daftar")
    browser.post(f"/pelatihan/{event.id}/batal")

    browser.post(f"/pelatihan/{event.id}/daftar")

    assert status_of(db, event, user) is EnrolmentStatus.approved


def test_concurrent_http_registrations_respect_quota(app, db, make_event, make_user, login):
    quota = 3
    event = make_event(quota=quota)
    users = [make_user() for _ in range(10)]
    clients = [login(app.test_client(), u) for u in users]
    url = f"/pelatihan/{event.id}/daftar"
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []
    errors: list[BaseException] = []

    def worker(browser) -> None:
        try:
            barrier.wait()
            codes.append(browser.post(url).status_code)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert codes == [302] * 10
    db.session.expire_all()
    statuses = db.session.execute(select(Enrolment.status).where(Enrolment.event_id == event.id)).scalars().all()
    assert len(statuses) == 10
    assert statuses.count(EnrolmentStatus.approved) == quota
    assert statuses.count(EnrolmentStatus.waitlisted) == 10 - quota


# Pelatihan saya ---------------------------------------------------------------------------------


def test_my_trainings_lists_status_reason_position_and_splits_past(db, client_as, make_event, make_user):
    me = make_user()
    today = utcnow().date()
    coming = make_event(title="Akan Datang Diterima", sessions=2)
    waiting = make_event(title="Akan Datang Menunggu", quota=1)
    rejected = make_event(title="Ditolak Panitia")
    past = make_event(
        title="Sudah Lewat",
        status=EventStatus.finished,
        start_date=today - timedelta(days=40),
        end_date=today - timedelta(days=38),
    )
    make_event(title="Bukan Milik Saya")
    enrol(db, coming, me)
    enrol(db, waiting, make_user())
    enrol(db, waiting, me, status=EnrolmentStatus.waitlisted)
    enrol(db, rejected, me, status=EnrolmentStatus.rejected, reason="Kuota khusus pejabat fungsional")
    enrol(db, past, me)

    response = client_as(me).get("/pelatihan-saya")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    upcoming_part, past_part = page.split('id="past-heading"')
    for title in ("Akan Datang Diterima", "Akan Datang Menunggu", "Ditolak Panitia"):
        assert title in upcoming_part
    assert "Sudah Lewat" in past_part and "Sudah Lewat" not in upcoming_part
    assert "Bukan Milik Saya" not in page
    assert "Kuota khusus pejabat fungsional" in page
    assert "daftar tunggu: nomor 1" in page
    assert "8 JP" in page
    for label in ("Diterima", "Daftar tunggu", "Ditolak"):
        assert label in page


@pytest.mark.parametrize("role", [Role.organiser, Role.admin, Role.agency_officer])
def test_my_trainings_is_for_participants_only(client, client_as, make_user, role):
    assert client_as(make_user(role=role)).get("/pelatihan-saya").status_code == 403
    assert client.get("/pelatihan-saya").status_code == 302
