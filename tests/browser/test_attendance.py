"""QR check-in in real browsers (CSRF on): the organiser shows the QR on a desktop; a participant opens the
QR's link on a phone, logs in, confirms, and the organiser's page lists them without a reload."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.attendance.models import Attendance, AttendanceMethod, AttendanceStatus
from lms.auth.models import Role
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentSource, EnrolmentStatus, EventStatus
from tests.attendance.conftest import decode_svg_qr
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _login(page, live_url, identifier):
    page.locator("input[name=identifier]").fill(identifier)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def test_qr_check_in_shows_on_the_organiser_screen(db, browser, live_url, live_server, make_user, make_event):
    organiser = make_user(Role.organiser, name="Dra. Nurhayati, M.Si.", email="panitia@uji.go.id")
    event = make_event(
        organisers=[organiser], sessions=1, status=EventStatus.running, title="Bimtek Keamanan Informasi"
    )
    session = event.sessions[0]
    session.starts_at = utcnow() - timedelta(minutes=2)
    session.ends_at = session.starts_at + timedelta(hours=2)
    participant = make_user(name="Dr. H. Ahmad Fauzi, S.Kom., M.T.", email="ahmad@dinsos.go.id")
    db.session.add(
        Enrolment(
            event_id=event.id, user_id=participant.id, status=EnrolmentStatus.approved, source=EnrolmentSource.organiser
        )
    )
    db.session.commit()

    # The organiser opens the QR page on a desktop.
    desk_ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    desk = desk_ctx.new_page()
    desk.goto(live_url("auth.login"))
    _login(desk, live_url, organiser.email)
    expect(desk.locator(".alert-success")).to_contain_text("Selamat datang")
    desk.goto(live_url("attendance.qr", event_id=event.id, session_id=session.id))
    expect(desk.locator("#live-count")).to_contain_text("0 / 1")
    svg = desk.locator("#qr-box svg").evaluate("el => el.outerHTML")
    link = decode_svg_qr(svg)
    assert re.fullmatch(rf"{re.escape(live_server)}/presensi/{session.id}\?k=[A-Z2-9]{{6}}", link)

    # The participant's phone opens the link from the QR, is asked to log in, logs in, confirms.
    phone_ctx = browser.new_context(locale="id-ID", **PHONE)
    phone = phone_ctx.new_page()
    phone.goto(link)
    expect(phone).to_have_url(re.compile(r"/masuk\?next="))
    _login(phone, live_url, participant.email)
    confirm = phone.get_by_role("button", name="Konfirmasi kehadiran")
    expect(confirm).to_be_visible()
    confirm.tap()
    expect(phone.locator(".alert-success[role=alert]")).to_contain_text("Presensi tercatat: Hadir")
    expect(phone.locator("#presensi-status")).to_contain_text("Hadir")

    # The organiser's screen shows it without a reload (htmx polling).
    desk.evaluate("window.__same_page = true")
    expect(desk.locator("#live-list")).to_contain_text(participant.name)
    expect(desk.locator("#live-count")).to_contain_text("1 / 1")
    assert desk.evaluate("window.__same_page") is True

    record = db.session.execute(select(Attendance).where(Attendance.user_id == participant.id)).scalar_one()
    assert (record.session_id, record.status, record.method) == (
        session.id,
        AttendanceStatus.hadir,
        AttendanceMethod.qr,
    )
    phone_ctx.close()
    desk_ctx.close()
