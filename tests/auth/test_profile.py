"""The user's own profile and password change."""

from lms.auth.models import Role
from tests.conftest import PASSWORD


def profile_data(**fields):
    data = {
        "name": "Siti Aminah, S.E., M.M.",
        "position": "Analis Kepegawaian",
        "rank": "III/b",
        "phone": "+62 813-1111-2222",
        "email": "siti@bkd.go.id",
    }
    data.update(fields)
    return data


def test_profile_shows_own_data(client_as, make_user):
    user = make_user(name="Siti Aminah, S.E.", nip="198502102010012003", phone="+6281311112222", rank="III/a")
    html = client_as(user).get("/profil").get_data(as_text=True)
    assert "Siti Aminah, S.E." in html
    assert "198502102010012003" in html
    assert "0813-1111-2222" in html  # shown the way Indonesians write it
    assert '<option selected value="III/a">' in html
    assert "Ganti kata sandi" in html


def test_participant_edits_profile_and_agency(client_as, db, make_user, make_agency):
    user = make_user()
    new_agency = make_agency("Badan Kepegawaian Daerah")
    client = client_as(user)
    assert 'name="agency"' in client.get("/profil").get_data(as_text=True)
    response = client.post("/profil", data=profile_data(agency=str(new_agency.id)))
    assert response.status_code == 302 and response.location == "/profil"
    db.session.refresh(user)
    assert user.name == "Siti Aminah, S.E., M.M."
    assert user.position == "Analis Kepegawaian" and user.rank == "III/b"
    assert user.phone == "+6281311112222"
    assert user.email == "siti@bkd.go.id"
    assert user.agency_id == new_agency.id
    assert client.get("/profil").status_code == 200  # still logged in


def test_profile_clears_optional_fields(client_as, db, make_user):
    user = make_user(position="Staf", rank="II/a", phone="+6281311112222")
    response = client_as(user).post("/profil", data=profile_data(position="", rank="", phone="", agency=user.agency_id))
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.position, user.rank, user.phone) == (None, None, None)


def test_organiser_cannot_change_own_agency(client_as, db, make_user, make_agency):
    organiser = make_user(role=Role.organiser)
    old_agency_id = organiser.agency_id
    other = make_agency()
    client = client_as(organiser)
    page = client.get("/profil").get_data(as_text=True)
    assert organiser.agency.name in page and 'name="agency"' not in page
    response = client.post("/profil", data=profile_data(agency=str(other.id)))
    assert response.status_code == 302
    db.session.refresh(organiser)
    assert organiser.agency_id == old_agency_id
    assert organiser.name == "Siti Aminah, S.E., M.M."


def test_profile_refuses_taken_email_and_bad_phone(client_as, db, make_user):
    make_user(email="dipakai@x.id")
    user = make_user(email="saya@x.id")
    client = client_as(user)
    response = client.post("/profil", data=profile_data(email="Dipakai@X.id", agency=user.agency_id))
    assert response.status_code == 200
    assert "E-mail ini sudah terdaftar" in response.get_data(as_text=True)
    response = client.post("/profil", data=profile_data(phone="12", agency=user.agency_id))
    assert "Nomor telepon tidak dikenali." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email == "saya@x.id" and user.name != "Siti Aminah, S.E., M.M."


def test_email_required_when_it_is_the_only_login(client_as, db, make_user):
    admin = make_user(role=Role.admin, email="admin@x.id")
    response = client_as(admin).post("/profil", data=profile_data(email=""))
    assert response.status_code == 200
    assert "E-mail wajib diisi" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.email == "admin@x.id"


def test_participant_with_nip_may_leave_email_empty(client_as, db, make_user):
    user = make_user(email="lama@x.id")
    assert client_as(user).post("/profil", data=profile_data(email="", agency=user.agency_id)).status_code == 302
    db.session.refresh(user)
    assert user.email is None


def password_data(current=PASSWORD, new="BaruSekali9", confirm=None):
    return {"pw-current_password": current, "pw-password": new, "pw-password_confirm": confirm or new}


def test_password_change_keeps_this_browser_and_ends_others(app, client_as, db, make_user):
    user = make_user()
    old_token = user.session_token
    client = client_as(user)
    other_device = client_as(user)
    response = client.post("/profil", data=password_data())
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.check_password("BaruSekali9") and not user.check_password(PASSWORD)
    assert user.session_token != old_token
    assert client.get("/profil").status_code == 200  # this browser stays logged in
    assert other_device.get("/profil").status_code == 302  # the other session has ended


def test_password_change_needs_current_password(client_as, db, make_user):
    user = make_user()
    response = client_as(user).post("/profil", data=password_data(current="salah1234"))
    assert response.status_code == 200
    assert "Kata sandi saat ini salah." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_password_change_rules(client_as, db, make_user):
    user = make_user()
    client = client_as(user)
    html = client.post("/profil", data=password_data(new="abcdefgh")).get_data(as_text=True)
    assert "huruf dan angka" in html
    html = client.post("/profil", data=password_data(new="BaruSekali9", confirm="BaruSekali8")).get_data(as_text=True)
    assert "Kedua kata sandi tidak sama." in html
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
