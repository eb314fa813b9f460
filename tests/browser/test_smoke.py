"""Smoke test in a real browser: catalogue and log-in on a phone, with CSRF on, as a participant would."""

import re

import pytest
from playwright.sync_api import expect

from lms.auth.models import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_phone_catalogue_menu_and_login(phone_page, live_url, make_user, tmp_path):
    user = make_user(role=Role.participant, name="Siti Rahmawati, S.Kom.", email="siti.rahmawati@uji.go.id")
    page = phone_page

    page.goto(live_url("enrolment.catalogue"))
    expect(page).to_have_title(re.compile(r"Katalog Pelatihan"))
    expect(page.locator("html")).to_have_attribute("lang", "id")

    # On a phone the menu is collapsed behind the toggler.
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    login_link = page.locator("#nav-main").get_by_role("link", name="Masuk", exact=True)
    expect(login_link).to_be_hidden()
    toggler.tap()
    expect(login_link).to_be_visible()
    login_link.tap()

    expect(page).to_have_title(re.compile(r"^Masuk"))
    expect(page.locator(".navbar-toggler")).to_be_visible()
    form = page.locator("main form")
    form.locator("input[name=identifier]").fill(user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").tap()

    expect(page.locator(".alert-success")).to_contain_text("Selamat datang, Siti Rahmawati, S.Kom.")
    page.locator(".navbar-toggler").tap()
    expect(page.locator("#nav-main").get_by_role("link", name=user.name)).to_be_visible()
    expect(page.locator("#nav-main").get_by_role("button", name="Keluar")).to_be_visible()

    expect(page.locator("#nav-main")).to_have_class(re.compile(r"\bshow\b"))  # menu fully open

    shot = tmp_path / "phone-after-login.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0


def test_wrong_password_on_phone_stays_on_login_with_message(phone_page, live_url, make_user):
    user = make_user(role=Role.participant)
    page = phone_page
    page.goto(live_url("auth.login"))
    form = page.locator("main form")
    form.locator("input[name=identifier]").fill(user.email)
    form.locator("input[name=password]").fill("salah-sekali-1")
    form.locator("button[type=submit]").tap()
    expect(page).to_have_title(re.compile(r"^Masuk"))
    expect(page.locator("main")).to_contain_text("E-mail/NIP atau kata sandi salah.")


def test_desktop_catalogue_shows_menu_without_toggler(page, live_url, tmp_path):
    page.goto(live_url("enrolment.catalogue"))
    expect(page).to_have_title(re.compile(r"Katalog Pelatihan"))
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    expect(page.locator("#nav-main").get_by_role("link", name="Masuk", exact=True)).to_be_visible()
    shot = tmp_path / "desktop-catalogue.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 0
