"""The foundation's main journey in a real browser with CSRF on: a participant registers an account on a
phone, logs in and enrols; the organiser approves on a desktop; the participant sees it approved."""

import re

import pytest
from playwright.sync_api import expect

from lms.auth.models import Role, User
from lms.events.models import Enrolment, EnrolmentStatus
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NAME = "Dr. H. Ahmad Fauzi, S.Kom., M.T."
NIP = "198507152010011003"


def test_register_enrol_approve(db, browser, live_url, make_agency, make_user, make_event, tmp_path):
    province = make_agency("Pemerintah Provinsi Banten")
    agency = make_agency("Dinas Sosial", parent=province)
    organiser = make_user(Role.organiser, name="Dra. Nurhayati, M.Si.", email="panitia@uji.go.id")
    event = make_event(
        title="Bimtek Pengelolaan Media Sosial Pemerintah",
        organisers=[organiser],
        sessions=3,
        requires_approval=True,
        quota=30,
    )

    # 1. The participant creates an account on a phone.
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = phone_ctx.new_page()
    phone.goto(live_url("auth.register"))
    form = phone.locator("main form")
    form.locator("input[name=name]").fill(NAME)
    form.locator("input[name=nip]").fill("19850715 201001 1 003")
    form.locator("select[name=agency]").select_option(label="Pemerintah Provinsi Banten › Dinas Sosial")
    form.locator("input[name=position]").fill("Pranata Humas Ahli Muda")
    form.locator("select[name=rank]").select_option(value="III/c")
    form.locator("input[name=phone]").fill("0812-3456-7890")
    form.locator("input[name=email]").fill("Ahmad.Fauzi@Dinsos.go.id ")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("input[name=password_confirm]").fill(PASSWORD)
    form.locator("button[type=submit]").tap()
    expect(phone).to_have_url(re.compile(r"/pelatihan-saya$"))

    user = db.session.execute(db.select(User).where(User.nip == NIP)).scalar_one()
    assert (user.name, user.email, user.phone, user.agency_id) == (
        NAME,
        "ahmad.fauzi@dinsos.go.id",
        "+6281234567890",
        agency.id,
    )

    # 2. Logs out and in again with the NIP.
    phone.locator(".navbar-toggler").tap()
    with phone.expect_navigation():
        phone.locator("#nav-main").get_by_role("button", name="Keluar").tap()
    phone.goto(live_url("auth.login"))
    phone.locator("input[name=identifier]").fill(NIP)
    phone.locator("input[name=password]").fill(PASSWORD)
    phone.locator("main form button[type=submit]").tap()
    expect(phone.locator(".alert-success")).to_contain_text("Selamat datang")

    # 3. Finds the event in the catalogue and enrols.
    phone.goto(live_url("enrolment.catalogue"))
    phone.get_by_role("link", name=event.title).tap()
    expect(phone.locator("h1")).to_contain_text(event.title)
    expect(phone.locator("main")).to_contain_text("12 JP")
    phone.get_by_role("button", name="Daftar sekarang").tap()
    expect(phone.locator(".alert")).to_contain_text("Menunggu persetujuan", ignore_case=True)
    enrolment = db.session.execute(db.select(Enrolment).where(Enrolment.user_id == user.id)).scalar_one()
    assert enrolment.status is EnrolmentStatus.pending

    # 4. The organiser approves on a desktop.
    desk_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    desk = desk_ctx.new_page()
    desk.goto(live_url("auth.login"))
    desk.locator("input[name=identifier]").fill(organiser.email)
    desk.locator("input[name=password]").fill(PASSWORD)
    desk.locator("main form button[type=submit]").click()
    desk.goto(live_url("enrolment.participants", event_id=event.id))
    row = desk.locator(f"#enrolment-{enrolment.id}")
    expect(row).to_contain_text(NAME)
    expect(row).to_contain_text(NIP)
    row.get_by_role("button", name="Setujui", exact=True).click()
    expect(desk.locator(f"#enrolment-{enrolment.id}")).to_contain_text("Diterima")
    desk.screenshot(path=str(tmp_path / "organiser.png"))

    # 5. The participant sees it approved.
    phone.goto(live_url("enrolment.my_trainings"))
    card = phone.locator("main")
    expect(card).to_contain_text(event.title)
    expect(card).to_contain_text("Diterima")
    phone.screenshot(path=str(tmp_path / "participant.png"), full_page=True)
    db.session.expire_all()
    assert enrolment.status is EnrolmentStatus.approved
    assert enrolment.decided_by_id == organiser.id
    assert (tmp_path / "participant.png").stat().st_size > 0
    phone_ctx.close()
    desk_ctx.close()
