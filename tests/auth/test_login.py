"""Log-in, log-out, session renewal, ?next= safety, rate limit, CSRF and the create-admin command."""

import re

import pytest

from lms.auth.models import Role, User
from lms.extensions import limiter
from tests.conftest import PASSWORD

GENERIC_ERROR = "E-mail/NIP atau kata sandi salah."


def logged_in_user_token(client) -> str | None:
    with client.session_transaction() as sess:
        return sess.get("_user_id")


def test_login_page_renders(client):
    response = client.get("/masuk")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "E-mail atau NIP" in html and "Kata sandi" in html


def test_login_by_email_case_insensitive(client, db, make_user, form_login):
    user = make_user(email="budi@bpsdmd.go.id")
    response = form_login(client, "  Budi@BPSDMD.go.id ")
    assert response.status_code == 302
    assert response.location == "/"
    assert logged_in_user_token(client) == user.session_token
    db.session.refresh(user)
    assert user.last_login_at is not None
    assert client.get("/profil").status_code == 200


def test_login_by_nip_with_spaces(client, db, make_user, form_login):
    user = make_user(nip="198001012005011001", email=None)
    response = form_login(client, "19800101 200501 1 001")
    assert response.status_code == 302
    assert logged_in_user_token(client) == user.session_token


def test_login_by_nik(client, make_user, form_login):
    user = make_user(nip=None, nik="3201014501900001")
    assert form_login(client, "3201014501900001").status_code == 302
    assert logged_in_user_token(client) == user.session_token


@pytest.mark.parametrize("identifier, password", [("budi@bpsdmd.go.id", "salah123"), ("tidakada@x.id", PASSWORD)])
def test_wrong_credentials_give_one_generic_message(client, make_user, form_login, identifier, password):
    make_user(email="budi@bpsdmd.go.id")
    response = form_login(client, identifier, password)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert GENERIC_ERROR in html
    assert "tidak terdaftar" not in html and "tidak aktif" not in html
    assert logged_in_user_token(client) is None


def test_user_without_password_cannot_log_in(client, make_user, form_login):
    make_user(email="impor@x.id", password=None)
    response = form_login(client, "impor@x.id", "")
    assert response.status_code == 200
    assert form_login(client, "impor@x.id", "apasaja1").status_code == 200
    assert logged_in_user_token(client) is None


def test_inactive_user_cannot_log_in(client, make_user, form_login):
    make_user(email="nonaktif@x.id", active=False)
    response = form_login(client, "nonaktif@x.id")
    assert response.status_code == 200
    assert "tidak aktif" in response.get_data(as_text=True)
    assert logged_in_user_token(client) is None
    # wrong password on an inactive account: the generic message, nothing about the account
    response = form_login(client, "nonaktif@x.id", "salah1234")
    assert GENERIC_ERROR in response.get_data(as_text=True)
    assert "tidak aktif" not in response.get_data(as_text=True)


def test_deactivated_user_loses_open_session(client_as, db, make_user):
    user = make_user()
    client = client_as(user)
    assert client.get("/profil").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/profil").status_code == 302


def test_session_is_renewed_at_login(client, make_user, form_login):
    user = make_user(email="a@x.id")
    client.get("/masuk")
    with client.session_transaction() as sess:
        sess["planted"] = "nilai-sebelum-masuk"
        sess["lang"] = "en"
    assert form_login(client, "a@x.id").status_code == 302
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == user.session_token
        assert sess["lang"] == "en"  # the language choice survives


