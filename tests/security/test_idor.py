"""Changing ids in URLs: a participant reaches nobody else's certificate, attempt, material, attendance, job or
profile, and an agency officer no other agency's staff; every such try answers 404 (or 403 for a role that
never has the page) and changes nothing."""

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.assessments.models import Answer, Attempt, AttemptStatus
from lms.attendance import tokens
from lms.attendance.models import Attendance
from lms.certificates.models import Certificate
from lms.courses.models import MaterialProgress


def _attempt_state(db, attempt_id: int):
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    answers = db.session.execute(select(func.count()).select_from(Answer).where(Answer.attempt_id == attempt_id))
    return attempt.status, attempt.submitted_at, attempt.score, answers.scalar_one()


def test_participant_cannot_download_another_participants_certificate(client_as, scene):
    alice = client_as(scene["alice"])
    assert alice.get(f"/sertifikat-saya/{scene['certificates']['alice'].id}.pdf").status_code == 200
    for name in ("bob", "bob_other"):
        response = alice.get(f"/sertifikat-saya/{scene['certificates'][name].id}.pdf")
        assert response.status_code == 404
        assert not response.data.startswith(b"%PDF")
    # Nor through the organiser's or the officer's download address.
    event_id, bob_cert = scene["event"].id, scene["certificates"]["bob"].id
    assert alice.get(f"/kelola/acara/{event_id}/sertifikat/{bob_cert}.pdf").status_code in (403, 404)
    assert alice.get(f"/instansi/sertifikat/{bob_cert}.pdf").status_code in (403, 404)
    assert "Bob Korban" not in alice.get("/sertifikat-saya").get_data(as_text=True)


def test_participant_cannot_read_or_change_another_participants_attempt(db, client_as, scene):
    alice, event_id = client_as(scene["alice"]), scene["event"].id
    bob_attempt = scene["attempts"]["bob"].id
    question = scene["question"]
    before = _attempt_state(db, bob_attempt)
    base = f"/pelatihan/{event_id}/tes/percobaan/{bob_attempt}"
    assert alice.get(base).status_code == 404
    assert alice.get(base + "/hasil").status_code == 404
    data = {"question_id": question.id, f"q{question.id}": "Aparatur Sipil Negara"}
    assert alice.post(base + "/jawab", data=data, headers={"HX-Request": "true"}).status_code == 404
    assert alice.post(base + "/simpan", data=data).status_code == 404
    assert alice.post(base + "/kirim", data=data).status_code == 404
    # Bob's attempt under the other event's address, and alice's own attempt under an event she is not in.
    assert alice.get(f"/pelatihan/{scene['other'].id}/tes/percobaan/{bob_attempt}").status_code == 404
    own = scene["attempts"]["alice"].id
    assert alice.post(f"/pelatihan/{scene['other'].id}/tes/percobaan/{own}/kirim").status_code == 404
    assert _attempt_state(db, bob_attempt) == before
    assert before[0] is AttemptStatus.open
    # The organiser's view of an attempt is not open to a participant either.
    test_id = scene["test"].id
    assert alice.get(f"/kelola/acara/{event_id}/tes/{test_id}/percobaan/{bob_attempt}").status_code in (403, 404)


def test_participant_cannot_download_material_of_an_event_not_followed(db, client_as, scene):
    alice = client_as(scene["alice"])
    event, other = scene["event"], scene["other"]
    own, foreign = scene["materials"]["event"], scene["materials"]["other"]
    assert alice.get(f"/pelatihan/{event.id}/materi/{own.id}/unduh").status_code == 200
    assert alice.get(f"/pelatihan/{event.id}/materi/{foreign.id}/unduh").status_code == 404  # id swapped in
    assert alice.get(f"/pelatihan/{other.id}/materi/{foreign.id}/unduh").status_code == 404  # not her event
    assert alice.post(f"/pelatihan/{other.id}/materi/{foreign.id}/selesai").status_code == 404
    assert alice.get(f"/pelatihan/{other.id}/materi/modul/{scene['modules']['other'].id}").status_code == 404
    progress = db.session.execute(
        select(func.count()).select_from(MaterialProgress).where(MaterialProgress.material_id == foreign.id)
    )
    assert progress.scalar_one() == 0


