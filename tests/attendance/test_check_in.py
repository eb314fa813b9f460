"""QR check-in: codes and tickets, the window, late arrivals, refusals, log-in in the middle, double check-in."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from lms.attendance import operations as ops
from lms.attendance import tokens
from lms.attendance.models import Attendance, AttendanceMethod, AttendanceSettings, AttendanceStatus
from lms.db import utcnow
from lms.events.models import EnrolmentStatus
from tests.conftest import PASSWORD


def _records(db, session=None):
    query = select(Attendance)
    if session is not None:
        query = query.where(Attendance.session_id == session.id)
    return list(db.session.execute(query).scalars())


def _check_in(client, session, code):
    """Open the QR link, then press the confirmation button; returns the final response."""
    page = client.get(f"/presensi/{session.id}?k={code}")
    assert page.status_code == 200, page.get_data(as_text=True)
    ticket = _ticket_in(page.get_data(as_text=True))
    return client.post(f"/presensi/{session.id}", data={"ticket": ticket}, follow_redirects=True)


def _ticket_in(html: str) -> str:
    marker = 'name="ticket" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


# Codes and tickets ----------------------------------------------------------------------------------


def test_code_valid_for_current_and_previous_step_only(secret):
    rotation = 30
    at = 1_800_000_000.0
    step = tokens.time_step(rotation, at)
    current, previous, older = (tokens.code_for(secret, 7, step - n) for n in range(3))
    assert len(current) == 6 and set(current) <= set(tokens.ALPHABET)
    assert tokens.code_is_valid(secret, 7, current, rotation, at)
    assert tokens.code_is_valid(secret, 7, previous, rotation, at)
    assert not tokens.code_is_valid(secret, 7, older, rotation, at)
    assert not tokens.code_is_valid(secret, 8, current, rotation, at)  # another session
    assert not tokens.code_is_valid("other-secret", 7, current, rotation, at)
    # typed loosely: lower case, spaces, a dash
    assert tokens.code_is_valid(secret, 7, f" {current[:3].lower()}-{current[3:]} ", rotation, at)
    # a screenshot stops working within two rotations
    assert not tokens.code_is_valid(secret, 7, current, rotation, at + 2 * rotation)


def test_ticket_expires_and_is_bound_to_its_session(secret, clock):
    ticket = tokens.issue_ticket(secret, 5)
    assert tokens.ticket_is_valid(secret, 5, ticket)
    assert not tokens.ticket_is_valid(secret, 6, ticket)
    assert not tokens.ticket_is_valid(secret, 5, ticket[:-2] + "xx")
    assert not tokens.ticket_is_valid(secret, 5, None)
    clock(tokens.TICKET_MAX_AGE + 5)
    assert not tokens.ticket_is_valid(secret, 5, ticket)


# The QR link ------------------------------------------------------------------------------------------


def test_check_in_on_time_is_hadir(db, client_as, event, participant, code_of):
    session = event.sessions[0]
    response = _check_in(client_as(participant), session, code_of(session))
    html = response.get_data(as_text=True)
    assert "Presensi tercatat: Hadir" in html
    [record] = _records(db)
    assert (record.session_id, record.user_id, record.status) == (session.id, participant.id, AttendanceStatus.hadir)
    assert record.method is AttendanceMethod.qr
    assert record.recorded_by_id == participant.id
    assert abs((utcnow() - record.recorded_at).total_seconds()) < 60


def test_check_in_after_late_threshold_is_terlambat(db, client_as, event, participant, code_of):
    session = event.sessions[0]
    session.starts_at = utcnow() - timedelta(minutes=20)  # default late threshold: 15 minutes
    db.session.commit()
    response = _check_in(client_as(participant), session, code_of(session))
    assert "Presensi tercatat: Terlambat" in response.get_data(as_text=True)
    assert _records(db)[0].status is AttendanceStatus.terlambat


def test_late_threshold_and_window_are_per_event(db, client_as, event, participant, code_of):
    session = event.sessions[0]
    session.starts_at = utcnow() - timedelta(minutes=20)
    db.session.add(
        AttendanceSettings(
            event_id=event.id,
            opens_before_minutes=10,
            closes_after_minutes=30,
            late_after_minutes=25,
            qr_rotation_seconds=30,
        )
    )
    db.session.commit()
    _check_in(client_as(participant), session, code_of(session))
    assert _records(db)[0].status is AttendanceStatus.hadir


def test_before_window_refused(db, client_as, event, participant, code_of):
    session = event.sessions[0]
    session.starts_at = utcnow() + timedelta(minutes=45)  # window opens 30 minutes before
    session.ends_at = session.starts_at + timedelta(hours=2)
    db.session.commit()
    response = client_as(participant).get(f"/presensi/{session.id}?k={code_of(session)}")
    assert response.status_code == 403
    assert "Presensi untuk sesi ini belum dibuka" in response.get_data(as_text=True)
    assert _records(db) == []


def test_after_window_refused_even_with_a_ticket(db, client_as, event, participant, secret):
    session = event.sessions[0]
    session.starts_at = utcnow() - timedelta(minutes=61)  # window closes 60 minutes after the start
    db.session.commit()
    ticket = tokens.issue_ticket(secret, session.id)
    response = client_as(participant).post(f"/presensi/{session.id}", data={"ticket": ticket}, follow_redirects=True)
    assert "Presensi untuk sesi ini sudah ditutup" in response.get_data(as_text=True)
    assert _records(db) == []


def test_expired_code_refused(db, client_as, event, participant, code_of):
    session = event.sessions[0]
    response = client_as(participant).get(f"/presensi/{session.id}?k={code_of(session, steps_ago=2)}")
    assert response.status_code == 400
    assert "Kode presensi tidak berlaku" in response.get_data(as_text=True)
    assert 'name="ticket"' not in response.get_data(as_text=True)
    assert _records(db) == []


def test_previous_code_still_accepted(db, client_as, event, participant, code_of):
    session = event.sessions[0]
    _check_in(client_as(participant), session, code_of(session, steps_ago=1))
    assert len(_records(db)) == 1


def test_code_of_another_session_refused(db, client_as, event, participant, code_of, secret):
    first, second = event.sessions[0], event.sessions[1]
    response = client_as(participant).get(f"/presensi/{first.id}?k={code_of(second)}")
    assert response.status_code == 400
    # nor can a ticket of one session be used for another
    ticket = tokens.issue_ticket(secret, second.id)
    response = client_as(participant).post(f"/presensi/{first.id}", data={"ticket": ticket})
    assert response.status_code == 400
    assert _records(db) == []


def test_participant_not_enrolled_refused(db, client_as, make_user, enrol, event, code_of, secret):
    session = event.sessions[0]
    stranger = make_user()
    pending = enrol(event, make_user(), status=EnrolmentStatus.pending)
    for user in (stranger, pending):
        response = client_as(user).get(f"/presensi/{session.id}?k={code_of(session)}")
        assert response.status_code == 403
        assert "tidak terdaftar sebagai peserta yang diterima" in response.get_data(as_text=True)
    ticket = tokens.issue_ticket(secret, session.id)
    with_ticket = client_as(stranger).post(f"/presensi/{session.id}", data={"ticket": ticket}, follow_redirects=True)
    assert "tidak terdaftar sebagai peserta yang diterima" in with_ticket.get_data(as_text=True)
    assert _records(db) == []


def test_login_in_the_middle_of_a_check_in(db, client, event, participant, code_of, clock):
    session = event.sessions[0]
    response = client.get(f"/presensi/{session.id}?k={code_of(session)}")
    assert response.status_code == 302
    login_url = urlsplit(response.headers["Location"])
    assert login_url.path == "/masuk"
    next_url = parse_qs(login_url.query)["next"][0]
    assert next_url.startswith(f"/presensi/{session.id}?t=")
    assert "k=" not in next_url
    clock(75)  # typing the password takes a while: the scanned code (30 s rotation) is no longer valid
    response = client.post(f"/masuk?next={next_url}", data={"identifier": participant.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == next_url
    page = client.get(next_url)
    assert page.status_code == 200
    assert "Konfirmasi kehadiran" in page.get_data(as_text=True)
    done = client.post(
        f"/presensi/{session.id}", data={"ticket": _ticket_in(page.get_data(as_text=True))}, follow_redirects=True
    )
    assert "Presensi tercatat: Hadir" in done.get_data(as_text=True)
    assert [(r.user_id, r.status) for r in _records(db)] == [(participant.id, AttendanceStatus.hadir)]


def test_ticket_older_than_three_minutes_refused(db, client, event, participant, code_of, clock):
    session = event.sessions[0]
    response = client.get(f"/presensi/{session.id}?k={code_of(session)}")
    next_url = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]
    clock(tokens.TICKET_MAX_AGE + 10)
    client.post(f"/masuk?next={next_url}", data={"identifier": participant.email, "password": PASSWORD})
    page = client.get(next_url)
    assert page.status_code == 400
    assert "Waktu untuk menyelesaikan presensi sudah habis" in page.get_data(as_text=True)
    assert _records(db) == []


def test_anonymous_with_expired_code_is_told_without_login(db, client, event, code_of):
    session = event.sessions[0]
    response = client.get(f"/presensi/{session.id}?k={code_of(session, steps_ago=3)}")
    assert response.status_code == 400
    assert "Kode presensi tidak berlaku" in response.get_data(as_text=True)


def test_double_check_in_keeps_the_first(db, client_as, event, participant, code_of):
    session = event.sessions[0]
    client = client_as(participant)
    page = client.get(f"/presensi/{session.id}?k={code_of(session)}")
    ticket = _ticket_in(page.get_data(as_text=True))
    client.post(f"/presensi/{session.id}", data={"ticket": ticket})
    first_at = _records(db)[0].recorded_at
    # the button pressed again later, after the late threshold: the first check-in stays, still Hadir
    session.starts_at = utcnow() - timedelta(minutes=30)
    db.session.commit()
    response = client.post(f"/presensi/{session.id}", data={"ticket": ticket}, follow_redirects=True)
    assert "Anda sudah tercatat Hadir" in response.get_data(as_text=True)
    records = _records(db)
    assert len(records) == 1
    assert (records[0].status, records[0].recorded_at) == (AttendanceStatus.hadir, first_at)
    # scanning again shows the status, and no button
    again = client.get(f"/presensi/{session.id}?k={code_of(session)}").get_data(as_text=True)
    assert "Status Anda: Hadir" in again and 'name="ticket"' not in again


def test_check_in_operation_twice_records_once(db, event, participant):
    session = event.sessions[0]
    first, recorded = ops.check_in(session, participant)
    second, recorded_again = ops.check_in(session, participant)
    db.session.commit()
    assert (recorded, recorded_again) == (True, False)
    assert first.id == second.id
    assert db.session.execute(select(func.count(Attendance.id))).scalar_one() == 1


def test_qr_check_in_replaces_an_earlier_alpa(db, event, participant, organiser, client_as, code_of):
    session = event.sessions[0]
    ops.mark_many(session, {participant.id: (AttendanceStatus.alpa, None)}, by=organiser)
    db.session.commit()
    _check_in(client_as(participant), session, code_of(session))
    [record] = _records(db)
    assert (record.status, record.method, record.recorded_by_id) == (
        AttendanceStatus.hadir,
        AttendanceMethod.qr,
        participant.id,
    )


def test_typed_code(db, client_as, event, participant, code_of):
    session = event.sessions[0]
    client = client_as(participant)
    wrong = client.post("/presensi", data={"code": "ZZZZZZ"})
    assert "Kode tidak dikenali" in wrong.get_data(as_text=True)
    code = code_of(session)
    response = client.post("/presensi", data={"code": f"{code[:3].lower()} {code[3:]}"}, follow_redirects=True)
    assert "Presensi tercatat: Hadir" in response.get_data(as_text=True)
    assert [(r.session_id, r.user_id) for r in _records(db)] == [(session.id, participant.id)]


def test_typed_code_of_an_event_not_enrolled_is_not_recognised(db, client_as, make_user, event, code_of):
    session = event.sessions[0]
    response = client_as(make_user()).post("/presensi", data={"code": code_of(session)})
    assert "Kode tidak dikenali" in response.get_data(as_text=True)
    assert _records(db) == []


def test_check_in_link_needs_login_without_code(client, event):
    response = client.get(f"/presensi/{event.sessions[0].id}")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
