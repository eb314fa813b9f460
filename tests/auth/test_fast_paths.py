"""The per-request shortcuts of lms/speedups.py, lms/fragment_cache.py and lms/auth/loader.py keep behaviour:
anonymous pages need no session, the cached navigation follows the user, path and language, the CSRF token of a
session stays valid, the rate-limit hook still enforces limits when there are some, and logged-out or
deactivated sessions end at once."""

import re

from lms.auth.models import Role
from lms.extensions import db as _db
from lms.extensions import limiter
from lms.freshness import clear_read_caches


def _token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def test_anonymous_page_sets_no_cookie_and_carries_no_token(app_with, make_event):
    make_event(title="Bimtek Tanpa Sesi")
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    for _ in range(2):
        response = client.get("/pelatihan")
        assert response.status_code == 200
        assert response.headers.getlist("Set-Cookie") == []
        html = response.get_data(as_text=True)
        assert "Bimtek Tanpa Sesi" in html
        assert 'name="csrf-token"' not in html and "X-CSRFToken" not in html and 'name="csrf_token"' not in html
    # the forms an anonymous visitor uses carry their own token (and start the session)
    login_page = client.get("/masuk")
    assert 'name="csrf_token"' in login_page.get_data(as_text=True)
    assert login_page.headers.getlist("Set-Cookie")


def test_logged_in_token_is_stable_valid_and_logout_needs_it(app_with, make_user, form_login, monkeypatch):
    from itsdangerous.timed import TimestampSigner

    clock = iter(range(2_000_000_000, 2_000_000_100))
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(clock))  # a signature differs each time
    make_user(email="a@x.id")
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert form_login(client, "a@x.id", csrf_token=token).status_code == 302

    first = client.get("/pelatihan-saya").get_data(as_text=True)
    second = client.get("/pelatihan-saya").get_data(as_text=True)
    assert _token(first) == _token(second)  # signed once per session: the navigation can be a cached fragment
    page = client.get("/profil").get_data(as_text=True)  # a page with a form of its own
    assert f'name="csrf_token" type="hidden" value="{_token(page)}"' in page  # its form and the page share one
    assert f'<input type="hidden" name="csrf_token" value="{_token(first)}">' in first  # the log-out form
    assert f"X-CSRFToken&#34;: &#34;{_token(first)}" in first or f'"X-CSRFToken": "{_token(first)}"' in first

    assert client.post("/keluar").status_code == 400  # no token: refused
    assert client.post("/keluar", data={"csrf_token": _token(second)}).status_code == 302
    assert client.get("/pelatihan-saya").status_code == 302  # logged out


def test_with_a_csrf_time_limit_every_request_signs_anew(app_with, make_user, login, monkeypatch):
    from itsdangerous.timed import TimestampSigner

    clock = iter(range(2_000_000_000, 2_000_000_100))
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(clock))  # one second per signature
    user = make_user(email="a@x.id")
    client = login(app_with(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=3600).test_client(), user)
    tokens = [_token(client.get("/pelatihan-saya").get_data(as_text=True)) for _ in range(3)]
    assert len(set(tokens)) == 3  # Flask-WTF's own behaviour: the signature's age is checked, so sign anew
    assert client.post("/keluar", data={"csrf_token": tokens[-1]}).status_code == 302


def test_navigation_follows_user_role_name_and_path(db, client, client_as, make_user):
    user = make_user(name="Siti Aminah, S.Kom.")
    browser = client_as(user)
    page = browser.get("/pelatihan-saya").get_data(as_text=True)
    assert "Siti Aminah, S.Kom." in page and "Pelatihan saya" in page and "Kelola Acara" not in page
    assert "next=/pelatihan-saya" in page

    user = db.session.get(type(user), user.id)
    user.name, user.role = "Dr. Siti Aminah, M.T.", Role.organiser
    db.session.commit()
    page = browser.get("/profil").get_data(as_text=True)
    assert "Dr. Siti Aminah, M.T." in page and "Siti Aminah, S.Kom." not in page
    assert "Kelola Acara" in page and "next=/profil" in page

    anonymous = client.get("/pelatihan?q=arsip").get_data(as_text=True)
    assert "Dr. Siti Aminah" not in anonymous and "Masuk" in anonymous
    assert "next=/pelatihan?q%3Darsip" in anonymous or "next=/pelatihan%3Fq%3Darsip" in anonymous


def test_language_link_switches_without_a_token(app_with):
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/pelatihan").get_data(as_text=True)
    link = re.search(r'href="(/bahasa/en\?next=[^"]+)"', page).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 302 and response.headers["Location"] == "/pelatihan"
    page = client.get("/pelatihan").get_data(as_text=True)
    assert '<html lang="en">' in page and "Training Catalogue" in page
    assert re.search(r'href="/bahasa/id\?next=/pelatihan"', page)  # the cached English navigation offers the way back

    assert client.get("/bahasa/id?next=https://contoh.invalid/").headers["Location"] == "/"
    assert '<html lang="id">' in client.get("/pelatihan").get_data(as_text=True)
    assert client.post("/bahasa/en").status_code == 400  # the POST form still needs its token