def test_participant_cannot_check_in_to_a_session_of_another_event(app, db, client_as, scene):
    alice, session = client_as(scene["alice"]), scene["other"].sessions[0]
    with app.app_context():
        ticket = tokens.issue_ticket(app.config["SECRET_KEY"], session.id)  # even with a valid QR ticket
    response = alice.post(f"/presensi/{session.id}", data={"ticket": ticket})
    assert response.status_code in (302, 403)
    rows = db.session.execute(select(Attendance.user_id).where(Attendance.session_id == session.id)).scalars()
    assert list(rows) == [scene["bob"].id]
    # The organiser's attendance pages of that event are closed to her.
    other_id = scene["other"].id
    assert alice.get(f"/kelola/acara/{other_id}/presensi/rekap").status_code in (403, 404)
    assert alice.post(f"/kelola/acara/{other_id}/presensi/{session.id}/tandai", data={}).status_code in (403, 404)


def test_participant_cannot_read_another_users_job_or_profile(client_as, scene):
    alice, job_id, bob_id = client_as(scene["alice"]), scene["job"].id, scene["bob"].id
    for suffix in ("", "/status", "/unduh"):
        response = alice.get(f"/pekerjaan/{job_id}{suffix}")
        assert response.status_code == 404
        assert b"rahasia bob" not in response.data
    assert alice.get(f"/direktori/{bob_id}").status_code == 403
    assert alice.get(f"/admin/pengguna/{bob_id}/ubah").status_code == 403
    assert alice.get(f"/instansi-saya/pegawai/{bob_id}").status_code == 403
    # The profile page is always one's own: no id in the URL, and a user_id in the form is ignored.
    response = alice.post("/profil", data={"name": "Diubah Penyerang", "user_id": bob_id, "email": "bob@x.id"})
    assert response.status_code in (200, 302)
    profile = client_as(scene["bob"]).get("/profil").get_data(as_text=True)
    assert "Bob Korban" in profile and "Diubah Penyerang" not in profile


def test_officer_cannot_reach_another_agencys_staff(db, client_as, scene):
    http = client_as(scene["officer_a"])
    bob, bob_cert = scene["bob"], scene["certificates"]["bob"]
    assert http.get(f"/instansi-saya/pegawai/{bob.id}").status_code == 404
    assert http.get(f"/instansi/sertifikat/{bob_cert.id}.pdf").status_code == 404
    # Asking for the other agency by its id in the filter.
    assert http.get(f"/instansi-saya/?instansi={scene['agency_b'].id}").status_code == 404
    assert http.get(f"/instansi-saya/rekap.xlsx?instansi={scene['agency_b'].id}").status_code == 404
    assert "Bob Korban" not in http.get("/instansi-saya/").get_data(as_text=True)
    assert "Bob Korban" not in http.get("/instansi/sertifikat").get_data(as_text=True)
    recap = http.get("/instansi-saya/rekap.xlsx")
    assert recap.status_code == 200
    workbook = load_workbook(BytesIO(recap.data), read_only=True)
    texts = {str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
    assert not any("Bob Korban" in t for t in texts)
    assert any("Alice Penyerang" in t for t in texts)
    # The ZIP of the agency's certificates holds only its own staff's.
    before = db.session.execute(select(func.count(Certificate.id))).scalar_one()
    response = http.post("/instansi/sertifikat/semua.zip")
    assert response.status_code in (200, 302)
    assert db.session.execute(select(func.count(Certificate.id))).scalar_one() == before
    # Its own staff remain reachable (the refusals above are about scope, not a broken page).
    assert http.get(f"/instansi-saya/pegawai/{scene['alice'].id}").status_code == 200
    assert http.get(f"/instansi/sertifikat/{scene['certificates']['alice'].id}.pdf").status_code == 200


def test_organiser_cannot_reach_another_organisers_event(db, client_as, scene):
    http, other = client_as(scene["organiser"]), scene["other"]
    foreign_cert = scene["certificates"]["bob_other"]
    assert http.get(f"/kelola/acara/{other.id}").status_code == 404
    assert http.get(f"/kelola/acara/{other.id}/sertifikat/{foreign_cert.id}.pdf").status_code == 404
    # The other event's certificate put under his own event's address.
    assert http.get(f"/kelola/acara/{scene['event'].id}/sertifikat/{foreign_cert.id}.pdf").status_code == 404
    response = http.post(f"/kelola/acara/{scene['event'].id}/sertifikat/{foreign_cert.id}/cabut", data={"reason": "x"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Certificate, foreign_cert.id).revoked_at is None
    assert http.get(f"/kelola/acara/{other.id}/log-audit").status_code == 404
