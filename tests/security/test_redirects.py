"""Open redirects: every ``next`` the app follows (log-in, language switch, the admin's list return) leads only to
our own pages, whatever an attacker puts in the link."""

from urllib.parse import urlsplit

import pytest

from lms.auth.models import Role
from tests.conftest import PASSWORD

EVIL = [
    "//evil.example",
    "//evil.example/masuk",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "\t//evil.example",
    " //evil.example",
    "/\t/evil.example",
    "//%65vil.example",
    "///evil.example",
    "http://localhost@evil.example",
    "data:text/html,<script>alert(1)</script>",
]


def assert_local(response) -> None:
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//") and "\\" not in location, location
    assert "evil" not in parts.netloc


@pytest.mark.parametrize("target", EVIL)
def test_login_next_stays_on_the_site(client, make_user, target):
    user = make_user()
    response = client.post(
        "/masuk", query_string={"next": target}, data={"identifier": user.email, "password": PASSWORD}
    )
    assert_local(response)
    assert_local(client.get("/masuk", query_string={"next": target}))  # already logged in: straight to next


@pytest.mark.parametrize("target", EVIL)
def test_language_switch_next_stays_on_the_site(client, target):
    assert_local(client.post("/bahasa/en", data={"next": target}))


@pytest.mark.parametrize("target", EVIL[:6])
def test_admin_list_return_stays_on_the_site(client_as, make_user, target):
    victim = make_user()
    http = client_as(make_user(Role.admin))
    assert_local(http.post(f"/admin/pengguna/{victim.id}/nonaktifkan", data={"next": target}))


def test_a_local_next_is_followed(client, make_user):
    user = make_user()
    response = client.post(
        "/masuk", query_string={"next": "/sertifikat-saya?x=1"}, data={"identifier": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/sertifikat-saya?x=1")


def test_material_links_leave_only_through_the_organisers_own_links(client_as, scene):
    """``/buka`` redirects outside only to the address stored with a link material, never to a parameter."""
    alice, e = client_as(scene["alice"]), scene["event"].id
    material = scene["materials"]["event"].id  # a file: its "open" goes back to the module page
    response = alice.get(f"/pelatihan/{e}/materi/{material}/buka", query_string={"url": "https://evil.example"})
    assert_local(response)
