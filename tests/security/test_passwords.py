"""Password rules everywhere a password is set: registration, activation, change, the admin's accounts and resets,
and ``flask create-admin``."""

import pytest
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.auth.passwords import password_problem
from lms.events.roster_activation import new_activation_values, token_for
from lms.events.roster_models import AccountActivation
from tests.conftest import PASSWORD, utcnow, valid_nip

NIP = valid_nip(4242)


@pytest.mark.parametrize(
    ("password", "identities", "refused"),
    [
        ("Demo#2026", [], None),  # the demo password stays valid
        (PASSWORD, ["user1@uji.go.id"], None),  # and the tests' one
        ("Sandi2026", [], None),
        ("pendek1", [], "minimal 8 karakter"),
        ("hanyahurufsaja", [], "huruf dan angka"),
        ("1234567890", [], "huruf dan angka"),
        ("password123", [], "terlalu umum"),
        ("P@ssw0rd", [], "terlalu umum"),
        ("Bismillah123", [], "terlalu umum"),
        ("merdeka1945", [], "terlalu umum"),
        ("siti.aminah80@uji.go.id", ["siti.aminah80@uji.go.id"], "e-mail, NIP atau NIK"),
        ("Kepala#2026", ["kepala@bpsdmd.go.id"], "e-mail, NIP atau NIK"),
        ("sitiaminah2026", ["sitiaminah@uji.go.id"], "e-mail, NIP atau NIK"),
        (NIP, [NIP], "huruf dan angka"),  # digits only anyway
        ("A" + NIP, [None, NIP], "e-mail, NIP atau NIK"),
        ("Nip" + NIP[:8], [NIP], None),  # a birth date alone is not the NIP
    ],
)
def test_password_rules(password, identities, refused):
    problem = password_problem(password, identities)
    if refused is None:
        assert problem is None
    else:
        assert problem is not None and refused in problem


def _register(client, agency, password, email="baru2026@uji.go.id", nip=NIP):
    return client.post(
        "/daftar",
        data={
            "name": "Peserta Baru",
            "nip": nip,
            "agency": agency.id,
            "email": email,
            "password": password,
            "password_confirm": password,
        },
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password123", "terlalu umum"),
        ("baru2026@uji.go.id", "sama dengan atau memuat e-mail, NIP atau NIK"),
        (f"X{NIP}", "sama dengan atau memuat e-mail, NIP atau NIK"),
    ],
)
def test_registration_refuses_weak_passwords(db, client, make_agency, password, message):
    html = _register(client, make_agency(), password).get_data(as_text=True)
    assert message in html
    assert db.session.execute(select(User).where(User.email == "baru2026@uji.go.id")).scalar_one_or_none() is None


def test_registration_accepts_a_good_password(db, client, make_agency):
    assert _register(client, make_agency(), "Kopi#Pagi2026").status_code == 302


def test_password_change_refuses_own_email_and_common(client_as, make_user):
    user = make_user(email="andi.saputra@uji.go.id")
    http = client_as(user)
    for new, message in (("andi.saputra@uji.go.id1", "e-mail, NIP atau NIK"), ("qwerty123", "terlalu umum")):
        data = {"pw-current_password": PASSWORD, "pw-password": new, "pw-password_confirm": new}
        assert message in http.post("/profil", data=data).get_data(as_text=True)
    assert user.check_password(PASSWORD)


def test_activation_refuses_the_participants_nip(db, client, make_user, make_agency):
    user = make_user(password=None, nip=NIP)
    activation = AccountActivation(**new_activation_values(user.id, None, utcnow()))
    db.session.add(activation)
    db.session.commit()
    data = {"password": f"Nip{NIP}", "password_confirm": f"Nip{NIP}"}
    html = client.post(f"/aktivasi/{token_for(activation)}", data=data).get_data(as_text=True)
    assert "e-mail, NIP atau NIK" in html
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash is None


def test_admin_cannot_give_a_common_or_identity_password(db, client_as, make_user, make_agency):
    http = client_as(make_user(Role.admin))
    agency = make_agency()
    data = {"role": "organiser", "agency": agency.id, "name": "Panitia Baru", "email": "panitia.baru@uji.go.id"}
    assert "terlalu umum" in http.post("/admin/pengguna/baru", data={**data, "password": "admin123"}).text
    html = http.post("/admin/pengguna/baru", data={**data, "password": "panitia.baru2026"}).text
    assert "e-mail, NIP atau NIK" in html
    assert db.session.execute(select(User).where(User.email == "panitia.baru@uji.go.id")).first() is None
    target = make_user(email="korban.reset@uji.go.id")
    reset = {"password": "korban.reset", "password_confirm": "korban.reset"}
    assert "huruf dan angka" in http.post(f"/admin/pengguna/{target.id}/reset-sandi", data=reset).text
    reset = {"password": "korban.reset1", "password_confirm": "korban.reset1"}
    assert "e-mail, NIP atau NIK" in http.post(f"/admin/pengguna/{target.id}/reset-sandi", data=reset).text


def test_create_admin_refuses_a_weak_password(app, db):
    runner = app.test_cli_runner()
    args = ["create-admin", "--email", "kepala@bpsdmd.go.id", "--name", "Admin", "--password"]
    result = runner.invoke(args=[*args, "password1"])
    assert result.exit_code != 0 and "terlalu umum" in result.output
    result = runner.invoke(args=[*args, "kepala@bpsdmd.go.id"])
    assert result.exit_code != 0
    assert db.session.execute(select(User).where(User.email == "kepala@bpsdmd.go.id")).first() is None
    assert runner.invoke(args=[*args, "Kepala#2026"]).exit_code != 0  # holds the e-mail's name
    assert runner.invoke(args=[*args, "Sandi#Kuat2026"]).exit_code == 0