def test_links_follow_the_application_root(client):
    plain = client.get("/pelatihan").get_data(as_text=True)
    mounted = client.get("/pelatihan", environ_overrides={"SCRIPT_NAME": "/lms"}).get_data(as_text=True)
    assert 'href="/masuk"' in plain and 'href="/lms/masuk"' not in plain
    assert 'href="/lms/masuk"' in mounted and 'href="/masuk"' not in mounted
    assert "/lms/static/css/app.css" in mounted and "/lms/static/css/app.css" not in plain


def test_rate_limit_hook_still_enforces_default_limits(app_with):
    limited = app_with(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    assert limiter.enabled
    client = limited.test_client()
    assert [client.get("/pelatihan").status_code for _ in range(3)] == [200, 200, 429]


def test_deactivated_user_is_logged_out_at_once(db, client_as, make_user):
    user = make_user()
    browser = client_as(user)
    assert browser.get("/pelatihan-saya").status_code == 200
    _db.session.get(type(user), user.id).active = False
    db.session.commit()
    response = browser.get("/pelatihan-saya")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_logged_in_user_loads_in_one_query_and_his_agency_on_demand(app, client_as, make_user, count_queries):
    user = make_user()
    browser = client_as(user)
    browser.get("/pelatihan-saya")
    clear_read_caches(app)  # the user is read again (lms/freshness.py would otherwise keep him)
    with count_queries() as counter:
        assert browser.get("/pelatihan-saya").status_code == 200
    assert sum("FROM users" in s for s in counter.statements) == 1
    assert not any("agencies" in s for s in counter.statements if "FROM users" in s)
    assert user.agency.name in browser.get("/profil").get_data(as_text=True)  # loaded when a page asks for it


def test_anonymous_catalogue_page_cache_never_hides_a_message_or_a_change(db, client, make_event):
    event = make_event(title="Bimtek Arsip Digital")
    assert "Bimtek Arsip Digital" in client.get("/pelatihan").get_data(as_text=True)
    assert client.get("/pelatihan-saya").status_code == 302  # leaves "Silakan masuk terlebih dahulu." to show
    page = client.get("/pelatihan").get_data(as_text=True)
    assert "Silakan masuk terlebih dahulu." in page and "Bimtek Arsip Digital" in page
    assert "Silakan masuk terlebih dahulu." not in client.get("/pelatihan").get_data(as_text=True)

    event = db.session.get(type(event), event.id)
    event.title = "Bimtek Arsip Digital Lanjutan"
    db.session.commit()
    assert "Bimtek Arsip Digital Lanjutan" in client.get("/pelatihan").get_data(as_text=True)


def test_a_verified_session_cookie_is_reused_until_it_expires(app_with, make_user, login, monkeypatch):
    from datetime import timedelta

    from lms import speedups

    other = app_with(PERMANENT_SESSION_LIFETIME=timedelta(hours=1))
    client = login(other.test_client(), make_user(name="Dewi Lestari"))
    assert "Dewi Lestari" in client.get("/pelatihan-saya").get_data(as_text=True)  # the flash of the log-in is read
    interface = other.session_interface
    assert isinstance(interface, speedups.SessionInterface)
    cookie = client.get_cookie("session").value

    def loads_counted():
        calls = []
        serializer = interface.get_signing_serializer(other)
        original = serializer.loads
        monkeypatch.setattr(serializer, "loads", lambda *a, **k: calls.append(1) or original(*a, **k))
        return calls

    calls = loads_counted()
    for _ in range(3):
        assert "Dewi Lestari" in client.get("/pelatihan-saya").get_data(as_text=True)
    assert client.get_cookie("session").value == cookie  # nothing changed: the same cookie on every page
    assert calls == [1]  # verified on its first request only

    # A tampered copy is never taken for the kept one: another string, checked and refused (logged out).
    stranger = other.test_client()
    stranger.set_cookie("session", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert stranger.get("/pelatihan-saya").status_code == 302

    # An hour and a minute later the same cookie is too old, as itsdangerous would say: logged out.
    later = speedups.time.time() + 3660
    monkeypatch.setattr(speedups.time, "time", lambda: later)
    assert client.get("/pelatihan-saya").status_code == 302


def test_a_session_with_flash_messages_is_decoded_every_time(app_with, make_user, login):
    other = app_with()
    client = login(other.test_client(), make_user(name="Dewi Lestari"))
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Pesan pertama")]
    assert "Pesan pertama" in client.get("/pelatihan-saya").get_data(as_text=True)
    assert "Pesan pertama" not in client.get("/pelatihan-saya").get_data(as_text=True)  # shown once
    assert not any("_flashes" in data for _, data in other.session_interface._opened.values())
