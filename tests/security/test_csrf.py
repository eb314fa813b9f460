"""With CSRF protection on (as in production), every POST route refuses a request without a valid token (400)
before anything runs, for a logged-in admin (who may use them all) as for anyone; with the token, it works."""

import re

import pytest
from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.events.models import Agency, Event
from tests.conftest import PASSWORD

PARAMS = {"lang": "en", "token": "x", "code": "x"}


def _post_urls(app) -> list[str]:
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "POST" in rule.methods:
                values = {arg: PARAMS.get(arg, 1) for arg in rule.arguments}
                urls.append(url_for(rule.endpoint, **values))
    return urls


def test_there_are_post_routes_to_check(csrf_app):
    assert len(_post_urls(csrf_app)) > 60


def _counts(db):
    db.session.expire_all()
    return tuple(db.session.execute(select(func.count(model.id))).scalar_one() for model in (User, Agency, Event))


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_every_post_route_refuses_a_missing_or_wrong_token(db, csrf_app, make_user, make_event, who):
    admin = make_user(Role.admin)
    event = make_event(organisers=[admin], sessions=1)
    client = csrf_app.test_client()
    if who == "admin":
        with client.session_transaction() as sess:
            sess["_user_id"] = admin.session_token
    client.get("/pelatihan")  # a session (with its CSRF secret) exists, as for a real visitor
    before = _counts(db)
    failures = []
    for url in _post_urls(csrf_app):
        url = url.replace("/1/", f"/{event.id}/", 1) if url.startswith("/kelola/acara/1") else url
        for data in ({}, {"csrf_token": "palsu"}):
            response = client.post(url, data={**data, "name": "Serangan CSRF", "title": "Serangan CSRF"})
            if response.status_code != 400:
                failures.append(f"{url} {data}: {response.status_code}")
    assert not failures
    assert _counts(db) == before
    with client.session_transaction() as sess:
        assert sess.get("_user_id") == (admin.session_token if who == "admin" else None)  # logout refused too


def test_token_from_the_page_is_accepted(db, csrf_app, make_user):
    user = make_user()
    client = csrf_app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page
    )
    response = client.post("/masuk", data={"identifier": user.email, "password": PASSWORD, "csrf_token": token[1]})
    assert response.status_code == 302


def test_htmx_requests_send_the_token_in_a_header(db, csrf_app, make_user):
    """base.html gives htmx the token as X-CSRFToken; a header from another session is refused."""
    user = make_user()
    client = csrf_app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.session_token
    html = client.get("/profil").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html)[1]
    ok = client.post("/bahasa/en", data={"next": "/profil"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 302
    stranger = csrf_app.test_client()
    stranger.get("/pelatihan")
    assert stranger.post("/bahasa/en", headers={"X-CSRFToken": token}).status_code == 400
