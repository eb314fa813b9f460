"""In a real browser, with the Content-Security-Policy the app sends, the main pages of every role load without a
single CSP violation, and the behaviour moved out of inline scripts and styles still works (delete confirmation,
the JP suggestion on the session form, progress bar widths, htmx, the dashboard charts)."""

import io
import re

import pytest
from playwright.sync_api import expect

from lms.auth.models import Role
from lms.courses import operations as course_ops
from lms.courses.models import MaterialKind
from lms.events.models import Enrolment, EnrolmentStatus, EventStatus
from lms.uploads import PDF, CheckedUpload
from tests.conftest import PASSWORD
from tests.courses.conftest import PDF_BYTES

pytestmark = pytest.mark.browser


@pytest.fixture
def upload_dir(app, live_app, tmp_path):
    old = app.config["UPLOAD_DIR"], live_app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = live_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield
    app.config["UPLOAD_DIR"], live_app.config["UPLOAD_DIR"] = old


class Violations:
    """CSP violations seen by the page: the browser's console messages and the securitypolicyviolation events."""

    def __init__(self, page):
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', function (e) {"
            " console.error('CSP-VIOLATION ' + e.violatedDirective + ' ' + e.blockedURI); });"
        )

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "CSP-VIOLATION" in text or "Refused to" in text:
            self.messages.append(f"{message.type}: {text} ({message.location.get('url')})")

    def check(self, where: str) -> None:
        assert not self.messages, f"CSP violations on {where}: {self.messages}"


def _login(page, live_url, user):
    page.goto(live_url("auth.login"))
    page.locator("input[name=identifier]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Selamat datang")


def _visit(page, violations, url: str) -> None:
    response = page.goto(url)
    assert response.status < 400, f"{url}: {response.status}"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    violations.check(url)


@pytest.fixture
def training(db, upload_dir, make_user, make_event, make_agency):
    office = make_agency("Dinas Komunikasi dan Informatika")
    make_agency("Bidang Aplikasi", parent=office)
    organiser = make_user(Role.organiser, agency=office)
    participant = make_user(name="Siti Aminah, S.E.", agency=office)
    event = make_event(
        title="Bimtek Keamanan Informasi",
        organisers=[organiser],
        sessions=2,
        status=EventStatus.running,
        description="Baris satu\nBaris dua",
    )
    db.session.add(Enrolment(event_id=event.id, user_id=participant.id, status=EnrolmentStatus.approved))
    module = course_ops.create_module(event, title="Kata Sandi yang Kuat", jp=2, description="Uraian\nmodul")
    course_ops.add_material(module, kind=MaterialKind.text, title="Bacaan", body="<p>Gunakan <em>frasa</em>.</p>")
    course_ops.add_material(
        module,
        kind=MaterialKind.file,
        title="Bahan tayang",
        upload=CheckedUpload(io.BytesIO(PDF_BYTES), "bahan.pdf", PDF, len(PDF_BYTES)),
    )
    db.session.commit()
    return {"organiser": organiser, "participant": participant, "event": event, "module": module}


def test_participant_pages_have_no_csp_violation(page, live_url, training):
    violations = Violations(page)
    event, module = training["event"], training["module"]
    _visit(page, violations, live_url("enrolment.catalogue"))
    _visit(page, violations, live_url("auth.login"))
    _login(page, live_url, training["participant"])
    for url in (
        live_url("enrolment.my_trainings"),
        live_url("enrolment.event_page", event_id=event.id),
        live_url("courses.outline", event_id=event.id),
        live_url("courses.module", event_id=event.id, module_id=module.id),
        live_url("certificates.mine"),
        live_url("attendance.enter_code"),
        live_url("auth.profile"),
    ):
        _visit(page, violations, url)
    # Progress bars get their width from data-width through static/js/app.js (no inline style).
    page.goto(live_url("courses.outline", event_id=event.id))
    bar = page.locator("#event-progress .progress-bar")
    expect(bar).to_have_attribute("data-width", re.compile(r"^\d+$"))
    violations.check("the outline")


def test_organiser_pages_have_no_csp_violation_and_moved_scripts_work(page, live_url, training):
    violations = Violations(page)
    event = training["event"]
    _login(page, live_url, training["organiser"])
    session = event.sessions[0]
    for url in (
        live_url("events.index"),
        live_url("events.detail", event_id=event.id),
        live_url("enrolment.participants", event_id=event.id),
        live_url("courses.manage", event_id=event.id),
        live_url("courses.progress", event_id=event.id),
        live_url("attendance.sessions", event_id=event.id),
        live_url("attendance.matrix", event_id=event.id),
        live_url("attendance.qr", event_id=event.id, session_id=session.id),
        live_url("assessments.manage", event_id=event.id),
        live_url("certificates.manage", event_id=event.id),
        live_url("certificates.settings", event_id=event.id),
        live_url("certificates.layout_editor", event_id=event.id),
        live_url("reports.dashboard"),
        live_url("audit.event_log", event_id=event.id),
    ):
        _visit(page, violations, url)

    # The JP suggestion (was an inline script in session_form.html).
    page.goto(live_url("events.session_create", event_id=event.id))
    start = event.start_date
    page.locator("#starts_at").fill(f"{start}T08:00")
    page.locator("#ends_at").fill(f"{start}T09:30")
    page.locator("#ends_at").dispatch_event("change")
    expect(page.locator("#jp-hint")).to_contain_text("90 menit")
    expect(page.locator("#jp-hint")).to_contain_text("2 JP")

    # Deleting asks first (was onsubmit="return confirm(...)"): dismissing keeps the session.
    page.goto(live_url("events.detail", event_id=event.id))
    rows = page.locator("form[data-confirm]")
    count = rows.count()
    assert count >= 2
    page.once("dialog", lambda dialog: dialog.dismiss())
    rows.first.locator("button[type=submit]").click()
    page.wait_for_timeout(300)
    expect(page.locator("form[data-confirm]")).to_have_count(count)
    page.once("dialog", lambda dialog: dialog.accept())
    rows.first.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Sesi dihapus")
    expect(page.locator("form[data-confirm]")).to_have_count(count - 1)
    violations.check("the session pages")


def test_admin_pages_have_no_csp_violation(page, live_url, training, make_user):
    admin = make_user(Role.admin)
    violations = Violations(page)
    _login(page, live_url, admin)
    for url in (
        live_url("users_admin.index"),
        live_url("agencies.index"),
        live_url("audit.index"),
        live_url("reports.people"),
    ):
        _visit(page, violations, url)
    expect(page.locator("#nav-main").get_by_role("link", name="Log audit")).to_have_count(1)
    page.goto(live_url("audit.index"))
    expect(page.locator("main")).to_contain_text("Masuk")  # the admin's own log-in, recorded
    violations.check("the audit log")


def test_the_detector_sees_a_violation(page, live_url):
    """A page served with our CSP but with inline script and style: the checks above would fail on it."""
    url = live_url("enrolment.catalogue") + "?uji-csp"

    def inline(route):
        original = route.fetch()
        body = '<!doctype html><p style="color: red">x</p><script>document.title = "dijalankan"</script>'
        route.fulfill(status=200, headers=original.headers, body=body)

    page.route("**/pelatihan?uji-csp", inline)
    violations = Violations(page)
    page.goto(url)
    page.wait_for_timeout(300)
    assert page.title() != "dijalankan"  # the inline script was blocked
    assert any("script-src" in m for m in violations.messages), violations.messages
    assert any("style-src" in m for m in violations.messages), violations.messages
