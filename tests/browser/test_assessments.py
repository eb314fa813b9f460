"""On a phone: the participant takes the pre-test, loses the page mid-way, finds the answers kept, submits;
the organiser sees the score."""

import re

import pytest
from playwright.sync_api import expect

from lms.assessments import operations as ops
from lms.assessments.models import Assessment, AssessmentKind, Attempt, AttemptStatus, QuestionKind
from lms.auth.models import Role
from lms.events.models import Enrolment, EnrolmentStatus, EventStatus
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _log_in(page, live_url, user):
    page.goto(live_url("auth.login"))
    page.locator("input[name=identifier]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Selamat datang")


def test_pre_test_on_a_phone_survives_a_reload(db, live_url, phone_page, page, make_user, make_event):
    organiser = make_user(Role.organiser, name="Dra. Nurhayati, M.Si.")
    event = make_event(title="Bimtek Literasi Digital", organisers=[organiser], status=EventStatus.running)
    participant = make_user(Role.participant, name="Siti Aminah, S.E.")
    db.session.add(Enrolment(event_id=event.id, user_id=participant.id, status=EnrolmentStatus.approved))
    q1 = ops.create_question(event, QuestionKind.single, "Ibu kota Banten?", 1, [("Serang", True), ("Cilegon", False)])
    q2 = ops.create_question(
        event, QuestionKind.true_false, "NIP terdiri dari 18 digit.", 1, ops.true_false_options(True)
    )
    q3 = ops.create_question(
        event, QuestionKind.multiple, "Mana data pribadi?", 2, [("NIK", True), ("Nama jalan", False), ("No HP", True)]
    )
    ops.save_assessment(
        Assessment(event_id=event.id), [q1, q2, q3], kind=AssessmentKind.pre, title="Pre-test Literasi",
        time_limit_minutes=20, max_attempts=1, passing_grade=70,
    )  # fmt: skip
    db.session.commit()
    phone = phone_page

    _log_in(phone, live_url, participant)
    phone.goto(live_url("assessments.participant_index", event_id=event.id))
    phone.get_by_role("button", name="Mulai mengerjakan").tap()
    expect(phone.locator("h1")).to_have_text("Pre-test Literasi")
    expect(phone.locator("#countdown")).to_have_text(re.compile(r"^(19|20):\d\d$"))
    assert "Serang" in phone.content() and "kunci" not in phone.content().lower()

    phone.get_by_label("Serang").tap()
    expect(phone.locator(f"#saved-{q1.id}")).to_contain_text("Tersimpan")
    phone.get_by_label("Benar").tap()
    expect(phone.locator(f"#saved-{q2.id}")).to_contain_text("Tersimpan")

    phone.reload()  # the connection dropped, the participant comes back
    expect(phone.get_by_label("Serang")).to_be_checked()
    expect(phone.get_by_label("Benar")).to_be_checked()
    expect(phone.get_by_label("NIK")).not_to_be_checked()
    phone.get_by_label("NIK").tap()
    phone.get_by_label("No HP").tap()
    expect(phone.locator(f"#saved-{q3.id}")).to_contain_text("Tersimpan")
    phone.get_by_role("button", name="Kirim jawaban").tap()
    expect(phone.locator("#score")).to_have_text("100.00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    db.session.expire_all()
    attempt = db.session.query(Attempt).one()
    assert attempt.status is AttemptStatus.submitted and attempt.score == 100.0

    _log_in(page, live_url, organiser)
    page.goto(live_url("assessments.results", event_id=event.id, assessment_id=attempt.assessment_id))
    row = page.locator("tbody tr", has_text="Siti Aminah")
    expect(row).to_contain_text("100.00")