@pytest.mark.parametrize(
    "target", ["//evil.com", "https://evil.com", "/\\evil.com", "javascript:alert(1)", "http:/evil.com", "evil.com"]
)
def test_unsafe_next_goes_home(client, make_user, form_login, target):
    make_user(email="a@x.id")
    client.get("/masuk")
    response = client.post("/masuk", query_string={"next": target}, data={"identifier": "a@x.id", "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"


def test_safe_next_is_followed(client, make_user):
    make_user(email="a@x.id")
    response = client.post(
        "/masuk", query_string={"next": "/pelatihan-saya"}, data={"identifier": "a@x.id", "password": PASSWORD}
    )
    assert response.location == "/pelatihan-saya"


def test_login_required_redirects_with_next(client):
    response = client.get("/profil")
    assert response.status_code == 302
    assert response.location.startswith("/masuk?next=")
    assert "profil" in response.location


def test_logged_in_user_visiting_login_goes_home(client_as, make_user):
    client = client_as(make_user())
    response = client.get("/masuk")
    assert response.status_code == 302 and response.location == "/"


def test_logout_kills_the_old_cookie(app, client, db, make_user, form_login):
    user = make_user(email="a@x.id")
    old_token = user.session_token
    form_login(client, "a@x.id", remember="y")
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value

    copy = app.test_client()
    copy.set_cookie("session", session_cookie)
    assert copy.get("/profil").status_code == 200  # the copied cookie works while logged in

    response = client.post("/keluar")
    assert response.status_code == 302 and response.location == "/masuk"
    db.session.refresh(user)
    assert user.session_token != old_token
    assert client.get("/profil").status_code == 302

    stolen = app.test_client()
    stolen.set_cookie("session", session_cookie)
    assert stolen.get("/profil").status_code == 302
    remembered = app.test_client()
    remembered.set_cookie("remember_token", remember_cookie)
    assert remembered.get("/profil").status_code == 302


def test_logout_is_post_only(client_as, make_user):
    client = client_as(make_user())
    assert client.get("/keluar").status_code == 405
    assert client.get("/profil").status_code == 200


def test_failed_logins_beyond_the_limit_get_429(app_with, make_user):
    make_user(email="a@x.id")
    limited = app_with(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    assert limiter.enabled
    client = limited.test_client()
    bad = {"identifier": "a@x.id", "password": "salah1234"}
    assert [client.post("/masuk", data=bad).status_code for _ in range(3)] == [200, 200, 200]
    response = client.post("/masuk", data=bad)
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)
    # even the right password is refused until the window passes
    assert client.post("/masuk", data={"identifier": "a@x.id", "password": PASSWORD}).status_code == 429
    assert client.get("/masuk").status_code == 200  # only POSTs are limited


def test_successful_logins_do_not_use_up_the_limit(app_with, make_user):
    """A classroom behind one NAT address logs in at once: only failures count."""
    users = [make_user() for _ in range(4)]
    limited = app_with(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    for user in users:
        client = limited.test_client()
        assert client.post("/masuk", data={"identifier": user.email, "password": PASSWORD}).status_code == 302


def test_limiter_state_restored_after_rate_limit_test(client, make_user, form_login):
    make_user(email="a@x.id")
    assert not limiter.enabled
    assert all(form_login(client, "a@x.id", "salah1234").status_code == 200 for _ in range(5))


def test_csrf_token_required_when_enabled(app_with, make_user):
    make_user(email="a@x.id")
    protected = app_with(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    response = client.post("/masuk", data={"identifier": "a@x.id", "password": PASSWORD})
    assert response.status_code == 400
    assert logged_in_user_token(client) is None

    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/masuk", data={"identifier": "a@x.id", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.post("/keluar").status_code == 400  # logout needs the token too


def test_create_admin_command_then_login(app, client, db, form_login):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "--email", "Admin@BPSDMD.go.id", "--name", "Admin Utama", "--password", "Sandi2026"]
    )
    assert result.exit_code == 0, result.output
    assert "admin@bpsdmd.go.id" in result.output
    admin = db.session.execute(db.select(User).filter_by(email="admin@bpsdmd.go.id")).scalar_one()
    assert admin.role is Role.admin and admin.agency is not None
    assert form_login(client, "admin@bpsdmd.go.id", "Sandi2026").status_code == 302
    assert client.get("/admin/pengguna").status_code == 200

    # run again: same account, new password
    result = runner.invoke(
        args=["create-admin", "--email", "admin@bpsdmd.go.id", "--name", "Admin Utama", "--password", "Baru2027x"]
    )
    assert result.exit_code == 0
    assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 1
    other = app.test_client()
    assert form_login(other, "admin@bpsdmd.go.id", "Sandi2026").status_code == 200
    assert form_login(other, "admin@bpsdmd.go.id", "Baru2027x").status_code == 302
