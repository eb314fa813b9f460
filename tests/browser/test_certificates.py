"""Certificates in a real browser (CSRF on): the organiser sets the rule and issues, builds the ZIP as a job with a
progress bar; the participant downloads the certificate; its QR code opens the verification page, which says valid."""

import re
from io import BytesIO

import pdfplumber
import pytest
import zxingcpp
from playwright.sync_api import expect

from lms import jobs
from lms.attendance.models import Attendance, AttendanceMethod, AttendanceStatus
from lms.auth.models import Role
from lms.certificates.models import Certificate
from lms.events.models import Enrolment, EnrolmentStatus
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def upload_dir(app, live_app, tmp_path):
    old = app.config["UPLOAD_DIR"], live_app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = live_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield
    jobs.join_threads()
    app.config["UPLOAD_DIR"], live_app.config["UPLOAD_DIR"] = old


def _log_in(page, live_url, user):
    page.goto(live_url("auth.login"))
    page.locator("input[name=identifier]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Selamat datang")


def test_issue_download_and_verify_through_the_qr_code(
    db, upload_dir, browser, page, live_url, make_agency, make_user, make_event
):
    agency = make_agency("Badan Pengembangan SDM Daerah", short_name="BPSDMD")
    organiser = make_user(Role.organiser, agency=agency, email="panitia@bpsdmd.go.id")
    event = make_event(title="Bimtek Keamanan Siber", organisers=[organiser], sessions=3, organiser_agency=agency)
    present = make_user(name="Siti Aminah, S.E.", email="siti@uji.go.id")
    absent = make_user(name="Budi Santoso", email="budi@uji.go.id")
    for user in (present, absent):
        db.session.add(Enrolment(event_id=event.id, user_id=user.id, status=EnrolmentStatus.approved))
    for session in event.sessions:
        db.session.add(
            Attendance(
                session_id=session.id,
                user_id=present.id,
                status=AttendanceStatus.hadir,
                method=AttendanceMethod.manual,
            )
        )
    db.session.commit()

    # 1. The organiser sets the signatory and the rule (80% of the sessions), then issues.
    _log_in(page, live_url, organiser)
    page.goto(live_url("certificates.settings", event_id=event.id))
    page.locator("input[name=signatory_name]").fill("Dr. H. Ahmad Fauzi, S.Kom., M.T.")
    page.locator("input[name=signatory_position]").fill("Kepala BPSDMD")
    page.locator("input[name=min_attendance]").fill("80")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_contain_text("Pengaturan sertifikat disimpan.")
    page.get_by_role("button", name="Terbitkan", exact=True).click()
    expect(page.locator(".alert")).to_contain_text("1 sertifikat baru diterbitkan.")
    certificate = db.session.execute(db.select(Certificate)).scalar_one()
    assert certificate.user_id == present.id

    # 2. The ZIP of all certificates is built as a job; the page polls until the download link appears.
    page.get_by_role("button", name="Unduh semua (ZIP)", exact=True).click()
    expect(page).to_have_url(re.compile(r"/pekerjaan/\d+"))
    link = page.get_by_role("link", name=f"Unduh sertifikat-acara-{event.id}.zip")
    expect(link).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "100")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"sertifikat-acara-{event.id}.zip"

    # 3. The participant downloads the certificate (a separate browser session).
    context = browser.new_context(locale="id-ID")
    participant = context.new_page()
    _log_in(participant, live_url, present)
    participant.goto(live_url("certificates.mine"))
    with participant.expect_download() as download:
        participant.get_by_role("link", name="Unduh PDF").click()
    body = open(download.value.path(), "rb").read()
    with pdfplumber.open(BytesIO(body)) as pdf:
        assert "Siti Aminah, S.E." in pdf.pages[0].extract_text()
        image = pdf.pages[0].to_image(resolution=150).original
    (qr,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert qr.text == live_url("certificates.verify", code=certificate.code)

    # 4. Anyone opening the QR's address sees that the certificate is valid.
    participant.goto(qr.text)
    expect(participant.locator("#verify-status")).to_contain_text("Sertifikat ini SAH")
    expect(participant.locator("main")).to_contain_text(certificate.number)
    context.close()
