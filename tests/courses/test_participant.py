"""The participant's side: modules in order, opening dates, prerequisites, progress, and who may see what."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.auth.models import Role
from lms.courses.models import Material, MaterialKind, MaterialProgress
from lms.db import utcnow
from lms.events.models import EnrolmentStatus
from tests.courses.conftest import PDF_BYTES


def text_of(response) -> str:
    return response.get_data(as_text=True)


def progress_rows(user) -> int:
    from lms.extensions import db

    return db.session.execute(
        select(func.count()).select_from(MaterialProgress).where(MaterialProgress.user_id == user.id)
    ).scalar_one()


def test_modules_and_materials_in_order(db, event, participant, organiser, make_module, make_material, client_as):
    a, b, c = (make_module(event, title, jp=2) for title in ("Modul Alpha", "Modul Bravo", "Modul Charlie"))
    m1, m2 = make_material(a, title="Materi Satu"), make_material(a, title="Materi Dua")
    boss = client_as(organiser)
    assert (
        boss.post(f"/kelola/acara/{event.id}/materi/modul/{c.id}/pindah", data={"direction": "up"}).status_code == 302
    )
    boss.post(f"/kelola/acara/{event.id}/materi/modul/{a.id}/pindah", data={"direction": "up"})  # already first
    boss.post(f"/kelola/acara/{event.id}/materi/{m2.id}/pindah", data={"direction": "up"})

    page = text_of(client_as(participant).get(f"/pelatihan/{event.id}/materi"))
    assert page.index("Modul Alpha") < page.index("Modul Charlie") < page.index("Modul Bravo")
    assert "3 modul, 6 JP" in page
    page = text_of(client_as(participant).get(f"/pelatihan/{event.id}/materi/modul/{a.id}"))
    assert page.index("Materi Dua") < page.index("Materi Satu")
    assert [m.position for m in db.session.execute(select(Material).order_by(Material.id)).scalars()] == [2, 1]
    assert m1.id != m2.id


def test_module_opens_at_its_time(db, event, participant, make_module, make_material, client_as):
    later = make_module(event, "Modul Lanjutan", opens_at=datetime(2099, 1, 3, 1, 0))  # 08.00 WIB
    text = make_material(later, title="Bacaan lanjutan")
    client = client_as(participant)

    page = text_of(client.get(f"/pelatihan/{event.id}/materi"))
    assert "Terkunci: dibuka Sabtu, 3 Januari 2099 08.00 WIB." in page
    assert f"/materi/modul/{later.id}" not in page
    response = client.get(f"/pelatihan/{event.id}/materi/modul/{later.id}")
    assert response.status_code == 302 and response.location.endswith(f"/pelatihan/{event.id}/materi")
    client.post(f"/pelatihan/{event.id}/materi/{text.id}/selesai")
    assert progress_rows(participant) == 0

    later.opens_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/pelatihan/{event.id}/materi/modul/{later.id}").status_code == 200
    client.post(f"/pelatihan/{event.id}/materi/{text.id}/selesai")
    assert progress_rows(participant) == 1


def test_opening_time_is_shown_in_the_event_zone(db, make_event, organiser, make_user, enrol, make_module, client_as):
    event = make_event(organisers=[organiser], timezone="Asia/Jayapura")
    user = make_user()
    enrol(event, user)
    make_module(event, "Modul Papua", opens_at=datetime(2099, 1, 3, 1, 0))
    assert "3 Januari 2099 10.00 WIT" in text_of(client_as(user).get(f"/pelatihan/{event.id}/materi"))


def test_module_can_require_the_previous_one(db, event, participant, make_module, make_material, client_as):
    first = make_module(event, "Modul Dasar")
    reading = make_material(first, title="Bacaan dasar")
    link = make_material(first, MaterialKind.link, title="Situs rujukan", url="https://www.bssn.go.id/")
    hidden = make_material(first, title="Catatan panitia", hidden=True)  # not counted
    second = make_module(event, "Modul Lanjut", requires_previous=True)
    make_material(second, title="Bacaan lanjut")
    third = make_module(event, "Modul Penutup", requires_previous=True)
    client = client_as(participant)

    page = text_of(client.get(f"/pelatihan/{event.id}/materi"))
    assert 'Terkunci: selesaikan dulu modul "Modul Dasar".' in page.replace("&#34;", '"')
    assert 'Terkunci: selesaikan dulu modul "Modul Lanjut".' in page.replace("&#34;", '"')
    assert client.get(f"/pelatihan/{event.id}/materi/modul/{second.id}").status_code == 302
    assert client.get(f"/pelatihan/{event.id}/materi/{hidden.id}/buka").status_code == 404

    client.post(f"/pelatihan/{event.id}/materi/{reading.id}/selesai")
    assert client.get(f"/pelatihan/{event.id}/materi/modul/{second.id}").status_code == 302  # link still to do
    response = client.get(f"/pelatihan/{event.id}/materi/{link.id}/buka")
    assert response.status_code == 302 and response.location == "https://www.bssn.go.id/"
    assert client.get(f"/pelatihan/{event.id}/materi/modul/{second.id}").status_code == 200
    assert client.get(f"/pelatihan/{event.id}/materi/modul/{third.id}").status_code == 302  # second not done


def test_progress_per_module_and_event(db, event, participant, make_module, make_material, upload, client_as):
    one = make_module(event, "Modul Satu")
    upload(event, one, PDF_BYTES, "bahan.pdf", title="Bahan tayang")
    pdf = db.session.execute(select(Material).where(Material.kind == MaterialKind.file)).scalar_one()
    text = make_material(one, title="Rangkuman")
    two = make_module(event, "Modul Dua")
    video = make_material(two, MaterialKind.video, title="Video", url="https://youtu.be/dQw4w9WgXcQ")
    make_material(two, title="Draf", hidden=True)
    client = client_as(participant)

    page = text_of(client.get(f"/pelatihan/{event.id}/materi"))
    assert "0 dari 3 materi selesai" in page and 'aria-valuenow="0"' in page

    assert client.get(f"/pelatihan/{event.id}/materi/{pdf.id}/unduh").status_code == 200
    client.get(f"/pelatihan/{event.id}/materi/{pdf.id}/unduh")  # twice: still one completion
    assert progress_rows(participant) == 1
    page = text_of(client.get(f"/pelatihan/{event.id}/materi/modul/{one.id}"))
    assert 'id="module-progress"' in page and 'aria-valuenow="50"' in page
    assert "1 dari 2 materi selesai" in page and "Tandai selesai" in page

    response = client.post(f"/pelatihan/{event.id}/materi/{text.id}/selesai")
    assert response.status_code == 302 and response.location.endswith(f"/modul/{one.id}#materi-{text.id}")
    page = text_of(client.get(f"/pelatihan/{event.id}/materi/modul/{one.id}"))
    assert 'aria-valuenow="100"' in page and "Tandai selesai" not in page

    page = text_of(client.get(f"/pelatihan/{event.id}/materi/modul/{two.id}"))
    assert "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" in page and 'sandbox="' in page
    client.post(f"/pelatihan/{event.id}/materi/{video.id}/selesai")
    page = text_of(client.get(f"/pelatihan/{event.id}/materi"))
    assert "3 dari 3 materi selesai" in page and 'aria-valuenow="100"' in page


def test_text_is_sanitised(db, event, participant, organiser, make_module, client_as):
    module = make_module(event)
    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/materi/modul/{module.id}/materi/baru?jenis=text",
        data={
            "title": "Keamanan",
            "body": '<h2>Kata sandi</h2><p onclick="steal()">Gunakan <b>frasa</b>.</p><script>alert(1)</script>'
            '<a href="javascript:alert(1)">klik</a><img src=x onerror=alert(1)>',
        },
    )
    assert response.status_code == 302
    material = db.session.execute(select(Material)).scalar_one()
    assert material.body_html.startswith("<h2>Kata sandi</h2><p>Gunakan <b>frasa</b>.</p>")
    for bad in ("script", "onclick", "javascript:", "<img", "onerror"):
        assert bad not in material.body_html
    page = text_of(client_as(participant).get(f"/pelatihan/{event.id}/materi/modul/{module.id}"))
    assert "<h2>Kata sandi</h2>" in page and "alert(1)" not in page


@pytest.mark.parametrize("status", [EnrolmentStatus.pending, EnrolmentStatus.rejected, EnrolmentStatus.withdrawn])
def test_not_approved_participants_get_404(db, event, make_user, enrol, make_module, upload, client_as, status):
    module = make_module(event)
    upload(event, module, PDF_BYTES, "bahan.pdf")
    material = db.session.execute(select(Material)).scalar_one()
    user = make_user()
    enrol(event, user, status)
    client = client_as(user)
    for url in (
        f"/pelatihan/{event.id}/materi",
        f"/pelatihan/{event.id}/materi/modul/{module.id}",
        f"/pelatihan/{event.id}/materi/{material.id}/unduh",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/pelatihan/{event.id}/materi/{material.id}/selesai").status_code == 404
    assert progress_rows(user) == 0


def test_participant_of_another_event_gets_404(
    db, event, make_event, make_user, enrol, make_module, upload, organiser, client_as
):
    module = make_module(event)
    upload(event, module, PDF_BYTES, "rahasia.pdf")
    material = db.session.execute(select(Material)).scalar_one()
    other_event = make_event(organisers=[organiser])
    outsider = make_user()
    enrol(other_event, outsider)
    client = client_as(outsider)
    assert client.get(f"/pelatihan/{event.id}/materi/{material.id}/unduh").status_code == 404
    # The material's id under the event he does belong to: still 404 (the material is not of that event).
    assert client.get(f"/pelatihan/{other_event.id}/materi/{material.id}/unduh").status_code == 404
    assert client.get(f"/pelatihan/{other_event.id}/materi/modul/{module.id}").status_code == 404
    assert client.get(f"/pelatihan/{other_event.id}/materi").status_code == 200


def test_anonymous_is_sent_to_login_then_gets_404(db, event, make_module, upload, make_user, client, login):
    module = make_module(event)
    upload(event, module, PDF_BYTES, "bahan.pdf")
    material = db.session.execute(select(Material)).scalar_one()
    url = f"/pelatihan/{event.id}/materi/{material.id}/unduh"
    response = client.get(url)
    assert response.status_code == 302 and "/masuk" in response.location
    login(client, make_user())
    assert client.get(url).status_code == 404


def test_hidden_material_is_404_for_participants_but_organisers_preview(
    db, event, participant, organiser, make_module, upload, client_as
):
    module = make_module(event)
    upload(event, module, PDF_BYTES, "draf.pdf", hidden="y")
    material = db.session.execute(select(Material)).scalar_one()
    assert material.hidden
    url = f"/pelatihan/{event.id}/materi/{material.id}/unduh"
    assert client_as(participant).get(url).status_code == 404
    assert "draf.pdf" not in text_of(client_as(participant).get(f"/pelatihan/{event.id}/materi/modul/{module.id}"))
    assert client_as(organiser).get(url).data == PDF_BYTES
    assert progress_rows(organiser) == 0


def test_outline_queries_do_not_grow_with_modules(
    db, event, participant, make_module, make_material, client_as, count_queries
):
    def measure() -> int:
        with count_queries() as counter:
            assert client.get(f"/pelatihan/{event.id}/materi").status_code == 200
        return counter.count

    client = client_as(participant)
    module = make_module(event)
    make_material(module)
    few = measure()
    for i in range(5):
        module = make_module(event, f"Modul {i}")
        make_material(module)
        make_material(module, MaterialKind.link)
    assert measure() == few


def test_role_check_on_participant_pages_is_by_enrolment(db, event, make_user, make_module, client_as):
    make_module(event)
    officer = make_user(Role.agency_officer)
    assert client_as(officer).get(f"/pelatihan/{event.id}/materi").status_code == 404
