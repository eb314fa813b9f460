"""Event page, registration and withdrawal, "Pelatihan saya" and the organiser's participant list."""

import threading
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from lms.auth.models import Role
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentSource, EnrolmentStatus, EventStatus


def _enrol(db, event, user, status=EnrolmentStatus.approved, **fields):
    enrolment = Enrolment(event_id=event.id, user_id=user.id, status=status, **fields)
    db.session.add(enrolment)
    db.session.commit()
    return enrolment


def _status(db, event, user):
    return db.session.execute(
        select(Enrolment.status).where(Enrolment.event_id == event.id, Enrolment.user_id == user.id)
    ).scalar_one_or_none()


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as sess:
        return list(sess.get("_flashes", []))


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
    assert _status(db, event, user) is EnrolmentStatus.approved
    assert "Batalkan pendaftaran" in page  # he may withdraw
    assert "Sisa 2 dari 3 kursi" in page


def test_register_pending_when_approval_required(db, client_as, make_event, make_user):
    event = make_event(requires_approval=True)
    user = make_user()

    page = client_as(user).post(f"/pelatihan/{event.id}/daftar", follow_redirects=True).get_data(as_text=True)

    assert "menunggu persetujuan penyelenggara" in page
    assert _status(db, event, user) is EnrolmentStatus.pending


def test_register_waitlisted_with_position(db, client_as, make_event, make_user):
    event = make_event(quota=1)
    _enrol(db, event, make_user())
    first, second = make_user(), make_user()

    client_as(first).post(f"/pelatihan/{event.id}/daftar")
    browser = client_as(second)
    page = browser.post(f"/pelatihan/{event.id}/daftar", follow_redirects=True).get_data(as_text=True)

    assert "daftar tunggu nomor 2" in page
    assert _status(db, event, first) is EnrolmentStatus.waitlisted
    assert _status(db, event, second) is EnrolmentStatus.waitlisted


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
    assert _status(db, event, user) is None


def test_register_as_non_participant_refused(db, client_as, make_event, make_user):
    event = make_event()
    organiser = make_user(role=Role.organiser)

    response = client_as(organiser).post(f"/pelatihan/{event.id}/daftar")

    assert response.status_code == 403
    assert "Akses ditolak" in response.get_data(as_text=True)
    assert _status(db, event, organiser) is None


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
    assert _status(db, event, user) is None


def test_withdraw_promotes_waiting_list_and_keeps_reason(db, client_as, make_event, make_user):
    event = make_event(quota=1)
    holder, waiting = make_user(), make_user()
    client_as(holder).post(f"/pelatihan/{event.id}/daftar")
    client_as(waiting).post(f"/pelatihan/{event.id}/daftar")
    assert _status(db, event, waiting) is EnrolmentStatus.waitlisted

    response = client_as(holder).post(
        f"/pelatihan/{event.id}/batal", data={"reason": "Bentrok dengan tugas kantor"}, follow_redirects=True
    )

    assert "telah dibatalkan" in response.get_data(as_text=True)
    assert _status(db, event, holder) is EnrolmentStatus.withdrawn
    assert _status(db, event, waiting) is EnrolmentStatus.approved
    reason = db.session.scalar(select(Enrolment.reason).where(Enrolment.user_id == holder.id))
    assert reason == "Bentrok dengan tugas kantor"


def test_withdraw_without_enrolment_or_when_running_refused(db, client_as, make_event, make_user):
    user = make_user()
    open_event = make_event()
    running = make_event(status=EventStatus.running)
    _enrol(db, running, user)

    first = client_as(user).post(f"/pelatihan/{open_event.id}/batal", follow_redirects=True).get_data(as_text=True)
    second = client_as(user).post(f"/pelatihan/{running.id}/batal", follow_redirects=True).get_data(as_text=True)

    assert "Anda belum terdaftar pada acara ini." in first
    assert "tidak dapat dibatalkan lagi" in second
    assert _status(db, running, user) is EnrolmentStatus.approved


def test_register_again_after_withdrawing(db, client_as, make_event, make_user):
    event = make_event()
    user = make_user()
    browser = client_as(user)
    browser.post(f"/pelatihan/{event.id}/daftar")
    browser.post(f"/pelatihan/{event.id}/batal")

    browser.post(f"/pelatihan/{event.id}/daftar")

    assert _status(db, event, user) is EnrolmentStatus.approved


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
    _enrol(db, coming, me)
    _enrol(db, waiting, make_user())
    _enrol(db, waiting, me, status=EnrolmentStatus.waitlisted)
    _enrol(db, rejected, me, status=EnrolmentStatus.rejected, reason="Kuota khusus pejabat fungsional")
    _enrol(db, past, me)

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


# Organiser: participant list --------------------------------------------------------------------


