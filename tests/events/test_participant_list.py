"""The organiser's participant list of an event: search, filters, approval, rejection, bulk approval, and adding
participants directly."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth.models import Role
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentSource, EnrolmentStatus
from tests.events.enrolment_helpers import enrol, flashed, status_of

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
        "ani": enrol(db, event, people["ani"], EnrolmentStatus.pending, requested_at=now - timedelta(hours=4)),
        "budi": enrol(db, event, people["budi"], EnrolmentStatus.pending, requested_at=now - timedelta(hours=3)),
        "citra": enrol(db, event, people["citra"], EnrolmentStatus.approved, requested_at=now - timedelta(hours=2)),
        "dedi": enrol(db, event, people["dedi"], EnrolmentStatus.waitlisted, requested_at=now - timedelta(hours=1)),
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
    assert status_of(db, event, organised["people"]["ani"]) is EnrolmentStatus.pending


def test_enrolment_of_another_event_is_404(db, client_as, make_event, make_user, organised):
    other = make_event()
    foreign = enrol(db, other, make_user(), EnrolmentStatus.pending)
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
    assert status_of(db, event, ani) is EnrolmentStatus.approved
    assert ("success", "Pendaftaran Dr. Ani Lestari, M.Si. disetujui.") in flashed(browser)


def test_reject_with_reason_is_shown_to_participant(db, client_as, organised):
    event, budi = organised["event"], organised["people"]["budi"]
    row = organised["rows"]["budi"]

    client_as(organised["organiser"]).post(
        f"/kelola/acara/{event.id}/peserta/{row.id}/tolak", data={"reason": "Bukan sasaran pelatihan ini"}
    )

    assert status_of(db, event, budi) is EnrolmentStatus.rejected
    page = client_as(budi).get("/pelatihan-saya").get_data(as_text=True)
    assert "Bukan sasaran pelatihan ini" in page and "Ditolak" in page
    event_page = client_as(budi).get(f"/pelatihan/{event.id}").get_data(as_text=True)
    assert "Bukan sasaran pelatihan ini" in event_page


def test_reject_frees_seat_for_waiting_list(db, client_as, organised):
    event = organised["event"]
    row = organised["rows"]["citra"]

    client_as(organised["organiser"]).post(f"/kelola/acara/{event.id}/peserta/{row.id}/tolak", data={"reason": "Dobel"})

    assert status_of(db, event, organised["people"]["dedi"]) is EnrolmentStatus.pending  # approval still required


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
    assert status_of(db, event, organised["people"]["dedi"]) is EnrolmentStatus.waitlisted


def test_bulk_approve_selected_pending_rows(db, client_as, organised):
    event, rows, people = organised["event"], organised["rows"], organised["people"]
    browser = client_as(organised["organiser"])

    browser.post(
        f"/kelola/acara/{event.id}/peserta/setujui-terpilih",
        data={"enrolment_ids": [rows["ani"].id, rows["budi"].id, rows["dedi"].id]},
    )

    assert status_of(db, event, people["ani"]) is EnrolmentStatus.approved
    assert status_of(db, event, people["budi"]) is EnrolmentStatus.approved
    assert status_of(db, event, people["dedi"]) is EnrolmentStatus.waitlisted  # not pending: skipped
    flashes = flashed(browser)
    assert ("success", "2 pendaftar disetujui.") in flashes
    assert any(category == "warning" and "1 pendaftar dilewati" in text for category, text in flashes)


def test_bulk_approve_without_selection(db, client_as, organised):
    event = organised["event"]
    browser = client_as(organised["organiser"])

    browser.post(f"/kelola/acara/{event.id}/peserta/setujui-terpilih", data={})

    assert ("error", "Pilih dahulu pendaftar yang akan disetujui.") in flashed(browser)
    assert status_of(db, event, organised["people"]["ani"]) is EnrolmentStatus.pending


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
    flashes = flashed(browser)
    assert any(category == "success" for category, _ in flashes)
    assert not any(category == "warning" for category, _ in flashes)


def test_add_participant_over_quota_warns(db, client_as, make_user, organised):
    event = organised["event"]  # quota 3, 3 seats taken
    person = make_user(name="Fajar Nugroho")
    browser = client_as(organised["organiser"])

    page = browser.post(
        f"/kelola/acara/{event.id}/peserta/tambah", data={"user_id": person.id}, follow_redirects=True
    ).get_data(as_text=True)

    assert status_of(db, event, person) is EnrolmentStatus.approved
    assert "melebihi kuota acara (3)" in page
    assert 'id="seat-taken">4<' in page


def test_add_participant_refuses_non_participant_and_duplicates(db, client_as, make_user, organised):
    event = organised["event"]
    browser = client_as(organised["organiser"])
    officer = make_user(role=Role.agency_officer)

    browser.post(f"/kelola/acara/{event.id}/peserta/tambah", data={"user_id": officer.id})
    assert ("error", "Hanya akun peserta yang dapat didaftarkan sebagai peserta.") in flashed(browser)
    assert status_of(db, event, officer) is None

    browser.post(f"/kelola/acara/{event.id}/peserta/tambah", data={"user_id": organised["people"]["citra"].id})
    assert any(category == "error" and "sudah terdaftar" in text for category, text in flashed(browser))


def test_add_participant_from_waiting_list_approves_existing_row(db, client_as, organised):
    event, dedi = organised["event"], organised["people"]["dedi"]

    client_as(organised["organiser"]).post(f"/kelola/acara/{event.id}/peserta/tambah", data={"user_id": dedi.id})

    rows = db.session.execute(select(Enrolment).where(Enrolment.user_id == dedi.id)).scalars().all()
    assert [r.status for r in rows] == [EnrolmentStatus.approved]


def test_approving_a_rejected_row_past_the_quota_warns(db, client_as, organised):
    event, row = organised["event"], organised["rows"]["ani"]
    browser = client_as(organised["organiser"])
    browser.post(f"/kelola/acara/{event.id}/peserta/{row.id}/tolak", data={"reason": "Salah pilih"})
    assert status_of(db, event, organised["people"]["dedi"]) is EnrolmentStatus.pending  # took the freed seat

    page = browser.post(f"/kelola/acara/{event.id}/peserta/{row.id}/setujui", follow_redirects=True).get_data(
        as_text=True
    )

    assert status_of(db, event, organised["people"]["ani"]) is EnrolmentStatus.approved
    assert "melebihi kuota acara (3)" in page
