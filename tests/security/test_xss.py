"""Script in every free-text field a user can set comes back escaped on every page that shows it (and rich text
is cleaned): no page ever contains the payload as markup."""

import pytest

from lms.assessments.models import Survey, SurveyResponse
from lms.certificates.models import CompletionOverride, OverrideResult
from lms.courses import operations as course_ops
from lms.courses.models import MaterialKind
from lms.events.models import Enrolment, EnrolmentStatus

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def tainted(tag: str) -> str:
    return f"{tag} {PAYLOAD}"


def assert_safe(html: str, *tags: str, url: str = "") -> None:
    assert "<script>alert(1)" not in html, url
    assert "<img src=x" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), url
    for tag in tags:
        at = html.find(tag)
        assert f"{tag} {ESCAPED}" in html, f"{url}: {tag} is not shown escaped: {html[at - 80 : at + 120]!r}"


@pytest.fixture
def poisoned(db, scene, make_user):
    """Every free-text field set to the payload, as its owner could set it."""
    event, bob, alice = scene["event"], scene["bob"], scene["alice"]
    bob.name, bob.position = tainted("NAMA"), tainted("JABATAN")
    event.title, event.description, event.place = tainted("JUDUL"), tainted("DESKRIPSI"), tainted("TEMPAT")
    session = event.sessions[0]
    session.title, session.speaker = tainted("SESI"), tainted("NARASUMBER")
    scene["agency_b"].name = tainted("INSTANSI")
    scene["certificates"]["bob"].holder_name = tainted("PEMEGANG")
    scene["question"].text = tainted("SOAL")
    scene["test"].title = tainted("TES")
    module = scene["modules"]["event"]
    module.title, module.description = tainted("MODUL"), tainted("URAIAN")
    scene["materials"]["event"].title = tainted("MATERI")
    course_ops.add_material(module, kind=MaterialKind.text, title=tainted("TEKS"), body=f"<p>ISI</p>{PAYLOAD}")
    survey = Survey(event=event, title=tainted("SURVEI"), speaker=tainted("PEMBICARA"))
    db.session.add(survey)
    db.session.flush()
    db.session.add(SurveyResponse(survey_id=survey.id, user_id=alice.id, comment=tainted("KOMENTAR")))
    db.session.add(
        CompletionOverride(
            event_id=event.id,
            user_id=bob.id,
            result=OverrideResult.passed,
            reason=tainted("ALASAN"),
            decided_by_id=scene["organiser"].id,
        )
    )
    pending = make_user(name=tainted("PENDAFTAR"))
    db.session.add(Enrolment(event=event, user=pending, status=EnrolmentStatus.pending))
    db.session.commit()
    return {"survey": survey}


def test_organiser_pages_escape_every_field(client_as, scene, poisoned):
    http, e = client_as(scene["organiser"]), scene["event"].id
    pages = {
        f"/kelola/acara/{e}": ["JUDUL", "DESKRIPSI", "SESI", "NARASUMBER"],
        "/kelola/acara/": ["JUDUL"],
        f"/kelola/acara/{e}/peserta": ["NAMA", "PENDAFTAR"],
        f"/kelola/acara/{e}/materi": ["MODUL", "MATERI", "TEKS"],
        f"/kelola/acara/{e}/materi/progres": ["NAMA"],
        f"/kelola/acara/{e}/tes/soal": ["SOAL"],
        f"/kelola/acara/{e}/tes": ["TES"],
        f"/kelola/acara/{e}/tes/{scene['test'].id}/hasil": ["NAMA"],
        f"/kelola/acara/{e}/presensi/rekap": ["NAMA", "SESI"],
        f"/kelola/acara/{e}/presensi/{scene['event'].sessions[0].id}/tandai": ["NAMA"],
        f"/kelola/acara/{e}/sertifikat": ["NAMA", "ALASAN"],
        f"/kelola/acara/{e}/evaluasi": ["SURVEI"],
        f"/kelola/acara/{e}/evaluasi/{poisoned['survey'].id}/hasil": ["KOMENTAR"],
        f"/direktori/{scene['bob'].id}": ["NAMA", "JABATAN"],
        "/direktori": ["NAMA"],
    }
    for url, tags in pages.items():
        response = http.get(url)
        assert response.status_code == 200, url
        assert_safe(response.get_data(as_text=True), *tags, url=url)


def test_participant_pages_escape_every_field(client_as, scene, poisoned):
    http, e = client_as(scene["alice"]), scene["event"].id
    module = scene["modules"]["event"].id
    pages = {
        "/pelatihan": ["JUDUL"],
        f"/pelatihan/{e}": ["JUDUL", "DESKRIPSI", "SESI", "NARASUMBER", "TEMPAT"],
        "/pelatihan-saya": ["JUDUL"],
        f"/pelatihan/{e}/materi": ["MODUL"],
        f"/pelatihan/{e}/materi/modul/{module}": ["MODUL", "URAIAN", "MATERI", "TEKS"],
    }
    for url, tags in pages.items():
        response = http.get(url)
        assert response.status_code == 200, url
        assert_safe(response.get_data(as_text=True), *tags, url=url)
    # Rich text keeps its harmless markup and loses the rest.
    html = http.get(f"/pelatihan/{e}/materi/modul/{module}").get_data(as_text=True)
    assert "<p>ISI</p>" in html


def test_own_name_in_the_menu_and_profile_is_escaped(client_as, scene, poisoned):
    html = client_as(scene["bob"]).get("/profil").get_data(as_text=True)
    assert_safe(html, "NAMA")


def test_admin_and_officer_pages_escape_names(client_as, make_user, scene, poisoned):
    from lms.auth.models import Role

    admin = client_as(make_user(Role.admin))
    for url, tags in {"/admin/pengguna": ["NAMA"], "/admin/instansi/": ["INSTANSI"], "/laporan/asn": ["NAMA"]}.items():
        response = admin.get(url)
        assert response.status_code == 200, url
        assert_safe(response.get_data(as_text=True), *tags, url=url)
    officer = client_as(scene["officer_b"])
    pages = {
        "/instansi-saya/": ["NAMA"],
        f"/instansi-saya/pegawai/{scene['bob'].id}": ["NAMA"],
        "/instansi/sertifikat": ["PEMEGANG"],
    }
    for url, tags in pages.items():
        response = officer.get(url)
        assert response.status_code == 200, url
        assert_safe(response.get_data(as_text=True), *tags, url=url)


def test_profile_form_round_trip_stays_escaped(client_as, scene):
    """Typed through the form: stored as typed, shown escaped."""
    http = client_as(scene["alice"])
    response = http.post("/profil", data={"name": tainted("DIKETIK"), "position": tainted("JABATANKU"), "agency": ""})
    assert response.status_code in (200, 302)
    html = http.get("/profil").get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_public_verification_page_escapes_the_holder(client, scene, poisoned):
    html = client.get(f"/verifikasi/{scene['certificates']['bob'].code}").get_data(as_text=True)
    assert_safe(html, "PEMEGANG")