@pytest.fixture
def organised(db, make_event, make_user, make_agency):
    """An event with its organiser and four enrolments in several statuses and agencies."""
    organiser = make_user(role=Role.organiser)
    event = make_event(title="Bimtek Kelola", organisers=[organiser], quota=3, requires_approval=True)
    dinsos, kominfo = make_agency("Dinas Sosial"), make_agency("Dinas Kominfo")
    people = {
        "ani": make_user(
            name="Dr. Ani Lestari, M.Si.", agency=dinsos, nip="198503122010012003", position="Analis", rank="III/c"
        ),
        "budi": make_user(name="Budi Santoso, S.Kom.", agency=kominfo, email="budi@kominfo.go.id"),
        "citra": make_user(name="Citra Ayu", agency=kominfo),
        "dedi": make_user(name="Dedi Kurnia", agency=dinsos),
    }
    now = utcnow()
    rows = {
        "ani": _enrol(db, event, people["ani"], EnrolmentStatus.pending, requested_at=now - timedelta(hours=4)),
        "budi": _enrol(db, event, people["budi"], EnrolmentStatus.pending, requested_at=now - timedelta(hours=3)),
        "citra": _enrol(db, event, people["citra"], EnrolmentStatus.approved, requested_at=now - timedelta(hours=2)),
        "dedi": _enrol(db, event, people["dedi"], EnrolmentStatus.waitlisted, requested_at=now - timedelta(hours=1)),
    }
    return {"event": event, "organiser": organiser, "people": people, "rows": rows}


def test_participant_list_shows_rows_and_seat_summary(client_as, organised):
    event = organised["event"]

    response = client_as(organised["organiser"]).get(f"/kelola/acara/{event.id}/peserta")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("Dr. Ani Lestari, M.Si.", "Budi Santoso, S.Kom.", "Citra Ayu", "Dedi Kurnia"):
        assert name in page
    assert "198503122010012003" in page and "Analis" in page and "III/c" in page
    assert "Dinas Sosial" in page
    assert 'id="seat-quota">3<' in page
    assert 'id="seat-taken">3<' in page
    assert 'id="seat-left">0<' in page
    assert 'id="seat-waiting">1<' in page
    assert "WIB" in page  # registered at, local time


def test_participant_list_scoped_to_the_events_organisers(client, client_as, make_user, organised):
    url = f"/kelola/acara/{organised['event'].id}/peserta"

    assert client_as(make_user(role=Role.organiser)).get(url).status_code == 404
    assert client_as(organised["people"]["ani"]).get(url).status_code == 403
    assert client.get(url).status_code == 302
    assert client_as(make_user(role=Role.admin)).get(url).status_code == 200


def test_participant_actions_refused_to_other_organisers(db, client_as, make_user, organised):
    event, row = organised["event"], organised["rows"]["ani"]
    stranger = client_as(make_user(role=Role.organiser))

    assert stranger.post(f"/kelola/acara/{event.id}/peserta/{row.id}/setujui").status_code == 404
    assert stranger.post(f"/kelola/acara/{event.id}/peserta/{row.id}/tolak", data={"reason": "x"}).status_code == 404
    assert (
        stranger.post(
            f"/kelola/acara/{event.id}/peserta/setujui-terpilih", data={"enrolment_ids": [row.id]}
        ).status_code
        == 404
    )
    assert _status(db, event, organised["people"]["ani"]) is EnrolmentStatus.pending


def test_enrolment_of_another_event_is_404(db, client_as, make_event, make_user, organised):
    other = make_event()
    foreign = _enrol(db, other, make_user(), EnrolmentStatus.pending)
    event = organised["event"]

    response = client_as(organised["organiser"]).post(f"/kelola/acara/{event.id}/peserta/{foreign.id}/setujui")

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Enrolment, foreign.id).status is EnrolmentStatus.pending


def test_participant_list_search_and_filters(client_as, organised):
    event = organised["event"]
    browser = client_as(organised["organiser"])
    url = f"/kelola/acara/{event.id}/peserta"
    kominfo_id = organised["people"]["budi"].agency_id

    by_name = browser.get(url, query_string={"q": "lestari"}).get_data(as_text=True)
    by_nip = browser.get(url, query_string={"q": "19850312"}).get_data(as_text=True)
    by_email = browser.get(url, query_string={"q": "budi@kominfo"}).get_data(as_text=True)
    by_status = browser.get(url, query_string={"status": "waitlisted"}).get_data(as_text=True)
    by_agency = browser.get(url, query_string={"agency": kominfo_id}).get_data(as_text=True)
    nobody = browser.get(url, query_string={"q": "zzz"}).get_data(as_text=True)

    assert "Ani Lestari" in by_name and "Budi Santoso" not in by_name
    assert "Ani Lestari" in by_nip and "Citra Ayu" not in by_nip
    assert "Budi Santoso" in by_email and "Ani Lestari" not in by_email
    assert "Dedi Kurnia" in by_status and "Citra Ayu" not in by_status
    assert "Budi Santoso" in by_agency and "Citra Ayu" in by_agency and "Dedi Kurnia" not in by_agency
    assert "Tidak ada pendaftar yang cocok" in nobody


