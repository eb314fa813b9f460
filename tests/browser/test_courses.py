"""On a phone: the participant opens a module, reads the materials, and the progress bars move."""

import io
import re

import pytest
from playwright.sync_api import expect

from lms.auth.models import Role
from lms.courses import operations as ops
from lms.courses.models import MaterialKind
from lms.events.models import Enrolment, EnrolmentStatus
from lms.uploads import PDF, CheckedUpload
from tests.conftest import PASSWORD
from tests.courses.conftest import PDF_BYTES

pytestmark = pytest.mark.browser


@pytest.fixture
def upload_dir(app, live_app, tmp_path):
    """The test app (which stores) and the live app (which serves) keep uploads in the same temporary folder."""
    old = app.config["UPLOAD_DIR"], live_app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = live_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield
    app.config["UPLOAD_DIR"], live_app.config["UPLOAD_DIR"] = old


def test_participant_reads_materials_on_a_phone(db, upload_dir, live_url, phone_page, make_user, make_event):
    organiser = make_user(Role.organiser)
    event = make_event(title="Bimtek Literasi Digital", organisers=[organiser])
    participant = make_user(Role.participant, name="Siti Aminah, S.E.")
    db.session.add(Enrolment(event_id=event.id, user_id=participant.id, status=EnrolmentStatus.approved))
    module = ops.create_module(event, title="Literasi Digital Dasar", jp=2, speaker="Dr. Rina Wulandari")
    ops.add_material(
        module,
        kind=MaterialKind.text,
        title="Etika bermedia sosial",
        body="<p>Saring sebelum <strong>sharing</strong>.</p>",
    )
    ops.add_material(
        module,
        kind=MaterialKind.file,
        title="Bahan tayang",
        upload=CheckedUpload(io.BytesIO(PDF_BYTES), "bahan tayang 報告.pdf", PDF, len(PDF_BYTES)),
    )
    ops.create_module(event, title="Modul Lanjutan", requires_previous=True)
    db.session.commit()
    page = phone_page

    page.goto(live_url("auth.login"))
    page.locator("input[name=identifier]").fill(participant.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").tap()
    expect(page.locator(".alert-success")).to_contain_text("Selamat datang")

    page.goto(live_url("courses.outline", event_id=event.id))
    expect(page.locator("#event-progress")).to_have_attribute("aria-valuenow", "0")
    expect(page.locator("main")).to_contain_text("Terkunci: selesaikan dulu modul")
    page.get_by_role("link", name="Literasi Digital Dasar").tap()
    expect(page.locator("h1")).to_have_text("Literasi Digital Dasar")
    expect(page.locator(".material-text")).to_contain_text("Saring sebelum sharing.")
    expect(page.locator("#module-progress")).to_have_attribute("aria-valuenow", "0")

    page.get_by_role("button", name="Tandai selesai").tap()
    expect(page.locator(".alert-success")).to_contain_text("ditandai selesai")
    expect(page.locator("#module-progress")).to_have_attribute("aria-valuenow", "50")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh").tap()
    download = download_info.value
    assert download.suggested_filename == "bahan tayang 報告.pdf"
    expect(page.locator("#module-progress")).to_have_attribute("aria-valuenow", "100")  # the page refreshes itself

    page.get_by_role("link", name="Materi", exact=True).tap()
    expect(page).to_have_url(re.compile(rf"/pelatihan/{event.id}/materi$"))
    expect(page.locator("#event-progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("main")).not_to_contain_text("Terkunci")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