def test_participant_list_pagination(client_as, organised, app):
    original = app.config["PER_PAGE"]
    app.config["PER_PAGE"] = 3
    try:
        browser = client_as(organised["organiser"])
        url = f"/kelola/acara/{organised['event'].id}/peserta"
        first = browser.get(url).get_data(as_text=True)
        second = browser.get(url, query_string={"page": 2}).get_data(as_text=True)
    finally:
        app.config["PER_PAGE"] = original

    assert first.count('id="enrolment-') == 3 and "Dedi Kurnia" not in first
    assert second.count('id="enrolment-') == 1 and "Dedi Kurnia" in second


def test_approve_then_list_redirects_back_with_filters(db, client_as, organised):
    event, ani = organised["event"], organised["people"]["ani"]
    row = organised["rows"]["ani"]
    browser = client_as(organised["organiser"])
    back = f"/kelola/acara/{event.id}/peserta?status=pending"

    response = browser.post(f"/kelola/acara/{event.id}/peserta/{row.id}/setujui", data={"next": back})

    assert response.status_code == 302
    assert response.headers["Location"] == back
    assert _status(db, event, ani) is EnrolmentStatus.approved
    assert ("success", "Pendaftaran Dr. Ani Lestari, M.Si. disetujui.") in _flashes(browser)


def test_reject_with_reason_is_shown_to_participant(db, client_as, organised):
    event, budi = organised["event"], organised["people"]["budi"]
    row = organised["rows"]["budi"]

    client_as(organised["organiser"]).post(
        f"/kelola/acara/{event.id}/peserta/{row.id}/tolak", data={"reason": "Bukan sasaran pelatihan ini"}
    )

    assert _status(db, event, budi) is EnrolmentStatus.rejected
    page = client_as(budi).get("/pelatihan-saya").get_data(as_text=True)
    assert "Bukan sasaran pelatihan ini" in page and "Ditolak" in page
    event_page = client_as(budi).get(f"/pelatihan/{event.id}").get_data(as_text=True)
    assert "Bukan sasaran pelatihan ini" in event_page


def test_reject_frees_seat_for_waiting_list(db, client_as, organised):
    event = organised["event"]
    row = organised["rows"]["citra"]

    client_as(organised["organiser"]).post(f"/kelola/acara/{event.id}/peserta/{row.id}/tolak", data={"reason": "Dobel"})

    assert _status(db, event, organised["people"]["dedi"]) is EnrolmentStatus.pending  # approval still required


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_reason_refused_and_nothing_changes(db, client_as, organised, reason):
    event, row = organised["event"], organised["rows"]["ani"]
    browser = client_as(organised["organiser"])

    page = browser.post(
        f"/kelola/acara/{event.id}/peserta/{row.id}/tolak", data={"reason": reason}, follow_redirects=True
    ).get_data(as_text=True)

    assert "Alasan penolakan wajib diisi." in page
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, row.id)
    assert enrolment.status is EnrolmentStatus.pending
    assert enrolment.reason is None


def test_cancel_on_participants_behalf(db, client_as, organised):
    event, row = organised["event"], organised["rows"]["citra"]

    client_as(organised["organiser"]).post(
        f"/kelola/acara/{event.id}/peserta/{row.id}/batalkan", data={"reason": "Sakit"}
    )

    db.session.expire_all()
    enrolment = db.session.get(Enrolment, row.id)
    assert enrolment.status is EnrolmentStatus.withdrawn
    assert enrolment.reason == "Sakit"
    assert enrolment.decided_by_id == organised["organiser"].id


def test_approve_waitlisted_when_full_refused(db, client_as, organised):
    event, row = organised["event"], organised["rows"]["dedi"]
    browser = client_as(organised["organiser"])

    page = browser.post(f"/kelola/acara/{event.id}/peserta/{row.id}/setujui", follow_redirects=True).get_data(
        as_text=True
    )

    assert "Kuota sudah penuh" in page
    assert _status(db, event, organised["people"]["dedi"]) is EnrolmentStatus.waitlisted


def test_bulk_approve_selected_pending_rows(db, client_as, organised):
    event, rows, people = organised["event"], organised["rows"], organised["people"]
    browser = client_as(organised["organiser"])

    browser.post(
        f"/kelola/acara/{event.id}/peserta/setujui-terpilih",
        data={"enrolment_ids": [rows["ani"].id, rows["budi"].id, rows["dedi"].id]},
    )

    assert _status(db, event, people["ani"]) is EnrolmentStatus.approved
    assert _status(db, event, people["budi"]) is EnrolmentStatus.approved
    assert _status(db, event, people["dedi"]) is EnrolmentStatus.waitlisted  # not pending: skipped
    flashes = _flashes(browser)
    assert ("success", "2 pendaftar disetujui.") in flashes
    assert any(category == "warning" and "1 pendaftar dilewati" in text for category, text in flashes)


def test_bulk_approve_without_selection(db, client_as, organised):
    event = organised["event"]
    browser = client_as(organised["organiser"])

    browser.post(f"/kelola/acara/{event.id}/peserta/setujui-terpilih", data={})

    assert ("error", "Pilih dahulu pendaftar yang akan disetujui.") in _flashes(browser)
    assert _status(db, event, organised["people"]["ani"]) is EnrolmentStatus.pending


# Organiser: add a participant -------------------------------------------------------------------


def test_add_participant_search_finds_accounts(client_as, make_user, organised):
    eko = make_user(name="Eko Prasetyo", nip="199001012015031002", email="eko@bpsdmd.go.id")
    make_user(role=Role.organiser, name="Eko Panitia")
    browser = client_as(organised["organiser"])
    url = f"/kelola/acara/{organised['event'].id}/peserta/tambah"

    for term in ("199001012015", "eko@bpsdmd", "prasetyo"):
        page = browser.get(url, query_string={"q": term}).get_data(as_text=True)
        assert "Eko Prasetyo" in page, term
        assert "Eko Panitia" not in page
        assert f'name="user_id" value="{eko.id}"' in page


def test_add_participant_approved_directly(db, client_as, make_event, make_user):
    organiser = make_user(role=Role.organiser)
    event = make_event(organisers=[organiser], quota=5, requires_approval=True)
    person = make_user()
    browser = client_as(organiser)

    response = browser.post(f"/kelola/acara/{event.id}/peserta/tambah", data={"user_id": person.id})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kelola/acara/{event.id}/peserta")
    enrolment = db.session.execute(select(Enrolment).where(Enrolment.user_id == person.id)).scalar_one()
    assert enrolment.status is EnrolmentStatus.approved
    assert enrolment.source is EnrolmentSource.organiser
    flashes = _flashes(browser)
    assert any(category == "success" for category, _ in flashes)
    assert not any(category == "warning" for category, _ in flashes)


def test_add_participant_over_quota_warns(db, client_as, make_user, organised):
    event = organised["event"]  # quota 3, 3 seats taken
    person = make_user(name="Fajar Nugroho")
    browser = client_as(organised["organiser"])

    page = browser.post(
        f"/kelola/acara/{event.id}/peserta/tambah", data={"user_id": person.id}, follow_redirects=True
    ).get_data(as_text=True)

    assert _status(db, event, person) is EnrolmentStatus.approved
    assert "melebihi kuota acara (3)" in page
    assert 'id="seat-taken">4<' in page


def test_add_participant_refuses_non_participant_and_duplicates(db, client_as, make_user, organised):
    event = organised["event"]
    browser = client_as(organised["organiser"])
    officer = make_user(role=Role.agency_officer)

    browser.post(f"/kelola/acara/{event.id}/peserta/tambah", data={"user_id": officer.id})
    assert ("error", "Hanya akun peserta yang dapat didaftarkan sebagai peserta.") in _flashes(browser)
    assert _status(db, event, officer) is None

    browser.post(f"/kelola/acara/{event.id}/peserta/tambah", data={"user_id": organised["people"]["citra"].id})
    assert any(category == "error" and "sudah terdaftar" in text for category, text in _flashes(browser))


def test_add_participant_from_waiting_list_approves_existing_row(db, client_as, organised):
    event, dedi = organised["event"], organised["people"]["dedi"]

    client_as(organised["organiser"]).post(f"/kelola/acara/{event.id}/peserta/tambah", data={"user_id": dedi.id})

    rows = db.session.execute(select(Enrolment).where(Enrolment.user_id == dedi.id)).scalars().all()
    assert [r.status for r in rows] == [EnrolmentStatus.approved]


def test_approving_a_rejected_row_past_the_quota_warns(db, client_as, organised):
    event, row = organised["event"], organised["rows"]["ani"]
    browser = client_as(organised["organiser"])
    browser.post(f"/kelola/acara/{event.id}/peserta/{row.id}/tolak", data={"reason": "Salah pilih"})
    assert _status(db, event, organised["people"]["dedi"]) is EnrolmentStatus.pending  # took the freed seat

    page = browser.post(f"/kelola/acara/{event.id}/peserta/{row.id}/setujui", follow_redirects=True).get_data(
        as_text=True
    )

    assert _status(db, event, organised["people"]["ani"]) is EnrolmentStatus.approved
    assert "melebihi kuota acara (3)" in page
